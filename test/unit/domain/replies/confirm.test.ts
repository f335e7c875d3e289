import { describe, expect, it } from 'vitest';
import type { Appointment } from '../../../../shared/domain/model';
import { messageIdFor } from '../../../../shared/domain/planning';
import { confirmationVerdict } from '../../../../shared/domain/replies';
import { makeAppointment } from '../../../support/factories';

const REPLIED = '2026-12-05T15:00:00.000Z';
const reminder = (version: number) => ({
  kind: 'reminder' as const,
  appointmentId: 'a-1',
  messageId: messageIdFor({ appointmentId: 'a-1', kind: 'reminder', offset: '1d', version }),
});
const confirmation = {
  kind: 'confirmation' as const,
  appointmentId: 'a-1',
  messageId: messageIdFor({ appointmentId: 'a-1', kind: 'confirmation', version: 1 }),
};
const moved = (overrides: Partial<Appointment> = {}) =>
  makeAppointment({ version: 2, scheduleVersion: 2, startAt: '2026-12-09T15:00:00.000Z', ...overrides });

describe('confirmationVerdict', () => {
  it('applies to a booked visit still ahead, on the schedule the message was about', () => {
    expect(
      confirmationVerdict({ message: reminder(1), appointment: makeAppointment(), repliedAt: REPLIED }),
    ).toEqual({ applies: true, appointmentId: 'a-1', scheduleVersion: 1 });
    expect(
      confirmationVerdict({ message: confirmation, appointment: makeAppointment(), repliedAt: REPLIED }),
    ).toEqual({ applies: true, appointmentId: 'a-1', scheduleVersion: 1 });
    expect(confirmationVerdict({ message: reminder(2), appointment: moved(), repliedAt: REPLIED })).toEqual({
      applies: true,
      appointmentId: 'a-1',
      scheduleVersion: 2,
    });
  });

  it('applies after a change that left the time and place alone', () => {
    const retyped = makeAppointment({ version: 3, scheduleVersion: 1, type: 'follow-up' });
    expect(
      confirmationVerdict({ message: reminder(1), appointment: retyped, repliedAt: REPLIED }).applies,
    ).toBe(true);
  });

  it('says the visit moved when the reply answers a message about an earlier time', () => {
    expect(confirmationVerdict({ message: reminder(1), appointment: moved(), repliedAt: REPLIED })).toEqual({
      applies: false,
      reason: 'moved',
    });
    expect(confirmationVerdict({ message: confirmation, appointment: moved(), repliedAt: REPLIED })).toEqual({
      applies: false,
      reason: 'moved',
    });
  });

  it('says the visit was cancelled, or is past, before anything else', () => {
    const cancelled = makeAppointment({ status: 'cancelled', cancelledBy: 'clinic', version: 2 });
    expect(confirmationVerdict({ message: reminder(1), appointment: cancelled, repliedAt: REPLIED })).toEqual(
      {
        applies: false,
        reason: 'cancelled',
      },
    );
    for (const status of ['completed', 'no-show'] as const) {
      expect(
        confirmationVerdict({
          message: reminder(1),
          appointment: makeAppointment({ status }),
          repliedAt: REPLIED,
        }),
      ).toEqual({ applies: false, reason: 'past' });
    }
    const startingNow = makeAppointment({ startAt: REPLIED });
    expect(
      confirmationVerdict({ message: reminder(1), appointment: startingNow, repliedAt: REPLIED }),
    ).toEqual({
      applies: false,
      reason: 'past',
    });
    expect(
      confirmationVerdict({
        message: reminder(1),
        appointment: makeAppointment({ startAt: '2026-12-05T15:00:00.001Z' }),
        repliedAt: REPLIED,
      }).applies,
    ).toBe(true);
  });

  it('says so when the message is about no visit, the visit is gone, or the message asked about no upcoming visit', () => {
    expect(
      confirmationVerdict({
        message: { kind: 'broadcast', messageId: 'b-1#p-1', appointmentId: undefined },
        appointment: undefined,
        repliedAt: REPLIED,
      }),
    ).toEqual({ applies: false, reason: 'no-visit' });
    expect(confirmationVerdict({ message: reminder(1), appointment: undefined, repliedAt: REPLIED })).toEqual(
      {
        applies: false,
        reason: 'visit-missing',
      },
    );
    expect(
      confirmationVerdict({
        message: reminder(1),
        appointment: makeAppointment({ appointmentId: 'a-2' }),
        repliedAt: REPLIED,
      }),
    ).toEqual({ applies: false, reason: 'visit-missing' });
    const cancellationNotice = {
      kind: 'cancellation' as const,
      appointmentId: 'a-1',
      messageId: messageIdFor({ appointmentId: 'a-1', kind: 'cancellation', version: 2 }),
    };
    expect(
      confirmationVerdict({
        message: cancellationNotice,
        appointment: moved({ version: 3 }),
        repliedAt: REPLIED,
      }),
    ).toEqual({ applies: false, reason: 'not-a-visit-notice' });
    expect(
      confirmationVerdict({
        message: { kind: 'reminder', appointmentId: 'a-1', messageId: 'not-an-id-of-ours' },
        appointment: makeAppointment(),
        repliedAt: REPLIED,
      }),
    ).toEqual({ applies: false, reason: 'not-a-visit-notice' });
  });
});
