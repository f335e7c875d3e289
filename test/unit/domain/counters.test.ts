import { describe, expect, it } from 'vitest';
import {
  appointmentChangeEvents,
  bucketOf,
  CASE_MINUTE_BUCKETS,
  COUNTER,
  histogramMedian,
  localDayOf,
  messageOutcomeEvent,
  npsFigures,
  optOutChangeEvents,
  recountFromRaw,
  visitRemindedEvent,
  weekOf,
} from '../../../shared/domain/counters';
import { makeAppointment, makeMessage, makePatient } from '../../support/factories';

const sent = (overrides = {}) =>
  makeMessage({
    status: 'delivered',
    attempts: 1,
    sendingAt: '2026-12-07T15:00:02.000Z',
    finishedAt: '2026-12-07T15:00:03.000Z',
    ...overrides,
  });

describe('daily counters (pure)', () => {
  it('puts an event on the clinic-local day, not the UTC one', () => {
    // 02:30 UTC on the 8th is the evening of the 7th in Chicago.
    expect(localDayOf('2026-12-08T02:30:00.000Z', 'America/Chicago')).toBe('2026-12-07');
    expect(localDayOf('2026-12-08T02:30:00.000Z', 'Asia/Tokyo')).toBe('2026-12-08');
  });

  it('counts a sent message once, by outcome, channel and kind, with its send lag bucket', () => {
    const event = messageOutcomeEvent(sent(), 'America/Chicago');
    expect(event).toEqual({
      clinicId: 'demo-clinic',
      eventId: 'msg#p-1#a-1#reminder#1d#v1',
      day: '2026-12-07',
      counts: { [COUNTER.message('sent', 'sms', 'reminder')]: 1, [COUNTER.sendLag('5')]: 1 },
    });
  });

  it('sim seed 2125: counts a send that ended unknown as unknown, also after a receipt settled it', () => {
    const unknown = {
      ...sent(),
      status: 'unknown' as const,
      reason: 'interrupted-attempt',
      unknownAt: sent().finishedAt,
    };
    const settled = { ...unknown, status: 'undeliverable' as const, reason: 'TEXT_CARRIER_BLOCKED' };
    for (const message of [unknown, settled, { ...unknown, status: 'delivered' as const }]) {
      expect(messageOutcomeEvent(message, 'America/Chicago')?.counts, message.status).toEqual({
        [COUNTER.message('unknown', 'sms', 'reminder')]: 1,
      });
    }
  });

  it('counts nothing for a message that no send attempt finished (planned, or skipped by planning)', () => {
    expect(messageOutcomeEvent(makeMessage(), 'UTC')).toBeUndefined();
    expect(
      messageOutcomeEvent(makeMessage({ status: 'skipped', finishedAt: '2026-12-07T15:00:00.000Z' }), 'UTC'),
    ).toBeUndefined();
  });

  it('counts a visit reminded under one id for all of its reminders', () => {
    const first = visitRemindedEvent(sent(), 'UTC');
    const second = visitRemindedEvent(sent({ messageId: 'a-1#reminder#2h#v1' }), 'UTC');
    expect(first?.eventId).toBe('visit#a-1#reminded');
    expect(second?.eventId).toBe(first?.eventId);
    expect(visitRemindedEvent(sent({ kind: 'survey', messageId: 'a-1#survey#v1' }), 'UTC')).toBeUndefined();
    expect(visitRemindedEvent(sent({ status: 'failed' }), 'UTC')).toBeUndefined();
  });

  it('splits no-shows by whether the patient had confirmed by reply', () => {
    const booked = makeAppointment();
    const confirmed = {
      ...booked,
      confirmation: {
        at: '2026-12-06T15:00:00.000Z',
        via: 'sms' as const,
        messageId: 'a-1#reminder#1d#v1',
        inboundMessageId: 'in-1',
        scheduleVersion: 1,
      },
    };
    const confirmEvents = appointmentChangeEvents(booked, confirmed, 'UTC');
    expect(confirmEvents.map((event) => event.counts)).toEqual([{ [COUNTER.visitConfirmed]: 1 }]);
    const noShow = appointmentChangeEvents(confirmed, { ...confirmed, status: 'no-show' }, 'UTC');
    expect(noShow.map((event) => event.counts)).toEqual([{ [COUNTER.visitNoShow(true)]: 1 }]);
    const unconfirmed = appointmentChangeEvents(booked, { ...booked, status: 'no-show' }, 'UTC');
    expect(unconfirmed.map((event) => event.counts)).toEqual([{ [COUNTER.visitNoShow(false)]: 1 }]);
    // A replayed stream record with no change counts nothing.
    expect(appointmentChangeEvents(confirmed, confirmed, 'UTC')).toEqual([]);
  });

  it('takes the median of a bucketed histogram as the bound of the bucket holding the middle value', () => {
    const name = COUNTER.acknowledgeMinutes;
    expect(histogramMedian({}, name, CASE_MINUTE_BUCKETS)).toBeNull();
    const counts = {
      [name(bucketOf(10, CASE_MINUTE_BUCKETS))]: 1,
      [name(bucketOf(100, CASE_MINUTE_BUCKETS))]: 1,
      [name(bucketOf(5000, CASE_MINUTE_BUCKETS))]: 1,
    };
    expect(histogramMedian(counts, name, CASE_MINUTE_BUCKETS)).toBe(120);
    expect(bucketOf(10 ** 6, CASE_MINUTE_BUCKETS)).toBe('over');
  });

  it('computes NPS from the class counters at its edges', () => {
    expect(npsFigures({}).score).toBeNull();
    expect(npsFigures({}).responseRate).toBeNull();
    expect(npsFigures({ [COUNTER.surveyAnswered('nps', 'passive')]: 3 }).score).toBe(0);
    const one = npsFigures({
      [COUNTER.surveyAnswered('nps', 'detractor')]: 1,
      [COUNTER.message('sent', 'sms', 'survey')]: 3,
      [COUNTER.message('sent', 'email', 'survey')]: 1,
    });
    expect(one).toEqual({
      score: -100,
      promoters: 0,
      passives: 0,
      detractors: 1,
      responses: 1,
      responseRate: 0.25,
    });
  });

  it('recounts from raw items: each message once, each visit reminded once, on its first reminder day', () => {
    const days = recountFromRaw(
      {
        messages: [
          sent({ messageId: 'a-1#reminder#2h#v1', finishedAt: '2026-12-08T13:00:00.000Z' }),
          sent(),
          makeMessage({ messageId: 'a-1#reminder#3d#v1' }),
        ],
        appointments: [makeAppointment({ status: 'completed' })],
      },
      'UTC',
    );
    expect(days.get('2026-12-07')).toMatchObject({
      [COUNTER.message('sent', 'sms', 'reminder')]: 1,
      [COUNTER.visitReminded]: 1,
    });
    expect(days.get('2026-12-08')?.[COUNTER.visitReminded]).toBeUndefined();
    expect(weekOf('2026-12-09')).toBe('2026-12-07');
  });

  it('counts the opt-outs a patient change adds, and none it only keeps', () => {
    const stopped = { at: '2026-12-08T02:30:00.000Z', source: 'staff' as const };
    const before = makePatient({ optOuts: { sms: stopped } });
    const emailToo = makePatient({
      optOuts: { sms: stopped, email: { at: '2026-12-09T15:00:00.000Z', source: 'staff' } },
    });
    expect(optOutChangeEvents(before, emailToo, 'America/Chicago')).toEqual([
      {
        clinicId: 'demo-clinic',
        eventId: 'opt-out#p-1#email#2026-12-09T15:00:00.000Z',
        day: '2026-12-09',
        counts: { [COUNTER.optOut('email')]: 1 },
      },
    ]);
    // Kept as it was: nothing; created opted out: counted on its local day (the 7th in Chicago).
    expect(optOutChangeEvents(before, before, 'America/Chicago')).toEqual([]);
    expect(optOutChangeEvents(undefined, before, 'America/Chicago').map((event) => event.day)).toEqual([
      '2026-12-07',
    ]);
    // Opted out again at a new instant (after a START lifted it): counted again.
    const again = makePatient({ optOuts: { sms: { at: '2026-12-10T15:00:00.000Z', source: 'staff' } } });
    expect(optOutChangeEvents(before, again, 'America/Chicago')).toHaveLength(1);
  });
});
