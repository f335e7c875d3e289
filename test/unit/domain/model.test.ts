import { describe, expect, it } from 'vitest';
import type { ZodError } from 'zod';
import {
  AppointmentSchema,
  ClinicSchema,
  DEFAULT_POLICY,
  EXEMPT_KINDS,
  MESSAGE_KINDS,
  MessagingPolicySchema,
  originationIdentityKind,
  PatientInputSchema,
  PatientSchema,
  segmentBudgetFor,
} from '../../../shared/domain/model';
import { makeAppointment, makeClinic, makePatient } from '../../support/factories';

/** Field paths zod complains about. */
function problems(result: { success: boolean; error?: ZodError }): string[] {
  return result.success
    ? []
    : (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('schemas', () => {
  it('gives a clinic that sets nothing the documented default policy', () => {
    expect(DEFAULT_POLICY).toMatchObject({
      reminderOffsets: { default: ['3d', '1d', '2h'], byType: {} },
      quietHours: { enabled: true, start: '21:00', end: '08:00' },
      frequencyCap: { enabled: true, perDay: 1, perWeek: 3 },
      segmentBudget: { exempt: 1, other: 3 },
      languages: ['en', 'es'],
      defaultLanguage: 'en',
      confirmation: { enabled: true, minLeadMinutes: 60 },
      survey: { enabled: true, delay: '2h' },
    });
  });

  it('stores offsets canonically and refuses a repeat, even one written differently', () => {
    expect(
      MessagingPolicySchema.parse({ reminderOffsets: { default: ['72h', '120m'] } }).reminderOffsets.default,
    ).toEqual(['3d', '2h']);
    expect(
      problems(MessagingPolicySchema.safeParse({ reminderOffsets: { default: ['24h', '1d'] } })),
    ).toEqual(['reminderOffsets.default: must not repeat an offset']);
    expect(
      problems(
        MessagingPolicySchema.safeParse({
          reminderOffsets: { default: ['1d'], byType: { consult: ['2h', '120m'] } },
        }),
      ),
    ).toEqual(['reminderOffsets.byType.consult: must not repeat an offset']);
  });

  it('checks the policy as a whole: default language offered, week cap at least the day cap, quiet hours not empty', () => {
    expect(
      problems(
        MessagingPolicySchema.safeParse({
          languages: ['es'],
          defaultLanguage: 'en',
          frequencyCap: { perDay: 3, perWeek: 2 },
          quietHours: { start: '22:00', end: '22:00' },
        }),
      ),
    ).toEqual([
      'defaultLanguage: must be one of languages',
      'frequencyCap.perWeek: must be at least perDay',
      'quietHours.end: must differ from start',
    ]);
  });

  it('requires an address for every channel a patient lists', () => {
    const input = { firstName: 'Ana', channels: ['sms', 'email'] };
    expect(problems(PatientInputSchema.safeParse(input))).toEqual([
      'phone: is required because channels.0 is sms',
      'email: is required because channels.1 is email',
    ]);
  });

  it('accepts only valid E.164 phone numbers', () => {
    expect(problems(PatientSchema.safeParse({ ...makePatient(), phone: '4155552671' }))).toEqual([
      'phone: must be an E.164 number such as +12025550143',
    ]);
    expect(problems(PatientSchema.safeParse({ ...makePatient(), phone: '+11111111111' }))).toEqual([
      'phone: is not a valid phone number',
    ]);
  });

  it('tells a phone number from a pool by its id or ARN, and refuses anything else', () => {
    // Act
    const kinds = [
      'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      'pool-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-0a1b2c3d',
      'arn:aws-us-gov:sms-voice:us-gov-west-1:111122223333:pool/pool-0a1b2c3d',
      'arn:aws:sms-voice:us-east-1:111122223333:sender-id/NorthClinic/US',
      'arn:aws:sns:us-east-1:111122223333:topic',
      'phone-',
      '+18885550123',
    ].map(originationIdentityKind);

    // Assess
    expect(kinds).toEqual([
      'phone-number',
      'pool',
      'phone-number',
      'pool',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('keeps the schedule version within the version and the canceller on cancelled visits only', () => {
    expect(problems(AppointmentSchema.safeParse({ ...makeAppointment(), scheduleVersion: 2 }))).toEqual([
      'scheduleVersion: must not exceed version',
    ]);
    expect(problems(AppointmentSchema.safeParse({ ...makeAppointment(), cancelledBy: 'clinic' }))).toEqual([
      'cancelledBy: is only allowed on a cancelled appointment',
    ]);
  });

  it('normalises instants to the one storage format and refuses local times', () => {
    expect(makeAppointment({ startAt: '2026-12-08T15:00Z' }).startAt).toBe('2026-12-08T15:00:00.000Z');
    expect(
      problems(AppointmentSchema.safeParse({ ...makeAppointment(), startAt: '2026-12-08T10:00:00-05:00' })),
    ).toEqual(['startAt: must be an ISO 8601 instant in UTC, ending in Z']);
  });

  it('refuses an unknown time zone and an unknown field on a clinic', () => {
    expect(problems(ClinicSchema.safeParse({ ...makeClinic(), timeZone: 'Mars/Olympus' }))).toEqual([
      'timeZone: must be an IANA time zone such as America/New_York',
    ]);
    expect(problems(ClinicSchema.safeParse({ ...makeClinic(), nickname: 'x' }))[0]).toMatch(/nickname/);
  });

  it('gives the exempt kinds a budget of one segment and the others three, each one a clinic may raise', () => {
    expect(EXEMPT_KINDS).toEqual([
      'confirmation',
      'reminder',
      'reschedule',
      'cancellation',
      'keyword-reply',
      'care-reminder',
    ]);
    const budgets = Object.fromEntries(
      MESSAGE_KINDS.map((kind) => [kind, segmentBudgetFor(DEFAULT_POLICY, kind)]),
    );
    expect(budgets).toEqual({
      confirmation: 1,
      reminder: 1,
      reschedule: 1,
      cancellation: 1,
      'keyword-reply': 1,
      survey: 3,
      broadcast: 3,
      'staff-reply': 3,
      'care-reminder': 1,
    });
    const raised = MessagingPolicySchema.parse({ segmentBudget: { exempt: 2 } });
    expect(raised.segmentBudget).toEqual({ exempt: 2, other: 3 });
    expect(segmentBudgetFor(raised, 'reminder')).toBe(2);
  });

  it('reads a single-number segment budget, as clinics saved before the split have it, as the budget of every kind', () => {
    expect(MessagingPolicySchema.parse({ segmentBudget: 3 }).segmentBudget).toEqual({ exempt: 3, other: 3 });
    expect(problems(MessagingPolicySchema.safeParse({ segmentBudget: { exempt: 0, other: 11 } }))).toEqual([
      'segmentBudget.exempt: must be at least 1 segment',
      'segmentBudget.other: must be at most 10 segments',
    ]);
  });

  it('holds the SMS name to 20 GSM-7 characters, so every text fits one part', () => {
    expect(ClinicSchema.parse({ ...makeClinic(), smsName: '  Riverside Clinic ' }).smsName).toBe(
      'Riverside Clinic',
    );
    expect(problems(ClinicSchema.safeParse({ ...makeClinic(), smsName: 'Riverside Family Clinic' }))).toEqual(
      ['smsName: must be at most 20 characters, so every text fits one SMS part'],
    );
    expect(problems(ClinicSchema.safeParse({ ...makeClinic(), smsName: 'Clínica del Río' }))[0]).toMatch(
      /^smsName: must use only GSM-7 characters/,
    );
  });
});
