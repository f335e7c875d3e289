/**
 * Tiny factories for valid records; override what a test is about.
 * Defaults: clinic `demo-clinic` in America/New_York, one SMS-first patient,
 * a booked 30-minute appointment a week after the fixed test "now".
 */
import { type Broadcast, BroadcastSchema } from '../../shared/domain/broadcasts';
import { type CareReminder, CareReminderSchema } from '../../shared/domain/care/reminder';
import {
  type Appointment,
  AppointmentSchema,
  type Clinic,
  ClinicSchema,
  DEFAULT_POLICY,
  type InboundMessage,
  InboundMessageSchema,
  type Message,
  MessageSchema,
  type MessagingPolicy,
  type Patient,
  PatientSchema,
} from '../../shared/domain/model';

/** The instant most tests treat as "now". */
export const TEST_NOW = '2026-12-01T15:00:00.000Z';
const CREATED = '2026-11-30T15:00:00.000Z';

export function makeClinic(
  overrides: Partial<Omit<Clinic, 'policy'>> & { policy?: Partial<MessagingPolicy> } = {},
): Clinic {
  const { policy, ...rest } = overrides;
  return ClinicSchema.parse({
    clinicId: 'demo-clinic',
    name: 'Riverside Family Clinic',
    smsName: 'Riverside Clinic',
    timeZone: 'America/New_York',
    country: 'US',
    contactPhone: '+12025550143',
    policy: { ...DEFAULT_POLICY, ...policy },
    version: 1,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...rest,
  });
}

export function makePatient(overrides: Partial<Patient> = {}): Patient {
  return PatientSchema.parse({
    clinicId: 'demo-clinic',
    patientId: 'p-1',
    firstName: 'Ana',
    lastName: 'Rivera',
    phone: '+14155552671',
    email: 'ana.rivera@example.com',
    channels: ['sms', 'email'],
    language: 'en',
    optOuts: {},
    consent: {},
    version: 1,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  });
}

export function makeAppointment(overrides: Partial<Appointment> = {}): Appointment {
  return AppointmentSchema.parse({
    clinicId: 'demo-clinic',
    appointmentId: 'a-1',
    patientId: 'p-1',
    startAt: '2026-12-08T15:00:00.000Z',
    durationMinutes: 30,
    type: 'default',
    location: '12 River Road, Suite 3',
    status: 'booked',
    version: 1,
    scheduleVersion: 1,
    createdAt: TEST_NOW,
    updatedAt: TEST_NOW,
    ...overrides,
  });
}

export function makeMessage(overrides: Partial<Message> = {}): Message {
  return MessageSchema.parse({
    clinicId: 'demo-clinic',
    patientId: 'p-1',
    appointmentId: 'a-1',
    messageId: 'a-1#reminder#1d#v1',
    kind: 'reminder',
    offset: '1d',
    priority: 'high',
    channel: 'sms',
    language: 'en',
    dueAt: '2026-12-07T15:00:00.000Z',
    plannedAt: '2026-12-07T15:00:00.000Z',
    notAfter: '2026-12-08T15:00:00.000Z',
    status: 'pending',
    attempts: 0,
    planVersion: 1,
    rev: 1,
    createdAt: TEST_NOW,
    updatedAt: TEST_NOW,
    ...overrides,
  });
}

/** A confirm from the default patient's number to the demo clinic's number, matched to the 1-day reminder. */
export function makeInbound(overrides: Partial<InboundMessage> = {}): InboundMessage {
  return InboundMessageSchema.parse({
    clinicId: 'demo-clinic',
    inboundMessageId: 'in-1',
    from: '+14155552671',
    to: '+12025550100',
    body: 'C',
    receivedAt: TEST_NOW,
    recordedAt: TEST_NOW,
    intent: { kind: 'confirm', rule: 'keyword:c' },
    patientId: 'p-1',
    appointmentId: 'a-1',
    answeredMessageId: 'a-1#reminder#1d#v1',
    matchedBy: 'latest-in-window',
    outcome: 'confirmed',
    version: 1,
    ...overrides,
  });
}

/** A scheduled broadcast to the default patient, a day after the test "now". */
/** A monthly refill reminder of p-1, due 15 March 2027, due for planning now. */
export function makeCareReminder(overrides: Partial<CareReminder> = {}): CareReminder {
  return CareReminderSchema.parse({
    clinicId: 'demo-clinic',
    patientId: 'p-1',
    reminderId: 'rx-1',
    kind: 'refill',
    dueOn: '2027-03-15',
    status: 'active',
    anchorDay: 15,
    occurrence: 1,
    planAt: TEST_NOW,
    updatedBy: 'staff-user-1',
    version: 1,
    createdAt: TEST_NOW,
    updatedAt: TEST_NOW,
    ...overrides,
  });
}

export function makeBroadcast(overrides: Partial<Broadcast> = {}): Broadcast {
  return BroadcastSchema.parse({
    clinicId: 'demo-clinic',
    broadcastId: 'b-1',
    text: { en: 'Hi {{firstName}}, flu shots are in at {{clinicName}}. Call {{clinicPhone}}.' },
    audience: { patientIds: ['p-1'] },
    sendAt: '2026-12-02T15:00:00.000Z',
    priority: 'medium',
    status: 'scheduled',
    createdBy: 'staff-user-1',
    fanOut: { pages: 0 },
    planned: 0,
    sent: 0,
    failed: 0,
    skipped: {},
    version: 1,
    createdAt: TEST_NOW,
    updatedAt: TEST_NOW,
    ...overrides,
  });
}
