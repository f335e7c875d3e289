import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Message } from '../../../../shared/domain/model';
import { DECISION_SKIP_REASONS, type DecideInput, decide } from '../../../../shared/domain/planning';
import { makeAppointment, makeClinic, makeMessage, makePatient } from '../../../support/factories';
import { localInstant, localIso } from '../support/local-time';

// By default: the 1-day reminder of a visit on 8 December 10:00, sent on time.
function decideFor(overrides: Partial<Omit<DecideInput, 'message'>> & { message?: Partial<Message> } = {}) {
  const { message, ...rest } = overrides;
  return decide({
    message: makeMessage(message),
    appointment: makeAppointment(),
    patient: makePatient(),
    clinic: makeClinic(),
    now: localInstant('2026-12-07 10:00'),
    ...rest,
  });
}

const OPTED_OUT = { at: '2026-12-01T15:00:00.000Z', source: 'patient-keyword' as const };

describe('decide', () => {
  it("sends on the patient's first allowed channel, to its address", () => {
    expect(decideFor()).toEqual({ action: 'send', channel: 'sms', address: '+14155552671', fallback: false });
  });

  it('skips when the appointment or the patient is gone', () => {
    expect(decideFor({ appointment: undefined })).toEqual({ action: 'skip', reason: 'appointment-missing' });
    expect(decideFor({ patient: undefined })).toEqual({ action: 'skip', reason: 'patient-missing' });
  });

  it('skips everything but the cancellation notice of a cancelled visit', () => {
    const cancelled = makeAppointment({ status: 'cancelled', cancelledBy: 'clinic', version: 2 });
    expect(decideFor({ appointment: cancelled })).toEqual({
      action: 'skip',
      reason: 'appointment-cancelled',
    });
    const notice = { messageId: 'a-1#cancellation#-#v2', kind: 'cancellation' as const, offset: undefined };
    expect(decideFor({ appointment: cancelled, message: notice }).action).toBe('send');
    // A cancellation notice whose appointment is not cancelled is out of date.
    expect(decideFor({ message: notice })).toEqual({ action: 'skip', reason: 'superseded' });
  });

  it('skips messages about a visit still to come once it is completed or missed', () => {
    expect(decideFor({ appointment: makeAppointment({ status: 'completed', version: 2 }) })).toEqual({
      action: 'skip',
      reason: 'appointment-completed',
    });
    expect(decideFor({ appointment: makeAppointment({ status: 'no-show', version: 2 }) })).toEqual({
      action: 'skip',
      reason: 'appointment-no-show',
    });
  });

  it('sends the survey of a completed visit only', () => {
    const survey = {
      messageId: 'a-1#survey#2h#v2',
      kind: 'survey' as const,
      offset: '2h',
      priority: 'medium' as const,
      notAfter: localIso('2026-12-09 12:30'),
    };
    const now = localInstant('2026-12-08 12:30');
    const completed = makeAppointment({ status: 'completed', version: 2 });
    expect(decideFor({ message: survey, appointment: completed, now }).action).toBe('send');
    const noShow = makeAppointment({ status: 'no-show', version: 2 });
    expect(decideFor({ message: survey, appointment: noShow, now })).toEqual({
      action: 'skip',
      reason: 'appointment-no-show',
    });
    expect(decideFor({ message: survey, now })).toEqual({ action: 'skip', reason: 'superseded' });
    const surveysOff = makeClinic({ policy: { survey: { ...DEFAULT_POLICY.survey, enabled: false } } });
    expect(decideFor({ message: survey, appointment: completed, clinic: surveysOff, now })).toEqual({
      action: 'skip',
      reason: 'policy-changed',
    });
    expect(
      decideFor({ message: survey, appointment: completed, now: localInstant('2026-12-09 12:31') }),
    ).toEqual({
      action: 'skip',
      reason: 'expired',
    });
  });

  it('skips a survey to a patient surveyed within the spacing (30 days by default), and sends one after it', () => {
    const survey = {
      messageId: 'a-1#survey#2h#v2',
      kind: 'survey' as const,
      offset: '2h',
      priority: 'medium' as const,
      notAfter: localIso('2026-12-09 12:30'),
    };
    const now = localInstant('2026-12-08 12:30');
    const completed = makeAppointment({ status: 'completed', version: 2 });
    const at = (local: string) => localIso(local);
    expect(
      decideFor({
        message: survey,
        appointment: completed,
        now,
        earlierSurveysSentAt: [at('2026-11-10 12:00')],
      }),
    ).toEqual({ action: 'skip', reason: 'survey-spacing' });
    expect(
      decideFor({
        message: survey,
        appointment: completed,
        now,
        earlierSurveysSentAt: [at('2026-11-08 12:00')],
      }).action,
    ).toBe('send');
    const weekly = makeClinic({ policy: { survey: { ...DEFAULT_POLICY.survey, minDaysBetween: 7 } } });
    expect(
      decideFor({
        message: survey,
        appointment: completed,
        clinic: weekly,
        now,
        earlierSurveysSentAt: [at('2026-11-30 12:00')],
      }).action,
    ).toBe('send');
    const everyVisit = makeClinic({ policy: { survey: { ...DEFAULT_POLICY.survey, minDaysBetween: 0 } } });
    expect(
      decideFor({
        message: survey,
        appointment: completed,
        clinic: everyVisit,
        now,
        earlierSurveysSentAt: [at('2026-12-08 09:00')],
      }).action,
    ).toBe('send');
  });

  it('skips a reminder or confirmation of an earlier schedule as appointment-moved', () => {
    const moved = makeAppointment({ version: 2, scheduleVersion: 2 });
    expect(decideFor({ appointment: moved })).toEqual({ action: 'skip', reason: 'appointment-moved' });
    const confirmation = {
      messageId: 'a-1#confirmation#-#v1',
      kind: 'confirmation' as const,
      offset: undefined,
    };
    expect(decideFor({ appointment: moved, message: confirmation })).toEqual({
      action: 'skip',
      reason: 'appointment-moved',
    });
    expect(decideFor({ message: confirmation }).action).toBe('send');
  });

  it('skips the reschedule notice of an earlier move as superseded', () => {
    const notice = { messageId: 'a-1#reschedule#-#v2', kind: 'reschedule' as const, offset: undefined };
    expect(
      decideFor({ message: notice, appointment: makeAppointment({ version: 3, scheduleVersion: 3 }) }),
    ).toEqual({
      action: 'skip',
      reason: 'superseded',
    });
    expect(
      decideFor({ message: notice, appointment: makeAppointment({ version: 2, scheduleVersion: 2 }) }).action,
    ).toBe('send');
  });

  it('skips what the clinic policy no longer calls for', () => {
    const fewer = makeClinic({ policy: { reminderOffsets: { default: ['3d'], byType: {} } } });
    expect(decideFor({ clinic: fewer })).toEqual({ action: 'skip', reason: 'policy-changed' });
    const noConfirmations = makeClinic({ policy: { confirmation: { enabled: false, minLeadMinutes: 60 } } });
    const confirmation = {
      messageId: 'a-1#confirmation#-#v1',
      kind: 'confirmation' as const,
      offset: undefined,
    };
    expect(decideFor({ clinic: noConfirmations, message: confirmation })).toEqual({
      action: 'skip',
      reason: 'policy-changed',
    });
  });

  it('skips a message whose id was not made by messageIdFor', () => {
    expect(decideFor({ message: { messageId: 'legacy-42' } })).toEqual({
      action: 'skip',
      reason: 'invalid-message-id',
    });
  });

  it('skips a message about a visit that has started', () => {
    expect(decideFor({ now: localInstant('2026-12-08 10:01') })).toEqual({
      action: 'skip',
      reason: 'past-visit',
    });
  });

  it('skips a patient who opted out of every channel they list', () => {
    const patient = makePatient({
      optOuts: { sms: OPTED_OUT, email: { ...OPTED_OUT, source: 'email-unsubscribe' } },
    });
    expect(decideFor({ patient })).toEqual({ action: 'skip', reason: 'opted-out' });
  });

  it('follows a channel change made after planning, without calling it a fallback', () => {
    const patient = makePatient({ channels: ['email'] });
    expect(decideFor({ patient })).toEqual({
      action: 'send',
      channel: 'email',
      address: 'ana.rivera@example.com',
      fallback: false,
    });
  });

  it('falls back to the next allowed channel after a permanent failure, and skips when none is left', () => {
    expect(decideFor({ failedChannels: ['sms'] })).toEqual({
      action: 'send',
      channel: 'email',
      address: 'ana.rivera@example.com',
      fallback: true,
    });
    expect(decideFor({ failedChannels: ['sms', 'email'] })).toEqual({
      action: 'skip',
      reason: 'no-allowed-channel',
    });
    const smsOnly = makePatient({ channels: ['sms'], email: undefined });
    expect(decideFor({ patient: smsOnly, failedChannels: ['sms'] })).toEqual({
      action: 'skip',
      reason: 'no-allowed-channel',
    });
  });

  it('defers a message reached late, inside quiet hours, until they end', () => {
    expect(decideFor({ now: localInstant('2026-12-07 22:10') })).toEqual({
      action: 'defer',
      until: localIso('2026-12-08 08:00'),
      reason: 'quiet-hours',
    });
  });

  it('skips it when quiet hours end too late for it to matter', () => {
    const early = makeAppointment({ startAt: localIso('2026-12-08 07:30') });
    const message = { notAfter: localIso('2026-12-08 07:30') };
    expect(decideFor({ appointment: early, message, now: localInstant('2026-12-07 22:10') })).toEqual({
      action: 'skip',
      reason: 'quiet-hours',
    });
  });

  it('sends a change notice for a visit within 12 hours even in quiet hours', () => {
    const moved = makeAppointment({ startAt: localIso('2026-12-08 09:00'), version: 2, scheduleVersion: 2 });
    const notice = {
      messageId: 'a-1#reschedule#-#v2',
      kind: 'reschedule' as const,
      offset: undefined,
      notAfter: localIso('2026-12-08 09:00'),
    };
    expect(
      decideFor({ appointment: moved, message: notice, now: localInstant('2026-12-07 22:10') }).action,
    ).toBe('send');
    expect(
      decideFor({ appointment: moved, message: notice, now: localInstant('2026-12-06 22:10') }).action,
    ).toBe('defer');
  });

  it('answers a keyword on its own channel, even right after STOP and in quiet hours', () => {
    const reply = {
      appointmentId: undefined,
      messageId: '~inbound-1#keyword-reply',
      kind: 'keyword-reply' as const,
      offset: undefined,
      notAfter: localIso('2026-12-08 22:00'),
    };
    const stopped = makePatient({ optOuts: { sms: OPTED_OUT } });
    expect(
      decideFor({
        message: reply,
        appointment: undefined,
        patient: stopped,
        now: localInstant('2026-12-07 23:00'),
      }),
    ).toEqual({
      action: 'send',
      channel: 'sms',
      address: '+14155552671',
      fallback: false,
    });
    const noPhone = makePatient({ channels: ['email'], phone: undefined });
    expect(decideFor({ message: reply, appointment: undefined, patient: noPhone })).toEqual({
      action: 'skip',
      reason: 'no-allowed-channel',
    });
  });

  it('sends a keyword reply that names a visit like any other reply', () => {
    const reply = { messageId: 'a-1#keyword-reply#-#v1', kind: 'keyword-reply' as const, offset: undefined };
    expect(decideFor({ message: reply, now: localInstant('2026-12-07 23:00') }).action).toBe('send');
  });

  it('holds a broadcast by quiet hours and skips it once expired', () => {
    const broadcast = {
      appointmentId: undefined,
      messageId: '~broadcast-7#p-1',
      kind: 'broadcast' as const,
      offset: undefined,
      priority: 'medium' as const,
      notAfter: localIso('2026-12-09 20:00'),
    };
    expect(
      decideFor({ message: broadcast, appointment: undefined, now: localInstant('2026-12-07 23:00') }),
    ).toEqual({
      action: 'defer',
      until: localIso('2026-12-08 08:00'),
      reason: 'quiet-hours',
    });
    expect(
      decideFor({ message: broadcast, appointment: undefined, now: localInstant('2026-12-09 20:01') }),
    ).toEqual({
      action: 'skip',
      reason: 'expired',
    });
  });

  it('skips a broadcast to a patient whose one STOP answered a visit reminder (revoke-all)', () => {
    // The STOP answered a reminder (topic appointments); it stops the updates topic too.
    const stopped = makePatient({ channels: ['sms'], optOuts: { sms: OPTED_OUT } });
    const broadcast = {
      appointmentId: undefined,
      messageId: '~broadcast#b-1',
      kind: 'broadcast' as const,
      offset: undefined,
      priority: 'medium' as const,
      notAfter: localIso('2026-12-09 20:00'),
    };
    expect(decideFor({ message: broadcast, appointment: undefined, patient: stopped })).toEqual({
      action: 'skip',
      reason: 'opted-out',
    });
  });

  it('uses only its listed reasons', () => {
    expect(DECISION_SKIP_REASONS).toContain('opted-out');
    expect(new Set(DECISION_SKIP_REASONS).size).toBe(DECISION_SKIP_REASONS.length);
  });
});
