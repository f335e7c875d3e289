import { describe, expect, it } from 'vitest';
import { messageIdFor } from '../../../../shared/domain/planning';
import { findAnsweredMessage, type SentSms } from '../../../../shared/domain/replies';

const RECEIVED = '2026-12-05T15:00:00.000Z';

function sent(overrides: Partial<SentSms> & Pick<SentSms, 'sentAt'>): SentSms {
  const appointmentId = overrides.appointmentId ?? 'a-1';
  return {
    patientId: 'p-1',
    appointmentId,
    kind: 'reminder',
    messageId: messageIdFor({ appointmentId, kind: overrides.kind ?? 'reminder', offset: '1d', version: 1 }),
    providerMessageId: `provider-${overrides.sentAt}`,
    ...overrides,
  };
}

describe('findAnsweredMessage', () => {
  const older = sent({
    sentAt: '2026-12-01T15:00:00.000Z',
    messageId: 'a-1#confirmation#-#v1',
    kind: 'confirmation',
  });
  const latest = sent({ sentAt: '2026-12-04T15:00:00.000Z' });

  it('takes the message previousPublishedMessageId names, even when it is not the latest', () => {
    expect(
      findAnsweredMessage({
        previousPublishedMessageId: older.providerMessageId,
        receivedAt: RECEIVED,
        sent: [latest, older],
        windowDays: 7,
      }),
    ).toEqual({ outcome: 'matched', message: older, by: 'previous-published-id', nearbyForOtherVisits: [] });
  });

  it('takes the named message whatever its age: the payload says which one the patient answered', () => {
    const monthOld = sent({ sentAt: '2026-11-01T15:00:00.000Z' });
    expect(
      findAnsweredMessage({
        previousPublishedMessageId: monthOld.providerMessageId,
        receivedAt: RECEIVED,
        sent: [monthOld],
        windowDays: 7,
      }),
    ).toMatchObject({ outcome: 'matched', message: monthOld, by: 'previous-published-id' });
  });

  it('falls back to the latest message within the window when the id names none of ours', () => {
    expect(
      findAnsweredMessage({
        previousPublishedMessageId: 'someone-elses-id',
        receivedAt: RECEIVED,
        sent: [older, latest],
        windowDays: 7,
      }),
    ).toMatchObject({ outcome: 'matched', message: latest, by: 'latest-in-window' });
    expect(findAnsweredMessage({ receivedAt: RECEIVED, sent: [older, latest], windowDays: 7 })).toMatchObject(
      {
        message: latest,
        by: 'latest-in-window',
      },
    );
  });

  it('looks past our own keyword replies: C after HELP answers the reminder, not the HELP text', () => {
    const helpText = sent({
      sentAt: '2026-12-05T14:59:00.000Z',
      kind: 'keyword-reply',
      messageId: 'in-1#reply',
      appointmentId: undefined,
    });
    expect(
      findAnsweredMessage({
        previousPublishedMessageId: helpText.providerMessageId,
        receivedAt: RECEIVED,
        sent: [latest, helpText],
        windowDays: 7,
      }),
    ).toMatchObject({ outcome: 'matched', message: latest, by: 'latest-in-window' });
  });

  it('ignores messages sent after the reply and before the window, at its edge included', () => {
    const after = sent({ sentAt: '2026-12-05T15:00:01.000Z' });
    const edge = sent({ sentAt: '2026-11-28T15:00:00.000Z' });
    const beyond = sent({ sentAt: '2026-11-28T14:59:59.999Z' });
    expect(
      findAnsweredMessage({ receivedAt: RECEIVED, sent: [after, edge, beyond], windowDays: 7 }),
    ).toMatchObject({ outcome: 'matched', message: edge });
    expect(findAnsweredMessage({ receivedAt: RECEIVED, sent: [after, beyond], windowDays: 7 })).toEqual({
      outcome: 'none',
      reason: 'nothing-sent-in-window',
    });
  });

  it('uses the clinic’s window: 14 days reaches a message that 7 do not', () => {
    const tenDays = sent({ sentAt: '2026-11-25T15:00:00.000Z' });
    expect(findAnsweredMessage({ receivedAt: RECEIVED, sent: [tenDays], windowDays: 7 }).outcome).toBe(
      'none',
    );
    expect(findAnsweredMessage({ receivedAt: RECEIVED, sent: [tenDays], windowDays: 14 }).outcome).toBe(
      'matched',
    );
  });

  it('on a family phone, answers the visit of the message it matched, and names other visits texted at about the same time', () => {
    const ana = sent({ sentAt: '2026-12-05T09:00:00.000Z', patientId: 'p-ana', appointmentId: 'a-ana' });
    const ben = sent({ sentAt: '2026-12-05T09:00:02.000Z', patientId: 'p-ben', appointmentId: 'a-ben' });
    const benEarlier = sent({
      sentAt: '2026-12-05T08:58:00.000Z',
      patientId: 'p-ben',
      appointmentId: 'a-ben',
      kind: 'confirmation',
      messageId: 'a-ben#confirmation#-#v1',
    });
    const result = findAnsweredMessage({ receivedAt: RECEIVED, sent: [ana, benEarlier, ben], windowDays: 7 });
    expect(result).toEqual({
      outcome: 'matched',
      message: ben,
      by: 'latest-in-window',
      nearbyForOtherVisits: [ana],
    });

    const anaLastWeek = { ...ana, sentAt: '2026-12-01T09:00:00.000Z' };
    expect(
      findAnsweredMessage({ receivedAt: RECEIVED, sent: [anaLastWeek, ben], windowDays: 7 }),
    ).toMatchObject({ message: ben, nearbyForOtherVisits: [] });
  });

  it('chooses the same message whatever order the caller lists them in', () => {
    const a = sent({ sentAt: '2026-12-04T15:00:00.000Z', messageId: 'a-1#reminder#1d#v1' });
    const b = sent({
      sentAt: '2026-12-04T15:00:00.000Z',
      messageId: 'a-2#reminder#1d#v1',
      appointmentId: 'a-2',
    });
    const forward = findAnsweredMessage({ receivedAt: RECEIVED, sent: [a, b], windowDays: 7 });
    const backward = findAnsweredMessage({ receivedAt: RECEIVED, sent: [b, a], windowDays: 7 });
    expect(forward).toEqual(backward);
  });
});
