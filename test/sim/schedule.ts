/**
 * What one seed runs: a few clinics (zones with and without DST), patients
 * (SMS or email first, two languages), visits, and a list of steps, each an
 * action with the faults armed while it runs. Everything is drawn from the
 * seed's generator; the shrinker drops steps and runs what is left.
 */
import { DateTime } from 'luxon';
import { Prng } from './prng';

export interface SimClinic {
  clinicId: string;
  timeZone: string;
  /** The clinic's two-way number (handle-inbound's INBOUND_NUMBERS). */
  number: string;
  quietHours: { start: string; end: string };
  /** Reminders before each visit (the clinic's policy). */
  reminderOffsets: string[];
}

export interface SimPatient {
  clinicId: string;
  patientId: string;
  phone: string;
  email: string;
  channels: ('sms' | 'email')[];
  language: 'en' | 'es';
  timeZone?: string;
}

export interface SimVisit {
  clinicId: string;
  appointmentId: string;
  patientId: string;
  /** Minutes after the run's start at which the visit starts when booked. */
  startsAfterMinutes: number;
  durationMinutes: number;
}

/** A reschedule, cancel or opt change that lands while a send is at the provider. */
export type InFlight =
  | { kind: 'move'; visit: number; minutes: number }
  | { kind: 'cancel'; visit: number }
  | { kind: 'text'; patient: number; body: 'STOP' | 'START' };

export type CrashTarget = 'messages' | 'appointments' | 'queue' | 'sms' | 'email';
export type ProviderFault = 'throttle' | '5xx' | 'timeout-lost' | 'timeout-delivered' | 'carrier-opt-out';

/** Faults armed while a step runs (decided per call by hashChance, not by call order). */
export interface Faults {
  crash?: { target: CrashTarget; when: 'before' | 'after'; rate: number };
  provider?: { kind: ProviderFault; rate: number };
  /** SQS delivers a send this often twice (at least once delivery). */
  duplicateSqs?: number;
  inFlight?: InFlight;
}

export type Action =
  | { kind: 'book'; visit: number }
  | { kind: 'move'; visit: number; minutes: number; stale: boolean }
  | { kind: 'cancel'; visit: number }
  | { kind: 'complete'; visit: number }
  | {
      kind: 'patient';
      patient: number;
      change: 'sms-first' | 'email-first' | 'staff-opt-out' | 'staff-opt-in';
    }
  /** Time passes with the minute schedule running. */
  | { kind: 'advance'; minutes: number }
  /** The sweep schedule stalls: the clock jumps and nothing runs meanwhile. */
  | { kind: 'pause'; minutes: number }
  /** Several dispatchers sweep at the same instant. */
  | { kind: 'race'; dispatchers: number }
  /** The whole appointments stream is delivered to plan-messages again. */
  | { kind: 'replay' }
  /** A patient texts; `duplicate`: SNS delivers it twice. */
  | { kind: 'text'; patient: number; body: string; duplicate: boolean }
  /**
   * A delivery receipt for the `pick`-th message a provider took so far
   * (SMS: TEXT_DELIVERED or TEXT_CARRIER_UNREACHABLE; email: Delivery or a
   * permanent Bounce); `duplicate`: the receipts queue delivers it twice.
   */
  | { kind: 'receipt'; pick: number; delivered: boolean; duplicate: boolean };

export interface Step {
  /** Stable across shrinking: fault decisions hash it, not the step's position. */
  id: number;
  action: Action;
  faults: Faults;
}

export interface Schedule {
  seed: number;
  /** The simulated clock's start (UTC ISO). */
  start: string;
  clinics: SimClinic[];
  patients: SimPatient[];
  visits: SimVisit[];
  steps: Step[];
}

/** How big a seed's world is; the test and the 10,000-seed run use the same size. */
export interface ScheduleSize {
  steps: number;
  visits: number;
}

/** The long runs' size (`npm run simulate`). */
export const DEFAULT_SIZE: ScheduleSize = { steps: 6, visits: 2 };

/**
 * npm test's size: 50 seeds of 6 steps and 2 visits took 77 s in the gate,
 * over the 30 s the suite can spare; the cost is mostly the sweeps of each
 * planned message (docs/benchmarks.md, "Deterministic simulation").
 */
export const TEST_SIZE: ScheduleSize = { steps: 4, visits: 1 };

/** Zones with DST in either hemisphere, without DST, and off the whole hour. */
const ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Sydney',
  'Asia/Tokyo',
  'America/Phoenix',
  'Asia/Kolkata',
];

/** Days around DST changes (and plain days): the clock starts a day or two before one of them. */
const ANCHORS = [
  '2026-12-01T15:00:00Z',
  '2027-01-29T12:00:00Z', // the revoke-all rule starts on 2027-01-31
  '2027-03-12T10:00:00Z', // US spring forward, 14 March
  '2027-03-26T10:00:00Z', // EU spring forward, 28 March
  '2027-04-02T10:00:00Z', // Sydney falls back, 4 April
  '2027-06-15T10:00:00Z',
  '2027-10-01T10:00:00Z', // Sydney springs forward, 3 October
  '2027-10-29T10:00:00Z', // EU falls back, 31 October
  '2027-11-05T10:00:00Z', // US falls back, 7 November
];

const QUIET = [
  { start: '21:00', end: '08:00' },
  { start: '20:00', end: '09:00' },
  { start: '22:30', end: '07:15' },
];

const OFFSETS = [['2h'], ['1d', '2h'], ['3d', '1d', '2h'], ['1d']];

const TEXTS = ['C', 'STOP', 'START', 'HELP', 'R', 'Thanks, see you then', 'stop texting me', 'YES', '9', '3'];

/**
 * The schedule of one seed.
 *
 * @param seed - any 32-bit integer
 * @param size - steps and visits per seed
 */
export function generateSchedule(seed: number, size: ScheduleSize = DEFAULT_SIZE): Schedule {
  const random = new Prng(seed);
  const start = DateTime.fromISO(random.pick(ANCHORS), { zone: 'utc' })
    .plus({ minutes: random.int(0, 48 * 60) })
    .startOf('minute');
  const clinicCount = random.int(1, 2);
  const clinics: SimClinic[] = Array.from({ length: clinicCount }, (_, i) => ({
    clinicId: `sim-c${i}`,
    timeZone: random.pick(ZONES),
    number: `+1202555010${i}`,
    quietHours: random.pick(QUIET),
    reminderOffsets: random.pick(OFFSETS).slice(),
  }));
  const patientCount = random.int(2, 3);
  const patients: SimPatient[] = Array.from({ length: patientCount }, (_, i) => {
    const clinic = random.pick(clinics);
    const patient: SimPatient = {
      clinicId: clinic.clinicId,
      patientId: `sim-p${i}`,
      phone: `+1415555267${i}`,
      email: `patient${i}@example.com`,
      channels: random.pick([['sms', 'email'], ['sms'], ['email', 'sms'], ['email']] as const).slice(),
      language: random.pick(['en', 'es'] as const),
    };
    if (random.chance(0.3)) patient.timeZone = random.pick(ZONES);
    return patient;
  });
  const visits: SimVisit[] = Array.from({ length: size.visits }, (_, i) => {
    const patient = random.pick(patients);
    return {
      clinicId: patient.clinicId,
      appointmentId: `sim-a${i}`,
      patientId: patient.patientId,
      startsAfterMinutes: random.int(2 * 60, 60 * 60),
      durationMinutes: random.pick([15, 30, 45, 60]),
    };
  });

  const steps: Step[] = [];
  const booked = new Set<number>();
  for (let id = 0; id < size.steps; id++) {
    const unbooked = visits.map((_, i) => i).filter((i) => !booked.has(i));
    let action: Action;
    // Book early, so most visits are in the future when they are booked.
    if (unbooked.length > 0 && (id < 2 || random.chance(0.4))) {
      const visit = random.pick(unbooked);
      booked.add(visit);
      action = { kind: 'book', visit };
    } else {
      action = randomAction(random, visits.length, patients.length);
    }
    steps.push({ id, action, faults: randomFaults(random, visits.length, patients.length) });
  }
  return { seed, start: start.toISO() ?? '', clinics, patients, visits, steps };
}

function randomAction(random: Prng, visits: number, patients: number): Action {
  const roll = random.next();
  const visit = random.int(0, visits - 1);
  const patient = random.int(0, patients - 1);
  if (roll < 0.3) return { kind: 'advance', minutes: random.pick([20, 45, 90, 180, 360, 720]) };
  if (roll < 0.42)
    return {
      kind: 'move',
      visit,
      minutes: random.pick([-120, -30, 60, 180, 1440, 2880]),
      stale: random.chance(0.2),
    };
  if (roll < 0.48) return { kind: 'cancel', visit };
  if (roll < 0.5) return { kind: 'complete', visit };
  if (roll < 0.6) return { kind: 'text', patient, body: random.pick(TEXTS), duplicate: random.chance(0.3) };
  if (roll < 0.66)
    return {
      kind: 'receipt',
      pick: random.int(0, 9),
      delivered: random.chance(0.6),
      duplicate: random.chance(0.3),
    };
  if (roll < 0.7)
    return {
      kind: 'patient',
      patient,
      change: random.pick(['sms-first', 'email-first', 'staff-opt-out', 'staff-opt-in'] as const),
    };
  if (roll < 0.78) return { kind: 'pause', minutes: 30 };
  if (roll < 0.9) return { kind: 'race', dispatchers: random.int(2, 3) };
  return { kind: 'replay' };
}

function randomFaults(random: Prng, visits: number, patients: number): Faults {
  const faults: Faults = {};
  if (random.chance(0.35)) {
    faults.crash = {
      target: random.pick(['messages', 'messages', 'appointments', 'queue', 'sms', 'email'] as const),
      when: random.pick(['before', 'after'] as const),
      rate: random.pick([0.05, 0.15, 0.3]),
    };
  }
  if (random.chance(0.35)) {
    faults.provider = {
      kind: random.pick(['throttle', '5xx', 'timeout-lost', 'timeout-delivered', 'carrier-opt-out'] as const),
      rate: random.pick([0.2, 0.5]),
    };
  }
  if (random.chance(0.25)) faults.duplicateSqs = random.pick([0.3, 1]);
  if (random.chance(0.15)) {
    const roll = random.next();
    faults.inFlight =
      roll < 0.35
        ? { kind: 'move', visit: random.int(0, visits - 1), minutes: random.pick([60, 1440]) }
        : roll < 0.6
          ? { kind: 'cancel', visit: random.int(0, visits - 1) }
          : {
              kind: 'text',
              patient: random.int(0, patients - 1),
              body: random.pick(['STOP', 'START'] as const),
            };
  }
  return faults;
}
