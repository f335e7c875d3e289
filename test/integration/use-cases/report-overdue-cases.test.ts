import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCaseRepository } from '../../../shared/adapters/dynamodb/case-repository';
import {
  CapturingLogger,
  RecordingEventPublisher,
  RecordingTelemetry,
} from '../../../shared/adapters/local/recorders';
import { changeCase, openCase } from '../../../shared/domain/cases/case';
import { DEFAULT_CASE_POLICY } from '../../../shared/domain/cases/policy';
import { fixedClock } from '../../../shared/domain/time';
import { reportOverdueCases } from '../../../shared/use-cases/report-overdue-cases';
import { caseFiguresNow } from '../../../shared/use-cases/staff/case-figures';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
let cases: DynamoCaseRepository;

beforeAll(() => {
  cases = new DynamoCaseRepository(tables.clients.doc, tables.names.inbound);
});

const CLINIC = {
  clinicId: 'overdue-clinic',
  timeZone: 'America/New_York',
  policy: { cases: DEFAULT_CASE_POLICY },
};
// Friday 2026-12-04 15:00 New York: acknowledgement due Monday 15:00 (20:00Z), resolution Friday 11th 15:00.
const OPENED = DateTime.fromISO('2026-12-04T20:00:00Z');

function sweepAt(at: string) {
  const events = new RecordingEventPublisher();
  const telemetry = new RecordingTelemetry();
  const deps = { cases, events, clock: fixedClock(at), logger: new CapturingLogger(), telemetry };
  return { deps, events, telemetry };
}

describe('reportOverdueCases', () => {
  it('reports each passed due time once: CaseOverdue with ids only, the metric, and nothing before its time', async () => {
    await cases.create(
      openCase(CLINIC, { caseId: 'late-1', source: 'staff', by: 's', summary: 'Rude' }, OPENED),
    );

    const early = sweepAt('2026-12-07T19:59:59.000Z');
    expect(await reportOverdueCases(early.deps)).toEqual({ reported: 0, changedMeanwhile: 0 });
    expect(early.events.events).toEqual([]);

    const monday = sweepAt('2026-12-07T20:00:00.000Z');
    expect(await reportOverdueCases(monday.deps)).toEqual({ reported: 1, changedMeanwhile: 0 });
    expect(monday.events.events).toEqual([
      {
        detailType: 'CaseOverdue',
        detail: {
          clinicId: 'overdue-clinic',
          caseId: 'late-1',
          stage: 'acknowledge',
          dueAt: '2026-12-07T20:00:00.000Z',
          priority: 'high',
          category: 'other',
          status: 'open',
          at: '2026-12-07T20:00:00.000Z',
        },
      },
    ]);
    expect(JSON.stringify(monday.events.events)).not.toContain('Rude');
    expect(monday.telemetry.counts.get('CaseOverdue')).toBe(1);

    // A second sweep (or a retried one) reports nothing more.
    const again = sweepAt('2026-12-07T20:01:00.000Z');
    expect(await reportOverdueCases(again.deps)).toEqual({ reported: 0, changedMeanwhile: 0 });
    expect(again.events.events).toEqual([]);

    const friday = sweepAt('2026-12-11T20:00:00.000Z');
    await reportOverdueCases(friday.deps);
    expect(friday.events.events.map((event) => (event.detail as Record<string, unknown>).stage)).toEqual([
      'resolve',
    ]);
    expect(await cases.get('overdue-clinic', 'late-1')).toMatchObject({
      reportedOverdue: { acknowledge: '2026-12-07T20:00:00.000Z', resolve: '2026-12-11T20:00:00.000Z' },
    });
    expect(await reportOverdueCases(sweepAt('2026-12-20T00:00:00.000Z').deps)).toEqual({
      reported: 0,
      changedMeanwhile: 0,
    });
  });

  it('reports nothing for a case acknowledged in time, and its resolution when that passes', async () => {
    const opened = openCase(CLINIC, { caseId: 'on-time', source: 'staff', by: 's' }, OPENED);
    await cases.create(opened);
    await cases.put(changeCase(opened, { status: 'acknowledged' }, 's', OPENED.plus({ hours: 1 })), 1);
    const monday = sweepAt('2026-12-07T21:00:00.000Z');
    await reportOverdueCases(monday.deps);
    expect(
      monday.events.events.filter((event) => (event.detail as Record<string, unknown>).caseId === 'on-time'),
    ).toEqual([]);
    const friday = sweepAt('2026-12-11T20:00:00.000Z');
    await reportOverdueCases(friday.deps);
    expect(
      friday.events.events
        .filter((event) => (event.detail as Record<string, unknown>).caseId === 'on-time')
        .map((event) => (event.detail as Record<string, unknown>).stage),
    ).toEqual(['resolve']);
  });

  it('lets two racing sweeps report a due time once', async () => {
    await cases.create(openCase(CLINIC, { caseId: 'raced', source: 'staff', by: 's' }, OPENED));
    const a = sweepAt('2026-12-08T20:00:00.000Z');
    const b = sweepAt('2026-12-08T20:00:00.000Z');
    await Promise.all([reportOverdueCases(a.deps), reportOverdueCases(b.deps)]);
    const raced = [...a.events.events, ...b.events.events].filter(
      (event) => (event.detail as Record<string, unknown>).caseId === 'raced',
    );
    expect(raced).toHaveLength(1);
  });

  it('keeps the report and counts the lost event when the bus refuses it', async () => {
    await cases.create(openCase(CLINIC, { caseId: 'bus-down', source: 'staff', by: 's' }, OPENED));
    const { deps, telemetry } = sweepAt('2026-12-09T20:00:00.000Z');
    const failing = {
      ...deps,
      events: {
        publish: async () => {
          throw new Error('bus down');
        },
      },
    };
    const summary = await reportOverdueCases(failing);
    expect(summary.reported).toBeGreaterThanOrEqual(1);
    expect(telemetry.counts.get('EventPublishFailed') ?? 0).toBeGreaterThanOrEqual(1);
    expect((await cases.get('overdue-clinic', 'bus-down'))?.reportedOverdue.acknowledge).toBe(
      '2026-12-09T20:00:00.000Z',
    );
  });
});

describe('caseFiguresNow', () => {
  it('counts the open, acknowledged and overdue cases of a clinic now, ignoring resolved ones', async () => {
    const clinic = { ...CLINIC, clinicId: 'figures-clinic' };
    const a = openCase(clinic, { caseId: 'f-1', source: 'staff', by: 's' }, OPENED);
    const b = openCase(clinic, { caseId: 'f-2', source: 'staff', by: 's' }, OPENED.plus({ days: 3 }));
    const c = openCase(clinic, { caseId: 'f-3', source: 'staff', by: 's' }, OPENED);
    for (const record of [a, b, c]) await cases.create(record);
    const acknowledged = changeCase(c, { status: 'acknowledged' }, 's', OPENED.plus({ hours: 1 }));
    await cases.put(acknowledged, 1);
    const figures = await caseFiguresNow(cases, 'figures-clinic', DateTime.fromISO('2026-12-08T14:00:00Z'));
    expect(figures).toMatchObject({ open: 2, acknowledged: 1, overdue: 1 });
    await cases.put(
      changeCase(
        acknowledged,
        { status: 'resolved', resolutionNote: 'done' },
        's',
        OPENED.plus({ hours: 2 }),
      ),
      2,
    );
    expect(
      await caseFiguresNow(cases, 'figures-clinic', DateTime.fromISO('2026-12-08T14:00:00Z')),
    ).toMatchObject({
      open: 2,
      acknowledged: 0,
      overdue: 1,
    });
  });
});
