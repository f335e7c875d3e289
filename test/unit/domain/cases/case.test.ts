import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addCaseNote,
  changeCase,
  type FeedbackCase,
  markOverdue,
  nextDue,
  openCase,
  overdueStages,
} from '../../../../shared/domain/cases/case';
import { DEFAULT_CASE_POLICY } from '../../../../shared/domain/cases/policy';
import { StateConflictError, ValidationError } from '../../../../shared/domain/errors';

const CLINIC = { clinicId: 'north', timeZone: 'America/Chicago', policy: { cases: DEFAULT_CASE_POLICY } };
// Friday 2026-12-04 15:00 in Chicago.
const OPENED = DateTime.fromISO('2026-12-04T21:00:00Z');
const LATER = OPENED.plus({ hours: 1 });

function makeCase(overrides: Partial<Parameters<typeof openCase>[1]> = {}): FeedbackCase {
  return openCase(CLINIC, { caseId: 'case-1', source: 'staff', by: 'staff-a', ...overrides }, OPENED);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('feedback case', () => {
  it('opens high priority with business-day due times in the clinic zone', () => {
    const opened = makeCase({ links: { patientId: 'p-1' } });
    expect(opened).toMatchObject({
      status: 'open',
      priority: 'high',
      category: 'other',
      acknowledgeDueAt: '2026-12-07T21:00:00.000Z', // Monday 15:00 Chicago
      resolveDueAt: '2026-12-11T21:00:00.000Z', // Friday 15:00 Chicago
      links: { patientId: 'p-1' },
      history: [{ at: '2026-12-04T21:00:00.000Z', author: 'staff-a', kind: 'opened', to: 'staff' }],
      version: 1,
    });
  });

  it('moves open → acknowledged → resolved, recording who and when', () => {
    const acknowledged = changeCase(makeCase(), { status: 'acknowledged' }, 'staff-b', LATER);
    expect(acknowledged).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'staff-b', version: 2 });
    const resolved = changeCase(
      acknowledged,
      { status: 'resolved', resolutionNote: 'Called the patient' },
      'staff-c',
      LATER.plus({ hours: 1 }),
    );
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolvedBy: 'staff-c',
      resolutionNote: 'Called the patient',
      version: 3,
    });
    expect(resolved.history.map((entry) => [entry.kind, entry.from, entry.to])).toEqual([
      ['opened', undefined, 'staff'],
      ['status', 'open', 'acknowledged'],
      ['status', 'acknowledged', 'resolved'],
    ]);
  });

  it('refuses a skipped state with a conflict on status', () => {
    const error = thrown(() =>
      changeCase(makeCase(), { status: 'resolved', resolutionNote: 'x' }, 's', LATER),
    );
    expect(error).toBeInstanceOf(StateConflictError);
    expect(error).toMatchObject({ field: 'status', currentVersion: 1 });
  });

  it('refuses going back from acknowledged to open', () => {
    const acknowledged = changeCase(makeCase(), { status: 'acknowledged' }, 's', LATER);
    expect(thrown(() => changeCase(acknowledged, { status: 'open' }, 's', LATER))).toMatchObject({
      field: 'status',
    });
  });

  it('requires a resolution note to resolve, naming the field', () => {
    const acknowledged = changeCase(makeCase(), { status: 'acknowledged' }, 's', LATER);
    const error = thrown(() => changeCase(acknowledged, { status: 'resolved' }, 's', LATER));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      { path: 'resolutionNote', message: 'is required to resolve a case' },
    ]);
  });

  it('records assignment, priority and category changes; an unchanged patch is the same case', () => {
    const current = makeCase();
    expect(changeCase(current, { status: 'open', priority: 'high' }, 's', LATER)).toBe(current);
    const changed = changeCase(
      current,
      { assignee: 'staff-z', priority: 'medium', category: 'billing' },
      's',
      LATER,
    );
    expect(changed).toMatchObject({
      assignee: 'staff-z',
      priority: 'medium',
      category: 'billing',
      version: 2,
    });
    const unassigned = changeCase(changed, { assignee: null }, 's', LATER);
    expect(unassigned.assignee).toBeUndefined();
    expect(unassigned.history.at(-1)).toMatchObject({ kind: 'assignment', from: 'staff-z' });
  });

  it('adds notes with their author and time', () => {
    const noted = addCaseNote(makeCase(), 'Left a voicemail', 'staff-q', LATER);
    expect(noted.history.at(-1)).toEqual({
      at: '2026-12-04T22:00:00.000Z',
      author: 'staff-q',
      kind: 'note',
      text: 'Left a voicemail',
    });
    expect(noted.version).toBe(2);
  });

  it('reports each due time once: acknowledgement while open, then resolution', () => {
    const opened = makeCase();
    expect(nextDue(opened)).toEqual({ stage: 'acknowledge', at: opened.acknowledgeDueAt });
    const monday = DateTime.fromISO('2026-12-07T21:00:00Z');
    expect(overdueStages(opened, monday.minus({ seconds: 1 }))).toEqual([]);
    expect(overdueStages(opened, monday)).toEqual(['acknowledge']);
    const reported = markOverdue(opened, 'acknowledge', monday);
    expect(nextDue(reported)).toEqual({ stage: 'resolve', at: opened.resolveDueAt });
    const both = markOverdue(reported, 'resolve', monday.plus({ days: 4 }));
    expect(nextDue(both)).toBeUndefined();
    const acknowledgedInTime = changeCase(opened, { status: 'acknowledged' }, 's', LATER);
    expect(nextDue(acknowledgedInTime)).toEqual({ stage: 'resolve', at: opened.resolveDueAt });
    expect(overdueStages(acknowledgedInTime, monday)).toEqual([]);
  });
});
