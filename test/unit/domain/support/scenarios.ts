/**
 * Random planning scenarios for the property tests: visits near every clock
 * change of 2026–2030 in the zones that make time hard (half-hour and
 * 45-minute offsets, half-hour DST, no DST, southern hemisphere), with random
 * quiet hours, offsets, caps, channels and statuses.
 *
 * Also the independent oracles the properties compare against: they read the
 * rules off the wall clock directly instead of reusing the planner's code.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  type Appointment,
  type Channel,
  type Clinic,
  DEFAULT_POLICY,
  MESSAGE_STATUSES,
  type MessagingPolicy,
  type Patient,
} from '../../../../shared/domain/model';
import type { OtherMessage, PlanInput } from '../../../../shared/domain/planning';
import { formatOffset, parseOffset, toUtcIso } from '../../../../shared/domain/time';
import { makeAppointment, makeClinic, makePatient } from '../../../support/factories';
import { type Transition, transitionsOf } from './dst';

export const ZONES = [
  'America/New_York',
  'America/Phoenix',
  'America/St_Johns',
  'Europe/London',
  'Asia/Kolkata',
  'Australia/Melbourne',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
] as const;

const FROM = '2026-01-01T00:00:00Z';
const TO = '2031-01-01T00:00:00Z';

/** Every clock change of the zones above from 2026 through 2030. */
export const TRANSITIONS: readonly Transition[] = ZONES.flatMap((zone) => transitionsOf(zone, FROM, TO));

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

const pad = (value: number) => String(value).padStart(2, '0');
/** Every quarter hour of the day as `HH:mm`: quiet hours that start or end inside a gap or overlap included. */
const QUARTER_HOURS = Array.from({ length: 96 }, (_, i) => `${pad(Math.floor(i / 4))}:${pad((i % 4) * 15)}`);

const OFFSETS = ['7d', '3d', '2d', '1d', '12h', '3h', '2h', '90m', '45m'];

const BASE_CLINIC = makeClinic();
const BASE_PATIENT = makePatient();
const BASE_APPOINTMENT = makeAppointment();

export interface Scenario extends PlanInput {
  /** The zone the patient's local times are read in. */
  zone: string;
}

export interface Anchor {
  zone: string;
  /** An instant to build the visit around: a clock change of the zone, or any instant when it has none. */
  at: number;
  /** The local wall time of that change (`HH:mm`), for aiming visits and quiet hours at it; empty when none. */
  wall: string;
}

export const anchors: fc.Arbitrary<Anchor> = fc.constantFrom(...ZONES).chain((zone) => {
  const own = TRANSITIONS.filter((transition) => transition.zone === zone);
  if (own.length === 0) {
    const anywhere = fc.noBias(fc.integer({ min: Date.parse(FROM), max: Date.parse(TO) }));
    return anywhere.map((at) => ({ zone, at, wall: '' }));
  }
  return fc.constantFrom(...own).map((transition) => ({
    zone,
    at: transition.at.toMillis(),
    // The wall clock as it would read at the change under the old offset
    // (02:00 in New York both ways): where the gap begins or the overlap ends.
    wall: transition.at.plus({ minutes: transition.before }).toFormat('HH:mm'),
  }));
});

/** Quiet hours anywhere on the quarter-hour grid, or with a boundary next to the clock change. */
export function quietHoursNear(anchor: Anchor): fc.Arbitrary<MessagingPolicy['quietHours']> {
  const index = QUARTER_HOURS.indexOf(anchor.wall);
  const near = fc
    .integer({ min: -4, max: 4 })
    .map((step) => QUARTER_HOURS[(((index + step) % 96) + 96) % 96] ?? anchor.wall);
  const anywhere = fc.constantFrom(...QUARTER_HOURS);
  const time = index >= 0 ? fc.oneof(anywhere, near) : anywhere;
  return fc
    .record({
      enabled: fc.oneof(
        { weight: 9, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      start: time,
      end: time,
    })
    .filter((quiet) => quiet.start !== quiet.end);
}

/**
 * Visit start: spread over ±4 days around the change, or at the change's own
 * wall time a few days later, with the day offset that lands a reminder on
 * the skipped or repeated hour.
 */
function visitStart(anchor: Anchor): fc.Arbitrary<{ start: DateTime; dayOffset?: string }> {
  const spread = fc.noBias(fc.integer({ min: -4 * 96, max: 4 * 96 })).map((quarter) => ({
    start: DateTime.fromMillis(anchor.at + quarter * 15 * MINUTE_MS, { zone: 'utc' }),
  }));
  if (anchor.wall === '') return spread;
  const [hour = 0, minute = 0] = anchor.wall.split(':').map(Number);
  const aligned = fc
    .record({ days: fc.constantFrom(1, 2, 3, 7), quarter: fc.integer({ min: -4, max: 4 }) })
    .map(({ days, quarter }) => {
      const sameWallTime = DateTime.fromMillis(anchor.at, { zone: anchor.zone })
        .plus({ days })
        .set({ hour, minute });
      return { start: sameWallTime.plus({ minutes: quarter * 15 }).toUTC(), dayOffset: `${days}d` };
    });
  return fc.oneof(spread, aligned);
}

const channels: fc.Arbitrary<{ channels: Channel[]; optOut: Channel[] }> = fc.record({
  channels: fc.constantFrom<Channel[]>(['sms'], ['email'], ['sms', 'email'], ['email', 'sms']),
  optOut: fc.oneof(
    { weight: 5, arbitrary: fc.constant<Channel[]>([]) },
    { weight: 1, arbitrary: fc.subarray<Channel>(['sms', 'email'], { minLength: 1 }) },
  ),
});

const status = fc.constantFrom<Appointment['status']>(
  'booked',
  'booked',
  'booked',
  'cancelled',
  'completed',
  'no-show',
);

/**
 * Picks one of the weighted arbitraries with an unbiased die, each drawing
 * without fast-check's pull toward small values (which would make nearly every
 * booking a last-minute one).
 */
function mixture<T>(parts: readonly [weight: number, arbitrary: fc.Arbitrary<T>][]): fc.Arbitrary<T> {
  const total = parts.reduce((sum, [weight]) => sum + weight, 0);
  return fc.noBias(fc.integer({ min: 0, max: total - 1 })).chain((roll) => {
    let left = roll;
    for (const [weight, arbitrary] of parts) {
      if (left < weight) return fc.noBias(arbitrary);
      left -= weight;
    }
    throw new Error('unreachable: roll exceeds the total weight');
  });
}

/** Random planning scenarios around clock changes. */
export const scenarios: fc.Arbitrary<Scenario> = anchors
  .chain((anchor) =>
    fc.record({
      anchor: fc.constant(anchor),
      start: visitStart(anchor),
      quiet: quietHoursNear(anchor),
      patientHasZone: fc.boolean(),
      otherZone: fc.constantFrom(...ZONES),
      durationMinutes: fc.constantFrom(15, 30, 45, 60, 90),
      /** Booking lead before the visit, in minutes: up to 10 days, now and then after the start. */
      leadMinutes: mixture([
        [6, fc.integer({ min: 0, max: 10 * DAY_MINUTES })],
        [2, fc.integer({ min: 0, max: 240 })],
        [1, fc.integer({ min: -120, max: 0 })],
      ]),
      /** When the latest change came, as a share of the time between booking and visit. */
      changeShare: mixture([
        [3, fc.double({ min: 0, max: 0.2, noNaN: true })],
        [2, fc.double({ min: 0, max: 1, noNaN: true })],
        [1, fc.double({ min: 1, max: 3, noNaN: true })],
      ]),
      /** Planning delay after the change, in minutes: usually at once, sometimes days. */
      delayMinutes: mixture([
        [4, fc.integer({ min: 0, max: 2 })],
        [1, fc.integer({ min: 0, max: 4 * DAY_MINUTES })],
      ]),
      status,
      cancelledBy: fc.constantFrom<Appointment['cancelledBy']>('clinic', 'patient', undefined),
      scheduleVersion: fc.integer({ min: 1, max: 3 }),
      extraVersions: fc.integer({ min: 0, max: 2 }),
      offsets: fc.subarray(OFFSETS, { maxLength: 5 }),
      confirmation: fc.record({ enabled: fc.boolean(), minLeadMinutes: fc.constantFrom(0, 60, 1440) }),
      survey: fc.record({ enabled: fc.boolean(), delay: fc.constantFrom('30m', '2h', '1d') }),
      cap: fc
        .record({
          enabled: fc.boolean(),
          perDay: fc.integer({ min: 1, max: 3 }),
          perWeek: fc.integer({ min: 1, max: 6 }),
        })
        .map((cap) => ({ ...cap, perWeek: Math.max(cap.perWeek, cap.perDay) })),
      channels,
      language: fc.constantFrom('en', 'es', 'es-MX', 'fr'),
      others: fc.array(
        fc.record({
          dueOffsetMinutes: fc.noBias(fc.integer({ min: -6 * DAY_MINUTES, max: 2 * DAY_MINUTES })),
          status: fc.constantFrom(...MESSAGE_STATUSES),
          kind: fc.constantFrom<OtherMessage['kind']>('reminder', 'reminder', 'confirmation', 'survey'),
        }),
        { maxLength: 6 },
      ),
    }),
  )
  .map((r): Scenario => {
    const zone = r.anchor.zone;
    const start = r.start.start.startOf('minute');
    const offsets = r.start.dayOffset ? [...new Set([...r.offsets, r.start.dayOffset])] : r.offsets;
    const createdAt = start.minus({ minutes: r.leadMinutes });
    const version = r.scheduleVersion + r.extraVersions;
    const changeMinutes = Math.round(Math.max(0, r.leadMinutes) * r.changeShare);
    const updatedAt = version > 1 ? createdAt.plus({ minutes: changeMinutes }) : createdAt;
    const now = updatedAt.plus({ minutes: r.delayMinutes });
    const clinic: Clinic = {
      ...BASE_CLINIC,
      timeZone: r.patientHasZone ? r.otherZone : zone,
      policy: {
        ...BASE_CLINIC.policy,
        reminderOffsets: { default: offsets, byType: {} },
        quietHours: r.quiet,
        frequencyCap: r.cap,
        confirmation: r.confirmation,
        survey: { ...DEFAULT_POLICY.survey, ...r.survey },
      },
    };
    const optOuts: Patient['optOuts'] = {};
    for (const channel of r.channels.optOut) optOuts[channel] = { at: toUtcIso(createdAt), source: 'staff' };
    const patient: Patient = {
      ...BASE_PATIENT,
      timeZone: r.patientHasZone ? zone : undefined,
      channels: r.channels.channels,
      optOuts,
      language: r.language,
    };
    const appointment: Appointment = {
      ...BASE_APPOINTMENT,
      startAt: toUtcIso(start),
      durationMinutes: r.durationMinutes,
      status: r.status,
      cancelledBy: r.status === 'cancelled' ? r.cancelledBy : undefined,
      version,
      scheduleVersion: r.scheduleVersion,
      createdAt: toUtcIso(createdAt),
      updatedAt: toUtcIso(updatedAt),
    };
    const otherMessages: OtherMessage[] = r.others.map((other, index) => ({
      messageId: `a-other-${index}#${other.kind}#-#v1`,
      appointmentId: `a-other-${index}`,
      kind: other.kind,
      dueAt: toUtcIso(start.plus({ minutes: other.dueOffsetMinutes })),
      // Another visit, a day after this one reminds of it.
      notAfter: toUtcIso(start.plus({ minutes: other.dueOffsetMinutes + 24 * 60 })),
      status: other.status,
      priority: 'high',
    }));
    return { appointment, patient, clinic, now, otherMessages, zone };
  });

/**
 * Whether the wall clock in `zone` reads inside `[start, end)` at an instant:
 * the rule as a person states it, with no instants or windows involved.
 */
export function quietByWallClock(at: DateTime, quiet: MessagingPolicy['quietHours'], zone: string): boolean {
  if (!quiet.enabled) return false;
  const time = at.setZone(zone).toFormat('HH:mm');
  return quiet.start < quiet.end
    ? quiet.start <= time && time < quiet.end
    : time >= quiet.start || time < quiet.end;
}

/** `kind#offset` of every message the rules call for, read straight off the rule table. */
export function expectedKeys(scenario: Scenario): string[] {
  const { appointment, clinic } = scenario;
  const { policy } = clinic;
  const keys: string[] = [];
  if (appointment.status === 'booked') {
    if (policy.confirmation.enabled && appointment.scheduleVersion === 1) keys.push('confirmation#-');
    if (appointment.scheduleVersion > 1) keys.push('reschedule#-');
    const offsets = new Set(
      policy.reminderOffsets.default.map((text) => {
        const offset = parseOffset(text);
        if (!offset) throw new Error(`bad offset ${text}`);
        return formatOffset(offset);
      }),
    );
    for (const offset of offsets) keys.push(`reminder#${offset}`);
  }
  if (appointment.status === 'cancelled' && appointment.cancelledBy !== 'patient')
    keys.push('cancellation#-');
  if (appointment.status === 'completed' && policy.survey.enabled) keys.push(`survey#${policy.survey.delay}`);
  return keys.sort();
}
