import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCaseRepository } from '../../../shared/adapters/dynamodb/case-repository';
import { MetricsSchema } from '../../../shared/api/schemas';
import { openCase } from '../../../shared/domain/cases/case';
import { DEFAULT_CASE_POLICY } from '../../../shared/domain/cases/policy';
import { COUNTER, type CounterEvent } from '../../../shared/domain/counters';
import { makeClinic } from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

// Tuesday 1 December 2026, 15:00 UTC (10:00 in New York).
const api = useStaffApi({ now: '2026-12-01T15:00:00.000Z' });
const BASE = '/v1/clinics/demo-clinic/metrics';

const day = (date: string, eventId: string, counts: Record<string, number>): CounterEvent => ({
  clinicId: 'demo-clinic',
  eventId,
  day: date,
  counts,
});

beforeAll(async () => {
  await api.seed({ clinics: [makeClinic()] });
  const counters = api.repos().counters;
  const events = [
    // Week of 23 November: 4 reminded visits, 2 confirmed, outcomes, surveys and answers.
    day('2026-11-23', 'e1', {
      [COUNTER.visitReminded]: 4,
      [COUNTER.visitConfirmed]: 2,
      [COUNTER.message('sent', 'sms', 'reminder')]: 4,
      [COUNTER.message('sent', 'sms', 'survey')]: 3,
      [COUNTER.message('sent', 'email', 'survey')]: 1,
      [COUNTER.message('skipped', 'email', 'reminder')]: 1,
      [COUNTER.sendLag('1')]: 6,
      [COUNTER.sendLag('120')]: 2,
    }),
    day('2026-11-24', 'e2', {
      [COUNTER.visitCompleted(true)]: 1,
      [COUNTER.visitNoShow(true)]: 1,
      [COUNTER.visitCompleted(false)]: 1,
      [COUNTER.visitNoShow(false)]: 1,
      [COUNTER.surveyAnswered('nps', 'promoter')]: 2,
      [COUNTER.surveyAnswered('nps', 'detractor')]: 1,
      [COUNTER.optOut('sms')]: 1,
    }),
    // Week of 30 November (inside the period on the 30th only).
    day('2026-11-30', 'e3', {
      [COUNTER.surveyAnswered('nps', 'passive')]: 1,
      [COUNTER.caseOpened]: 2,
      [COUNTER.caseAcknowledged]: 1,
      [COUNTER.acknowledgeMinutes('60')]: 1,
    }),
    // Outside the period.
    day('2026-12-01', 'e4', { [COUNTER.caseResolved]: 1 }),
    // A duplicate of e1 adds nothing.
    day('2026-11-23', 'e1', { [COUNTER.visitReminded]: 40 }),
  ];
  for (const event of events) await counters.record(event);
  // One open case, opened on Friday 27 November: past its one-business-day acknowledgement by now.
  const clinic = {
    clinicId: 'demo-clinic',
    timeZone: 'America/New_York',
    policy: { cases: DEFAULT_CASE_POLICY },
  };
  const opened = openCase(
    clinic,
    { caseId: 'c-1', source: 'staff', by: 'staff-a' },
    DateTime.fromISO('2026-11-27T15:00:00Z', { zone: 'utc' }),
  );
  await new DynamoCaseRepository(api.tables.clients.doc, api.tables.names.inbound).create(opened);
});

describe('GET /v1/clinics/{clinicId}/metrics (daily counters)', () => {
  it('sums the days of the period into each figure, with its method, reading one counter item a day', async () => {
    const answer = await api.call({ method: 'GET', url: `${BASE}?from=2026-11-23&to=2026-12-01` });

    expect(answer.status).toBe(200);
    const metrics = MetricsSchema.parse(answer.body);
    expect(metrics.days).toEqual({ from: '2026-11-23', to: '2026-11-30', counterItemsRead: 3 });
    expect(metrics.from).toBe('2026-11-23T05:00:00.000Z');
    expect(metrics.to).toBe('2026-12-01T05:00:00.000Z');
    expect(metrics.nps).toMatchObject({
      score: 25,
      promoters: 2,
      passives: 1,
      detractors: 1,
      responses: 4,
      responseRate: 1,
    });
    expect(metrics.visits).toMatchObject({
      reminded: 4,
      confirmedByReply: 2,
      confirmationRate: 0.5,
      completed: 2,
      noShows: { confirmed: 1, unconfirmed: 1 },
      noShowRate: { all: 0.5, confirmed: 0.5, unconfirmed: 0.5 },
    });
    expect(metrics.messages).toMatchObject({
      total: 9,
      byOutcome: { sent: 8, failed: 0, skipped: 1, unknown: 0 },
      byChannel: { sms: 7, email: 2 },
    });
    expect(metrics.messages.breakdown).toContainEqual({
      kind: 'survey',
      channel: 'email',
      outcome: 'sent',
      count: 1,
    });
    expect(metrics.optOuts).toMatchObject({ sms: 1, email: 0, rate: 1 / 8 });
    expect(metrics.sendLagSeconds).toMatchObject({ count: 8, median: 1, p99: 120 });
    expect(metrics.cases).toMatchObject({
      opened: 2,
      acknowledged: 1,
      resolved: 0,
      medianMinutesToAcknowledge: 60,
      medianMinutesToResolve: null,
      openNow: 1,
      overdueNow: 1,
    });
    for (const figure of [metrics.nps, metrics.visits, metrics.messages, metrics.cases, metrics.csat]) {
      expect(figure.method.length).toBeGreaterThan(40);
    }
    expect(metrics.csat).toMatchObject({ mean: null, responses: 0 });
  });

  it('gives the same figures per week, Monday to Sunday in the clinic zone, clipped to the period', async () => {
    const answer = await api.call({ method: 'GET', url: `${BASE}?from=2026-11-23&to=2026-12-01` });

    const { weeks } = MetricsSchema.parse(answer.body);
    expect(weeks.map((week) => [week.week, week.from, week.to])).toEqual([
      ['2026-11-23', '2026-11-23', '2026-11-29'],
      ['2026-11-30', '2026-11-30', '2026-11-30'],
    ]);
    expect(weeks.map((week) => week.nps.score)).toEqual([33.3, 0]);
    expect(weeks[1]?.cases.opened).toBe(2);
  });

  it('answers null figures for an empty period, and 400 naming the field for a long or unnamed one', async () => {
    const empty = await api.call({ method: 'GET', url: `${BASE}?from=2025-01-01&to=2025-01-02` });
    const long = await api.call({ method: 'GET', url: `${BASE}?from=2026-01-01&to=2026-12-31` });
    const unnamed = await api.call({ method: 'GET', url: BASE });

    const metrics = MetricsSchema.parse(empty.body);
    expect(metrics.nps).toMatchObject({ score: null, responses: 0, responseRate: null });
    expect(metrics.visits.confirmationRate).toBeNull();
    expect(metrics.sendLagSeconds).toMatchObject({ count: 0, median: null, p99: null });
    expect(metrics.days.counterItemsRead).toBe(0);
    expect(issuePaths(long)).toEqual(['to']);
    expect(issuePaths(unnamed).sort()).toEqual(['from', 'to']);
  });
});
