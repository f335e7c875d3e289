/**
 * Recurring visits under the frequency cap: a patient's visits are booked
 * one after another (in any order), each planned the way the pipeline plans
 * it (stored messages in, created messages and cap withdrawals out), and the
 * final outbox is checked against the cap and against the fairness rule.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { type Appointment, DEFAULT_POLICY } from '../../../../shared/domain/model';
import { type FrequencyCap, type OtherMessage, plan } from '../../../../shared/domain/planning';
import { parseUtc, toUtcIso } from '../../../../shared/domain/time';
import { makeAppointment, makeClinic, makePatient } from '../../../support/factories';

/** Each run plans up to six visits (about 4 ms a plan), so runs are kept to a count that finishes in seconds. */
const RUNS = 120;
const WEEK_MS = 7 * 24 * 3_600_000;

type Stored = OtherMessage & { reason?: string };

const hits = { runs: 0, visits: 0, uncovered: 0, capped: 0, givenWay: 0, reinstated: 0, coveredAll: 0 };

interface Visit {
  id: string;
  startAt: string;
}

/** Books and plans each visit in turn; returns the outbox as the pipeline would leave it. */
function bookInTurn(
  visits: readonly Visit[],
  order: readonly number[],
  cap: FrequencyCap,
  offsets: string[],
  zone: string,
  now: DateTime,
): Stored[] {
  const clinic = makeClinic({
    timeZone: zone,
    policy: { ...DEFAULT_POLICY, frequencyCap: cap, reminderOffsets: { default: offsets, byType: {} } },
  });
  const patient = makePatient();
  const stored = new Map<string, Stored>();
  for (const index of order) {
    const visit = visits[index];
    if (!visit) continue;
    const appointment: Appointment = makeAppointment({
      appointmentId: visit.id,
      startAt: visit.startAt,
      createdAt: toUtcIso(now),
      updatedAt: toUtcIso(now),
    });
    const { messages, capWithdrawals, capReinstatements } = plan({
      appointment,
      patient,
      clinic,
      now,
      otherMessages: [...stored.values()],
    });
    for (const message of messages) {
      if (stored.has(message.messageId)) continue;
      stored.set(message.messageId, {
        messageId: message.messageId,
        appointmentId: message.appointmentId,
        kind: message.kind,
        dueAt: message.dueAt,
        notAfter: message.notAfter,
        status: message.status,
        priority: message.priority,
        ...(message.reason ? { reason: message.reason } : {}),
      });
    }
    for (const messageId of capWithdrawals) {
      hits.givenWay += 1;
      const message = stored.get(messageId);
      expect(message?.status, `withdraws only pending reminders: ${messageId}`).toBe('pending');
      if (message) stored.set(messageId, { ...message, status: 'skipped', reason: 'frequency-cap' });
    }
    for (const messageId of capReinstatements) {
      hits.reinstated += 1;
      const message = stored.get(messageId);
      expect(message?.reason, `reinstates only reminders the cap skipped: ${messageId}`).toBe(
        'frequency-cap',
      );
      expect(message?.appointmentId, `reinstates only other visits' reminders: ${messageId}`).not.toBe(
        visit.id,
      );
      if (message) {
        const { reason: _reason, ...rest } = message;
        stored.set(messageId, { ...rest, status: 'pending' });
      }
    }
  }
  return [...stored.values()];
}

/** True when these reminder times keep both caps. */
function withinCap(times: readonly DateTime[], cap: FrequencyCap, zone: string): boolean {
  const days = new Map<string, number>();
  for (const at of times) {
    const day = at.setZone(zone).toISODate() ?? '';
    days.set(day, (days.get(day) ?? 0) + 1);
  }
  if ([...days.values()].some((count) => count > cap.perDay)) return false;
  return times.every(
    (start) =>
      times.filter((at) => at >= start && at.toMillis() - start.toMillis() < WEEK_MS).length <= cap.perWeek,
  );
}

const ZONES = ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney'];

const cases = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    perDay: fc.integer({ min: 1, max: 2 }),
    extraPerWeek: fc.integer({ min: 0, max: 3 }),
    offsets: fc.constantFrom<string[]>(
      ['3d', '1d', '2h'],
      ['3d', '1d', '2h'],
      ['2d', '4h'],
      ['7d', '1d', '2h'],
      ['1d'],
    ),
    visits: fc.array(
      fc.record({ day: fc.integer({ min: 0, max: 20 }), hour: fc.integer({ min: 7, max: 18 }) }),
      { minLength: 2, maxLength: 6 },
    ),
    seed: fc.integer(),
  })
  .map((r) => {
    const base = DateTime.fromISO('2027-03-01T00:00', { zone: r.zone });
    // Distinct visit times: one visit per (day, hour).
    const unique = [...new Map(r.visits.map((v) => [`${v.day}-${v.hour}`, v])).values()];
    const visits = unique.map((v, index) => ({
      id: `a-${index + 1}`,
      startAt: toUtcIso(base.plus({ days: v.day }).set({ hour: v.hour })),
    }));
    // Bookings arrive in any order.
    const order = visits
      .map((_, index) => index)
      .sort((a, b) => ((a * 7919 + r.seed) % 13) - ((b * 7919 + r.seed) % 13));
    return {
      zone: r.zone,
      cap: { enabled: true, perDay: r.perDay, perWeek: r.perDay + r.extraPerWeek },
      offsets: r.offsets,
      visits,
      order,
      now: base.minus({ days: 10 }).toUTC(),
    };
  });

afterAll(() => {
  console.log(
    `frequency-cap property: ${hits.runs} patients, ${hits.visits} visits, ${hits.uncovered} left without a reminder, ` +
      `${hits.capped} reminders capped, ${hits.givenWay} of them given way after planning to a later-booked visit, ` +
      `${hits.reinstated} given room back by a later plan, ` +
      `${hits.coveredAll} patients with every visit covered`,
  );
});

describe('frequency cap over recurring visits', () => {
  it(`keeps the cap, and leaves no visit without a reminder that could have had one while another has two (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(cases, ({ zone, cap, offsets, visits, order, now }) => {
        const outbox = bookInTurn(visits, order, cap, offsets, zone, now);
        const reminders = outbox.filter((m) => m.kind === 'reminder');
        const kept = reminders.filter((m) => m.status === 'pending');
        hits.runs += 1;
        hits.visits += visits.length;
        hits.capped += reminders.filter((m) => m.status === 'skipped' && m.reason === 'frequency-cap').length;

        // The cap holds over everything that will go out.
        expect(
          withinCap(
            kept.map((m) => parseUtc(m.dueAt)),
            cap,
            zone,
          ),
        ).toBe(true);

        const keptBy = (id: string) => kept.filter((m) => m.appointmentId === id);
        const uncovered = visits.filter((v) => keptBy(v.id).length === 0);
        hits.uncovered += uncovered.length;
        if (uncovered.length === 0) hits.coveredAll += 1;
        const doubled = visits.filter((v) => keptBy(v.id).length >= 2);
        for (const bare of uncovered) {
          // Only reminders the cap alone stopped could have gone out.
          const wanted = reminders.filter((m) => m.appointmentId === bare.id && m.reason === 'frequency-cap');
          for (const rich of doubled) {
            for (const given of keptBy(rich.id)) {
              for (const candidate of wanted) {
                const swapped = [...kept.filter((m) => m !== given), candidate].map((m) => parseUtc(m.dueAt));
                expect(
                  withinCap(swapped, cap, zone),
                  `${bare.id} has none while ${rich.id} has ${keptBy(rich.id).length}: ${candidate.messageId} fits in place of ${given.messageId}`,
                ).toBe(false);
              }
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  }, 30_000);
});

describe('frequency cap: visits on consecutive days', () => {
  it('gives each of five daily 10:00 visits in turn its nearest reminder before any visit gets a second', () => {
    // One patient, visits Monday to Friday at 10:00 New York, booked on the Tuesday before.
    const zone = 'America/New_York';
    const visits = [7, 8, 9, 10, 11].map((day, index) => ({
      id: `a-${index + 1}`,
      startAt: toUtcIso(DateTime.fromISO(`2026-12-${String(day).padStart(2, '0')}T10:00`, { zone })),
    }));
    const outbox = bookInTurn(
      visits,
      [0, 1, 2, 3, 4],
      DEFAULT_POLICY.frequencyCap,
      ['3d', '1d', '2h'],
      zone,
      parseUtc('2026-12-01T15:00:00.000Z'),
    );

    const kept = outbox
      .filter((m) => m.kind === 'reminder' && m.status === 'pending')
      .map((m) => m.messageId);
    // 3 a week allows three reminders across these days: one each for the first three visits, the 2 h one.
    expect(kept.sort()).toEqual(['a-1#reminder#2h#v1', 'a-2#reminder#2h#v1', 'a-3#reminder#2h#v1']);
    const givenWay = outbox.filter((m) => m.reason === 'frequency-cap').map((m) => m.messageId);
    expect(givenWay).toContain('a-1#reminder#3d#v1');
    expect(givenWay).toContain('a-1#reminder#1d#v1');
  });

  it('covers every visit of a Monday-Wednesday-Friday dialysis schedule for two weeks', () => {
    const zone = 'Europe/London';
    const days = ['2027-03-01', '2027-03-03', '2027-03-05', '2027-03-08', '2027-03-10', '2027-03-12'];
    const visits = days.map((day, index) => ({
      id: `d-${index + 1}`,
      startAt: toUtcIso(DateTime.fromISO(`${day}T09:30`, { zone })),
    }));
    const outbox = bookInTurn(
      visits,
      [5, 0, 3, 1, 4, 2],
      DEFAULT_POLICY.frequencyCap,
      ['3d', '1d', '2h'],
      zone,
      parseUtc('2027-02-20T12:00:00.000Z'),
    );

    for (const visit of visits) {
      const kept = outbox.filter(
        (m) => m.appointmentId === visit.id && m.kind === 'reminder' && m.status === 'pending',
      );
      expect(kept.length, visit.id).toBe(1);
    }
  });

  it('gives a visit capped at booking the room a later booking frees (fast-check seed -853723746)', () => {
    // Six visits in March 2027, New York, 1 a day and 2 a week, booked out of order. When a-1 was
    // booked, a-5's 2 h reminder closed the week its 7-day one needed; booking a-2 later took that
    // reminder's place, and a-1 stayed without any reminder while a-3 kept two.
    const visits = [
      { id: 'a-1', startAt: '2027-03-15T11:00:00.000Z' },
      { id: 'a-2', startAt: '2027-03-01T12:00:00.000Z' },
      { id: 'a-3', startAt: '2027-03-09T13:00:00.000Z' },
      { id: 'a-4', startAt: '2027-03-10T12:00:00.000Z' },
      { id: 'a-5', startAt: '2027-03-02T13:00:00.000Z' },
      { id: 'a-6', startAt: '2027-03-17T11:00:00.000Z' },
    ];
    const cap = { enabled: true, perDay: 1, perWeek: 2 };
    const zone = 'America/New_York';
    const outbox = bookInTurn(
      visits,
      [2, 3, 4, 5, 0, 1],
      cap,
      ['7d', '1d', '2h'],
      zone,
      parseUtc('2027-02-19T05:00:00.000Z'),
    );
    const kept = outbox.filter((m) => m.kind === 'reminder' && m.status === 'pending');
    for (const visit of visits)
      expect(
        kept.some((m) => m.appointmentId === visit.id),
        visit.id,
      ).toBe(true);
    // a-1 gets its 7-day reminder back (moved out of quiet hours to the evening before); a-3 keeps one.
    expect(kept.find((m) => m.appointmentId === 'a-1')?.messageId).toBe('a-1#reminder#7d#v1');
    expect(kept.filter((m) => m.appointmentId === 'a-3')).toHaveLength(1);
    expect(
      withinCap(
        kept.map((m) => parseUtc(m.dueAt)),
        cap,
        zone,
      ),
    ).toBe(true);
  });

  it('takes only far-ahead reminders of a visit that keeps more than the new one, never its last', () => {
    const zone = 'America/New_York';
    const at = (text: string) => toUtcIso(DateTime.fromISO(text, { zone }));
    // a-1 on Wednesday keeps one reminder (its 2 h); a-2 on Thursday must not take it.
    const outbox = bookInTurn(
      [
        { id: 'a-1', startAt: at('2026-12-09T10:00') },
        { id: 'a-2', startAt: at('2026-12-09T16:00') },
      ],
      [0, 1],
      { enabled: true, perDay: 1, perWeek: 3 },
      ['2h'],
      zone,
      parseUtc('2026-12-01T15:00:00.000Z'),
    );
    expect(outbox.find((m) => m.messageId === 'a-1#reminder#2h#v1')?.status).toBe('pending');
    expect(outbox.find((m) => m.messageId === 'a-2#reminder#2h#v1')).toMatchObject({
      status: 'skipped',
      reason: 'frequency-cap',
    });
  });
});
