import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCaseRepository } from '../../../shared/adapters/dynamodb/case-repository';
import { DynamoInboundRepository } from '../../../shared/adapters/dynamodb/inbound-repository';
import { changeCase, type FeedbackCase, markOverdue, openCase } from '../../../shared/domain/cases/case';
import { DEFAULT_CASE_POLICY } from '../../../shared/domain/cases/policy';
import { ConflictError, ValidationError } from '../../../shared/domain/errors';
import { makeInbound } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
let repo: DynamoCaseRepository;
let inbound: DynamoInboundRepository;

beforeAll(() => {
  repo = new DynamoCaseRepository(tables.clients.doc, tables.names.inbound);
  inbound = new DynamoInboundRepository(tables.clients.doc, tables.names.inbound);
});

function clinic(clinicId: string) {
  return { clinicId, timeZone: 'America/Chicago', policy: { cases: DEFAULT_CASE_POLICY } };
}

// Monday 2026-12-07 10:00 Chicago.
const MONDAY = DateTime.fromISO('2026-12-07T16:00:00Z');

function makeCase(clinicId: string, caseId: string, hoursLater = 0, extra: Partial<FeedbackCase> = {}) {
  return {
    ...openCase(
      clinic(clinicId),
      { caseId, source: 'staff', by: 'staff-a' },
      MONDAY.plus({ hours: hoursLater }),
    ),
    ...extra,
  };
}

describe('case repository', () => {
  it('creates a case once: a second create with its id changes nothing', async () => {
    const first = makeCase('c-once', 'reply-in-1');
    expect(await repo.create(first)).toBe(true);
    expect(await repo.create({ ...first, priority: 'low' })).toBe(false);
    expect(await repo.get('c-once', 'reply-in-1')).toEqual(first);
  });

  it('writes a change only at the version it was made against', async () => {
    const opened = makeCase('c-version', 'k-1');
    await repo.create(opened);
    const acknowledged = changeCase(opened, { status: 'acknowledged' }, 'staff-b', MONDAY.plus({ hours: 1 }));
    await repo.put(acknowledged, 1);
    const stale = changeCase(opened, { priority: 'low' }, 'staff-c', MONDAY.plus({ hours: 2 }));
    await expect(repo.put(stale, 1)).rejects.toThrow(ConflictError);
    await expect(repo.put(stale, 1)).rejects.toMatchObject({ currentVersion: 2 });
    expect(await repo.get('c-version', 'k-1')).toEqual(acknowledged);
  });

  it('lists by status soonest due first, filters by priority, category and overdue, in pages', async () => {
    const clinicId = 'c-list';
    for (let i = 0; i < 5; i++) {
      await repo.create(
        makeCase(clinicId, `k-${i}`, 4 - i, {
          priority: i % 2 === 0 ? 'high' : 'medium',
          category: i < 2 ? 'billing' : 'staff',
        }),
      );
    }
    const first = await repo.list(clinicId, { status: 'open', now: MONDAY.toISO() ?? '' }, { limit: 3 });
    expect(first.items.map((c) => c.caseId)).toEqual(['k-4', 'k-3', 'k-2']);
    const second = await repo.list(
      clinicId,
      { status: 'open', now: MONDAY.toISO() ?? '' },
      { limit: 3, ...(first.cursor ? { cursor: first.cursor } : {}) },
    );
    expect(second.items.map((c) => c.caseId)).toEqual(['k-1', 'k-0']);
    const high = await repo.list(clinicId, {
      status: 'open',
      priority: 'high',
      now: '2026-12-07T16:00:00.000Z',
    });
    expect(high.items.map((c) => c.caseId)).toEqual(['k-4', 'k-2', 'k-0']);
    const billing = await repo.list(clinicId, { category: 'billing', now: '2026-12-07T16:00:00.000Z' });
    expect(billing.items.map((c) => c.caseId).sort()).toEqual(['k-0', 'k-1']);
    // Tuesday 11:30 Chicago: the cases opened at 10:00 and 11:00 Monday are past their acknowledgement.
    const overdue = await repo.list(clinicId, { overdue: true, now: '2026-12-08T17:30:00.000Z' });
    expect(overdue.items.map((c) => c.caseId).sort()).toEqual(['k-3', 'k-4']);
    const notOverdue = await repo.list(clinicId, { overdue: false, now: '2026-12-08T17:30:00.000Z' });
    expect(notOverdue.items.map((c) => c.caseId).sort()).toEqual(['k-0', 'k-1', 'k-2']);
  });

  it('refuses a cursor of other filters', async () => {
    const clinicId = 'c-cursor';
    await repo.create(makeCase(clinicId, 'k-a'));
    await repo.create(makeCase(clinicId, 'k-b', 1));
    const page = await repo.list(clinicId, { status: 'open', now: MONDAY.toISO() ?? '' }, { limit: 1 });
    await expect(
      repo.list(
        clinicId,
        { status: 'open', priority: 'low', now: '' },
        page.cursor ? { cursor: page.cursor } : {},
      ),
    ).rejects.toThrow(ValidationError);
  });

  it('keeps cases out of the staff inbox and the patient conversation', async () => {
    const clinicId = 'c-apart';
    await repo.create(makeCase(clinicId, 'k-1', 0, { links: { patientId: 'p-1' } }));
    await inbound.record(
      makeInbound({
        clinicId,
        inboundMessageId: 'text-1',
        patientId: 'p-1',
        outcome: 'free-text',
        state: 'open',
      }),
    );
    expect((await inbound.listByState(clinicId, 'open')).items.map((text) => text.inboundMessageId)).toEqual([
      'text-1',
    ]);
    expect(
      (await inbound.listForPatient(clinicId, 'p-1')).items.map((text) => text.inboundMessageId),
    ).toEqual(['text-1']);
    expect((await repo.listUnresolved(clinicId)).map((c) => c.caseId)).toEqual(['k-1']);
  });

  it('hands the sweep only the cases whose unreported due time has come, across clinics', async () => {
    const a = makeCase('c-due-a', 'due-1');
    const b = makeCase('c-due-b', 'due-2', 1);
    await repo.create(a);
    await repo.create(b);
    const until = a.acknowledgeDueAt;
    const due = await repo.listDue(until, 50);
    expect(due.map((c) => c.caseId)).toContain('due-1');
    expect(due.map((c) => c.caseId)).not.toContain('due-2');
    // Reported: it waits for its resolution due time next.
    await repo.put(markOverdue(a, 'acknowledge', DateTime.fromISO(until)), 1);
    expect((await repo.listDue(until, 50)).map((c) => c.caseId)).not.toContain('due-1');
    expect((await repo.listDue(a.resolveDueAt, 50)).map((c) => c.caseId)).toContain('due-1');
    // Resolved cases leave the sweep's partition.
    const acknowledged = changeCase(b, { status: 'acknowledged' }, 's', MONDAY.plus({ hours: 2 }));
    await repo.put(acknowledged, 1);
    const resolved = changeCase(
      acknowledged,
      { status: 'resolved', resolutionNote: 'done' },
      's',
      MONDAY.plus({ hours: 3 }),
    );
    await repo.put(resolved, 2);
    expect((await repo.listDue('2027-01-31T00:00:00.000Z', 50)).map((c) => c.caseId)).not.toContain('due-2');
  });
});
