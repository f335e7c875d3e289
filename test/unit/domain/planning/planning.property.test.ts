/**
 * Properties of the planner over visits near every clock change of 2026–2030
 * in eight zones chosen to make time hard. Run counts are in the test names;
 * afterAll prints how often the interesting cases were actually hit, so a
 * generator that drifted away from them would show.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../../shared/domain/model';
import {
  CHANGE_NOTICE_EXEMPT_HOURS,
  CHANGE_NOTICE_KINDS,
  DECISION_SKIP_REASONS,
  decide,
  earliestAllowedAtOrAfter,
  isQuietAt,
  latestAllowedAtOrBefore,
  PLAN_SKIP_REASONS,
  type PlannedMessage,
  parseMessageId,
  plan,
  QUIET_HOURS_MARGIN_MINUTES,
  quietWindowAt,
  reconcile,
  UPCOMING_VISIT_KINDS,
} from '../../../../shared/domain/planning';
import { parseOffset, parseUtc, toUtcIso } from '../../../../shared/domain/time';
import {
  anchors,
  expectedKeys,
  quietByWallClock,
  quietHoursNear,
  type Scenario,
  scenarios,
  TRANSITIONS,
  ZONES,
} from '../support/scenarios';

const WINDOW_RUNS = 1000;
const PLAN_RUNS = 400;
const RECONCILE_RUNS = 250;
const DECIDE_RUNS = 300;

const hits = {
  instantsInRepeatedHour: 0,
  scenarios: 0,
  pending: 0,
  movedByQuietHours: 0,
  dayReminderInGap: 0,
  dayReminderInOverlap: 0,
  skipped: new Map<string, number>(),
  withdrawn: 0,
  decisions: new Map<string, number>(),
};

afterAll(() => {
  console.log(
    `planning properties: ${TRANSITIONS.length} clock changes in ${ZONES.length} zones; ` +
      `${hits.scenarios} scenarios; ${hits.pending} pending messages, ${hits.movedByQuietHours} of them moved by quiet hours; ` +
      `quiet-window instants the window adds in a repeated hour: ${hits.instantsInRepeatedHour}; ` +
      `day reminders on a skipped wall time: ${hits.dayReminderInGap}, on a repeated one: ${hits.dayReminderInOverlap}; ` +
      `skips ${JSON.stringify(Object.fromEntries(hits.skipped))}; withdrawals ${hits.withdrawn}; ` +
      `decisions ${JSON.stringify(Object.fromEntries(hits.decisions))}`,
  );
});

function count(map: Map<string, number>, key: string) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** A change notice this close to the visit ignores quiet hours by design. */
function exemptFromQuietHours(message: PlannedMessage): boolean {
  return (
    CHANGE_NOTICE_KINDS.has(message.kind) &&
    parseUtc(message.notAfter).diff(parseUtc(message.plannedAt), 'hours').hours <= CHANGE_NOTICE_EXEMPT_HOURS
  );
}

/** The stored form of a planned message, as the pipeline writes it. */
function stored(
  message: PlannedMessage,
  planVersion: number,
  status: Message['status'] = message.status,
): Message {
  return {
    clinicId: 'demo-clinic',
    patientId: 'p-1',
    appointmentId: message.appointmentId,
    messageId: message.messageId,
    kind: message.kind,
    ...(message.offset ? { offset: message.offset } : {}),
    priority: message.priority,
    channel: message.channel,
    language: message.language,
    dueAt: message.dueAt,
    plannedAt: message.plannedAt,
    notAfter: message.notAfter,
    status,
    ...(message.reason ? { reason: message.reason } : {}),
    attempts: 0,
    planVersion,
    rev: 1,
    createdAt: message.plannedAt,
    updatedAt: message.plannedAt,
  };
}

describe('quiet-hours windows around clock changes 2026–2030', () => {
  const instants = anchors.chain((anchor) =>
    fc.record({
      anchor: fc.constant(anchor),
      quiet: quietHoursNear(anchor),
      at: fc
        .noBias(fc.integer({ min: -6 * 60, max: 6 * 60 }))
        .map((minutes) => DateTime.fromMillis(anchor.at + minutes * 60_000, { zone: 'utc' })),
    }),
  );

  it(`cover every instant whose wall clock reads quiet, adding only instants of a repeated hour; moves land outside them (${WINDOW_RUNS} runs)`, () => {
    fc.assert(
      fc.property(instants, ({ anchor, quiet, at }) => {
        const byWallClock = quietByWallClock(at, quiet, anchor.zone);
        const window = quietWindowAt(at, quiet, anchor.zone);
        if (byWallClock) expect(window, 'a quiet wall time outside every window').toBeDefined();
        if (window && !byWallClock) {
          // Only a fall-back overlap may add instants: the repeated wall-clock hour, on
          // either pass (a window ending at 03:00 in a repeated 02:45–03:45 must run to
          // the second 03:00, so it also holds the first pass from 03:00 on).
          hits.instantsInRepeatedHour += 1;
          const repeated = TRANSITIONS.some((t) => {
            const minutes = t.before - t.after;
            return (
              t.zone === anchor.zone &&
              minutes > 0 &&
              at >= t.at.minus({ minutes }) &&
              at < t.at.plus({ minutes })
            );
          });
          expect(repeated, 'window adds an instant outside a repeated hour').toBe(true);
        }
        const later = earliestAllowedAtOrAfter(at, quiet, anchor.zone, at.plus({ days: 2 }));
        if (later) expect(quietByWallClock(later, quiet, anchor.zone)).toBe(false);
        const earlier = latestAllowedAtOrBefore(at, quiet, anchor.zone, at.minus({ days: 2 }));
        if (earlier) {
          expect(quietByWallClock(earlier, quiet, anchor.zone)).toBe(false);
          if (window)
            expect(earlier <= window.start.minus({ minutes: QUIET_HOURS_MARGIN_MINUTES })).toBe(true);
        }
      }),
      { numRuns: WINDOW_RUNS },
    );
  });
});

describe('plan() over clock changes 2026–2030', () => {
  it(`plans exactly one message per (kind, offset) that the rules call for, each pending (with quiet-hours when moved) or skipped with a known reason (${PLAN_RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        hits.scenarios += 1;
        const planned = plan(scenario).messages;
        const keys = planned.map((message) => `${message.kind}#${message.offset ?? '-'}`).sort();
        expect(keys).toEqual(expectedKeys(scenario));
        expect(new Set(planned.map((message) => message.messageId)).size).toBe(planned.length);
        for (const message of planned) {
          if (message.status === 'skipped') {
            expect(PLAN_SKIP_REASONS).toContain(message.reason);
            count(hits.skipped, message.reason ?? '');
          } else {
            // Every move records why; a message on its planned time carries no reason.
            expect(message.reason).toBe(message.dueAt === message.plannedAt ? undefined : 'quiet-hours');
          }
        }
        // A replay plans the very same messages.
        expect(plan(scenario).messages).toEqual(planned);
      }),
      { numRuns: PLAN_RUNS },
    );
  });

  it(`never schedules a pending send inside quiet hours (read off the wall clock), nor a before-visit message after the visit (${PLAN_RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const { quietHours } = scenario.clinic.policy;
        const start = parseUtc(scenario.appointment.startAt);
        const floor = DateTime.max(scenario.now, parseUtc(scenario.appointment.updatedAt));
        for (const message of plan(scenario).messages) {
          if (message.status !== 'pending') continue;
          const dueAt = parseUtc(message.dueAt);
          hits.pending += 1;
          if (message.dueAt !== message.plannedAt) hits.movedByQuietHours += 1;
          if (!exemptFromQuietHours(message)) {
            expect(quietByWallClock(dueAt, quietHours, scenario.zone), message.messageId).toBe(false);
            expect(isQuietAt(dueAt, quietHours, scenario.zone), message.messageId).toBe(false);
          }
          expect(dueAt <= parseUtc(message.notAfter)).toBe(true);
          if (UPCOMING_VISIT_KINDS.has(message.kind)) expect(dueAt <= start, message.messageId).toBe(true);
          if (message.kind === 'reminder') {
            expect(dueAt < start).toBe(true);
            expect(dueAt >= floor, 'not before the plan exists').toBe(true);
            expect(dueAt <= parseUtc(message.plannedAt), 'reminders only move earlier').toBe(true);
          }
          if (message.kind === 'survey') {
            expect(dueAt >= parseUtc(message.plannedAt), 'surveys only move later').toBe(true);
          }
          // Moved only by quiet hours.
          if (message.dueAt !== message.plannedAt) {
            expect(isQuietAt(parseUtc(message.plannedAt), quietHours, scenario.zone)).toBe(true);
          }
        }
      }),
      { numRuns: PLAN_RUNS },
    );
  });

  it(`lands day-offset reminders on the visit's local wall time, or the nearest valid time after a gap, and hour offsets on elapsed time (${PLAN_RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const start = parseUtc(scenario.appointment.startAt);
        const local = start.setZone(scenario.zone);
        for (const message of plan(scenario).messages) {
          if (message.kind !== 'reminder' || !message.offset) continue;
          const offset = parseOffset(message.offset);
          if (!offset) throw new Error(`bad offset ${message.offset}`);
          const plannedAt = parseUtc(message.plannedAt);
          if (offset.unit === 'minutes') {
            expect(start.diff(plannedAt, 'minutes').minutes).toBe(offset.amount);
            continue;
          }
          const day = local.minus({ days: offset.amount }).startOf('day');
          const wanted = { hour: local.hour, minute: local.minute };
          const landed = plannedAt.setZone(scenario.zone);
          expect(landed.toISODate()).toBe(day.toISODate());
          // Every instant whose wall clock reads the wanted time that day: try each
          // offset the zone uses that day, keep those luxon reads back as wanted.
          const offsets = new Set(
            Array.from({ length: 54 }, (_, half) => day.plus({ minutes: half * 30 }).offset),
          );
          const asUtc = Date.UTC(day.year, day.month - 1, day.day, wanted.hour, wanted.minute);
          const instants = [...offsets]
            .map((minutes) => DateTime.fromMillis(asUtc - minutes * 60_000, { zone: scenario.zone }))
            .filter(
              (at) =>
                at.toISODate() === day.toISODate() && at.hour === wanted.hour && at.minute === wanted.minute,
            );
          if (instants.length === 0) {
            hits.dayReminderInGap += 1;
            // Skipped wall time: the first valid time after it, shifted by at most the gap (≤ 1 h here).
            const minutesAfter = landed.hour * 60 + landed.minute - (wanted.hour * 60 + wanted.minute);
            expect(minutesAfter).toBeGreaterThan(0);
            expect(minutesAfter).toBeLessThanOrEqual(60);
          } else {
            if (instants.length > 1) hits.dayReminderInOverlap += 1;
            expect({ hour: landed.hour, minute: landed.minute }).toEqual(wanted);
            expect(instants.map(toUtcIso)).toContain(toUtcIso(plannedAt));
          }
        }
      }),
      { numRuns: PLAN_RUNS },
    );
  });
});

interface History {
  scenario: Scenario;
  previousStartShiftMinutes: number;
  storedStatuses: Message['status'][];
}

/** A scenario with the statuses its previous version's messages have reached since. */
const histories: fc.Arbitrary<History> = fc.record({
  scenario: scenarios,
  previousStartShiftMinutes: fc.integer({ min: -3 * 1440, max: 3 * 1440 }),
  storedStatuses: fc.array(
    fc.constantFrom<Message['status']>(
      'pending',
      'pending',
      'queued',
      'sending',
      'sent',
      'skipped',
      'failed',
      'unknown',
    ),
    {
      minLength: 8,
      maxLength: 8,
    },
  ),
});

/** What the appointment looked like one version earlier: booked, maybe at another time. */
function previousVersion(history: History): Scenario {
  const { scenario, previousStartShiftMinutes } = history;
  const { appointment } = scenario;
  const moved = appointment.scheduleVersion > 1 && appointment.scheduleVersion === appointment.version;
  const version = Math.max(1, appointment.version - 1);
  return {
    ...scenario,
    appointment: {
      ...appointment,
      status: 'booked',
      cancelledBy: undefined,
      version,
      scheduleVersion: moved
        ? Math.max(1, appointment.scheduleVersion - 1)
        : Math.min(version, appointment.scheduleVersion),
      startAt: moved
        ? toUtcIso(parseUtc(appointment.startAt).plus({ minutes: previousStartShiftMinutes }))
        : appointment.startAt,
      updatedAt: appointment.createdAt,
    },
    now: parseUtc(appointment.createdAt),
  };
}

describe('reconcile() over the same scenarios', () => {
  it(`is idempotent: a replay gives the same result, and reconciling after applying it gives nothing to do (${RECONCILE_RUNS} runs)`, () => {
    fc.assert(
      fc.property(histories, (history) => {
        const { scenario } = history;
        const { appointment } = scenario;
        const before = previousVersion(history);
        const storedBefore = plan(before).messages.map((message, index) =>
          stored(
            message,
            before.appointment.version,
            message.status === 'skipped' ? 'skipped' : (history.storedStatuses[index] ?? 'pending'),
          ),
        );
        const desired = plan(scenario).messages;
        const result = reconcile(desired, storedBefore, appointment);
        expect(reconcile(desired, storedBefore, appointment)).toEqual(result);
        hits.withdrawn += result.withdraw.length;

        // Apply it the way the pipeline does: create as planned, withdraw as skipped.
        const withdrawn = new Map(result.withdraw.map((w) => [w.messageId, w.reason]));
        const storedAfter = [
          ...storedBefore.map((message) =>
            withdrawn.has(message.messageId)
              ? {
                  ...message,
                  status: 'skipped' as const,
                  reason: withdrawn.get(message.messageId),
                  planVersion: appointment.version,
                }
              : message,
          ),
          ...result.create.map((message) => stored(message, appointment.version)),
        ];
        expect(reconcile(desired, storedAfter, appointment)).toEqual({ create: [], withdraw: [] });
        // A stale record (the previous version) arriving now changes nothing.
        if (before.appointment.version < appointment.version) {
          expect(reconcile(plan(before).messages, storedAfter, before.appointment)).toEqual({
            create: [],
            withdraw: [],
          });
        }
        // Nothing already on its way is withdrawn; a reminder the cap skipped is closed when its visit is
        // cancelled or moved (room freed later could otherwise bring it back).
        for (const { messageId, reason } of result.withdraw) {
          const message = storedBefore.find((m) => m.messageId === messageId);
          if (message?.status === 'skipped') {
            expect(message.reason).toBe('frequency-cap');
            const version = parseMessageId(messageId)?.version ?? 0;
            expect(
              appointment.status === 'cancelled' || version < appointment.scheduleVersion,
              `${messageId} closed (${reason})`,
            ).toBe(true);
          } else expect(['pending', 'queued']).toContain(message?.status);
        }
      }),
      { numRuns: RECONCILE_RUNS },
    );
  });
});

describe('decide() over the same scenarios', () => {
  it(`never sends inside quiet hours unless exempt, and defers only to a time outside them before notAfter (${DECIDE_RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarios, fc.integer({ min: -2 * 1440, max: 2 * 1440 }), (scenario, shiftMinutes) => {
        const { clinic, patient, appointment } = scenario;
        for (const planned of plan(scenario).messages) {
          const message = stored(planned, appointment.version, 'sending');
          const now = parseUtc(planned.dueAt).plus({ minutes: shiftMinutes });
          const decision = decide({ message, appointment, patient, clinic, now });
          count(hits.decisions, decision.action === 'skip' ? `skip:${decision.reason}` : decision.action);
          const exempt =
            CHANGE_NOTICE_KINDS.has(message.kind) &&
            parseUtc(appointment.startAt).diff(now, 'hours').hours <= CHANGE_NOTICE_EXEMPT_HOURS;
          if (decision.action === 'send') {
            if (!exempt) expect(quietByWallClock(now, clinic.policy.quietHours, scenario.zone)).toBe(false);
            expect(now <= parseUtc(message.notAfter)).toBe(true);
          } else if (decision.action === 'defer') {
            const until = parseUtc(decision.until);
            expect(until > now).toBe(true);
            expect(until <= parseUtc(message.notAfter)).toBe(true);
            expect(quietByWallClock(until, clinic.policy.quietHours, scenario.zone)).toBe(false);
          } else {
            expect(DECISION_SKIP_REASONS).toContain(decision.reason);
          }
        }
      }),
      { numRuns: DECIDE_RUNS },
    );
  });
});
