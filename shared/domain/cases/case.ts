/**
 * A feedback case: a complaint or a piece of feedback tracked to its
 * resolution (issue 13). Pure: every function takes the time it needs.
 *
 * Status moves one way, one step at a time: `open` → `acknowledged` →
 * `resolved` (with a resolution note). Due times are set when the case
 * opens, in business time of the clinic's zone; each is reported overdue
 * once (`reportedOverdue.acknowledge`, `.resolve`).
 */
import type { DateTime } from 'luxon';
import * as z from 'zod';
import { PRIORITIES, type Priority } from '../constants';
import { StateConflictError, ValidationError } from '../errors';
import { freeText } from '../text';
import { parseUtc, toUtcIso } from '../time';
import { addBusinessDays } from './business-time';
import { CASE_CATEGORIES, type CaseCategory } from './complaints';
import type { CasePolicy } from './policy';

export { CASE_CATEGORIES, type CaseCategory } from './complaints';

export const CASE_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** How a case came to be: a detractor's score, complaint wording in a reply or survey comment, or staff by hand. */
export const CASE_SOURCES = ['detractor-score', 'complaint-wording', 'staff'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];

/** The two service-level timers. */
export const CASE_STAGES = ['acknowledge', 'resolve'] as const;
export type CaseStage = (typeof CASE_STAGES)[number];

/** What a history entry records. */
export const CASE_ENTRY_KINDS = [
  'opened',
  'note',
  'status',
  'assignment',
  'priority',
  'category',
  'overdue',
] as const;
export type CaseEntryKind = (typeof CASE_ENTRY_KINDS)[number];

/** The author of entries no person wrote (auto-open, the overdue sweep). */
export const SYSTEM_AUTHOR = 'system';

/** Most entries a case keeps (an item stays far below DynamoDB's 400 KB). */
export const MAX_CASE_ENTRIES = 100;

/** Longest note, summary or resolution note. */
export const MAX_NOTE_LENGTH = 2000;

/** Case ids: staff cases get a UUID; automatic ones are made from their source's id, so a second delivery opens nothing. */
export const CaseIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,219}$/,
    'must be 1–220 letters, digits, dot, colon, underscore or hyphen',
  );

export const NoteTextSchema = freeText(true)
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_NOTE_LENGTH, `must be at most ${MAX_NOTE_LENGTH} characters`);

/** Ids only: a case points at what it is about. */
export const CaseLinksSchema = z.strictObject({
  patientId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a patient id')
    .optional(),
  appointmentId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be an appointment id')
    .optional(),
  inboundMessageId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'must be an inbound message id')
    .optional(),
  surveyId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:#-]{0,219}$/, 'must be a survey id')
    .optional(),
});
export type CaseLinks = z.infer<typeof CaseLinksSchema>;

export interface CaseEntry {
  at: string;
  /** The staff user's token subject, or `system`. */
  author: string;
  kind: CaseEntryKind;
  /** A note's words; for a change, absent. */
  text?: string;
  /** For a change: the value before and after (ids and enum values only). */
  from?: string;
  to?: string;
}

export interface FeedbackCase {
  clinicId: string;
  caseId: string;
  status: CaseStatus;
  priority: Priority;
  category: CaseCategory;
  source: CaseSource;
  /** What it is about, in staff's or the patient's words (never logged). */
  summary?: string;
  /** The folded phrase that read as a complaint. */
  complaintPhrase?: string;
  /** The staff user id the case is assigned to. */
  assignee?: string;
  links: CaseLinks;
  openedAt: string;
  openedBy: string;
  acknowledgeDueAt: string;
  resolveDueAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  resolutionNote?: string;
  /** When each due time was reported overdue (once each). */
  reportedOverdue: Partial<Record<CaseStage, string>>;
  history: CaseEntry[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Read shape: types and enums only, so a stored case stays readable after a rule changes. */
const StoredCaseSchema = z.object({
  clinicId: z.string(),
  caseId: z.string(),
  status: z.enum(CASE_STATUSES),
  priority: z.enum(PRIORITIES),
  category: z.enum(CASE_CATEGORIES),
  source: z.enum(CASE_SOURCES),
  summary: z.string().optional(),
  complaintPhrase: z.string().optional(),
  assignee: z.string().optional(),
  links: z.object({
    patientId: z.string().optional(),
    appointmentId: z.string().optional(),
    inboundMessageId: z.string().optional(),
    surveyId: z.string().optional(),
  }),
  openedAt: z.string(),
  openedBy: z.string(),
  acknowledgeDueAt: z.string(),
  resolveDueAt: z.string(),
  acknowledgedAt: z.string().optional(),
  acknowledgedBy: z.string().optional(),
  resolvedAt: z.string().optional(),
  resolvedBy: z.string().optional(),
  resolutionNote: z.string().optional(),
  reportedOverdue: z
    .object({ acknowledge: z.string().optional(), resolve: z.string().optional() })
    .default({}),
  history: z
    .array(
      z.object({
        at: z.string(),
        author: z.string(),
        kind: z.enum(CASE_ENTRY_KINDS),
        text: z.string().optional(),
        from: z.string().optional(),
        to: z.string().optional(),
      }),
    )
    .default([]),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/**
 * A stored case, read back (unknown attributes dropped).
 *
 * @param item - the stored attributes without the storage keys
 */
export function readCase(item: unknown): FeedbackCase {
  return StoredCaseSchema.parse(item) as FeedbackCase;
}

/** What opening a case needs from its clinic. */
export interface CaseClinic {
  clinicId: string;
  timeZone: string;
  policy: { cases: CasePolicy };
}

export interface OpenCaseInput {
  caseId: string;
  source: CaseSource;
  /** Default high: complaints and feedback rank high (issue 13). */
  priority?: Priority;
  category?: CaseCategory;
  summary?: string;
  complaintPhrase?: string;
  assignee?: string;
  links?: CaseLinks;
  /** The staff subject, or `system` for automatic cases. */
  by: string;
}

/**
 * The due times of a case opened at `openedAt`: the clinic's business days to acknowledge and to resolve.
 *
 * @param clinic - zone and case policy
 * @param openedAt - when the case opened
 */
export function dueTimesOf(clinic: CaseClinic, openedAt: DateTime): Record<CaseStage, string> {
  const { businessHours, holidays, acknowledgeWithin, resolveWithin } = clinic.policy.cases;
  const calendar = { ...businessHours, holidays };
  return {
    acknowledge: toUtcIso(addBusinessDays(openedAt, acknowledgeWithin, calendar, clinic.timeZone)),
    resolve: toUtcIso(addBusinessDays(openedAt, resolveWithin, calendar, clinic.timeZone)),
  };
}

/**
 * A new case, open, with its due times.
 *
 * @param clinic - the clinic (zone and case policy)
 * @param input - id, source, optional priority, category, summary, assignee, links; who opens it
 * @param now - the instant it opens
 */
export function openCase(clinic: CaseClinic, input: OpenCaseInput, now: DateTime): FeedbackCase {
  const at = toUtcIso(now);
  const due = dueTimesOf(clinic, now);
  return {
    clinicId: clinic.clinicId,
    caseId: input.caseId,
    status: 'open',
    priority: input.priority ?? 'high',
    category: input.category ?? 'other',
    source: input.source,
    ...(input.summary === undefined ? {} : { summary: input.summary }),
    ...(input.complaintPhrase === undefined ? {} : { complaintPhrase: input.complaintPhrase }),
    ...(input.assignee === undefined ? {} : { assignee: input.assignee }),
    links: input.links ?? {},
    openedAt: at,
    openedBy: input.by,
    acknowledgeDueAt: due.acknowledge,
    resolveDueAt: due.resolve,
    reportedOverdue: {},
    history: [{ at, author: input.by, kind: 'opened', to: input.source }],
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

/** A staff change to a case (PATCH). `assignee: null` unassigns. */
export interface CaseChange {
  status?: CaseStatus;
  priority?: Priority;
  category?: CaseCategory;
  assignee?: string | null;
  resolutionNote?: string;
}

const NEXT: Record<CaseStatus, CaseStatus | undefined> = {
  open: 'acknowledged',
  acknowledged: 'resolved',
  resolved: undefined,
};

function withEntries(current: FeedbackCase, entries: CaseEntry[]): CaseEntry[] {
  const history = [...current.history, ...entries];
  if (history.length > MAX_CASE_ENTRIES) {
    throw new StateConflictError(
      `case ${current.caseId} holds ${MAX_CASE_ENTRIES} entries, the most a case keeps; open a new case to go on`,
      'history',
      current.version,
    );
  }
  return history;
}

/**
 * The case after a staff change, at the next version; the same case when nothing changes.
 *
 * @param current - the stored case
 * @param change - the fields to change
 * @param by - the staff user's subject
 * @param now - the instant of the change
 * @throws StateConflictError when the status skips a step or goes back (field `status`)
 * @throws ValidationError when resolving without a resolution note, or a note without resolving
 */
export function changeCase(
  current: FeedbackCase,
  change: CaseChange,
  by: string,
  now: DateTime,
): FeedbackCase {
  const at = toUtcIso(now);
  const entries: CaseEntry[] = [];
  const next: FeedbackCase = { ...current };
  const status = change.status ?? current.status;
  if (change.resolutionNote !== undefined && status !== 'resolved') {
    throw ValidationError.field('resolutionNote', 'is only taken with status resolved');
  }
  if (status !== current.status) {
    if (NEXT[current.status] !== status) {
      const expected = NEXT[current.status];
      throw new StateConflictError(
        expected === undefined
          ? `case ${current.caseId} is resolved; its status cannot change`
          : `case ${current.caseId} is ${current.status}: the next status is ${expected}, not ${status}`,
        'status',
        current.version,
      );
    }
    if (status === 'resolved') {
      if (change.resolutionNote === undefined) {
        throw ValidationError.field('resolutionNote', 'is required to resolve a case');
      }
      next.resolvedAt = at;
      next.resolvedBy = by;
      next.resolutionNote = change.resolutionNote;
    } else {
      next.acknowledgedAt = at;
      next.acknowledgedBy = by;
    }
    next.status = status;
    entries.push({ at, author: by, kind: 'status', from: current.status, to: status });
  } else if (change.resolutionNote !== undefined && change.resolutionNote !== current.resolutionNote) {
    throw new StateConflictError(
      `case ${current.caseId} is resolved already; add a note instead`,
      'resolutionNote',
      current.version,
    );
  }
  if (change.priority !== undefined && change.priority !== current.priority) {
    entries.push({ at, author: by, kind: 'priority', from: current.priority, to: change.priority });
    next.priority = change.priority;
  }
  if (change.category !== undefined && change.category !== current.category) {
    entries.push({ at, author: by, kind: 'category', from: current.category, to: change.category });
    next.category = change.category;
  }
  if (change.assignee !== undefined && (change.assignee ?? undefined) !== current.assignee) {
    entries.push({
      at,
      author: by,
      kind: 'assignment',
      ...(current.assignee ? { from: current.assignee } : {}),
      ...(change.assignee ? { to: change.assignee } : {}),
    });
    if (change.assignee === null) delete next.assignee;
    else next.assignee = change.assignee;
  }
  if (entries.length === 0) return current;
  return { ...next, history: withEntries(current, entries), version: current.version + 1, updatedAt: at };
}

/**
 * The case with a staff note added, at the next version.
 *
 * @param current - the stored case
 * @param text - the note (validated at the edge)
 * @param by - the author's subject
 * @param now - when it was written
 */
export function addCaseNote(current: FeedbackCase, text: string, by: string, now: DateTime): FeedbackCase {
  const at = toUtcIso(now);
  return {
    ...current,
    history: withEntries(current, [{ at, author: by, kind: 'note', text }]),
    version: current.version + 1,
    updatedAt: at,
  };
}

/**
 * The next due time that has not been reported overdue and still matters
 * (acknowledgement while open, resolution until resolved); undefined when none is left.
 *
 * @param current - the case
 */
export function nextDue(current: FeedbackCase): { stage: CaseStage; at: string } | undefined {
  if (current.status === 'resolved') return undefined;
  if (current.status === 'open' && current.reportedOverdue.acknowledge === undefined) {
    return { stage: 'acknowledge', at: current.acknowledgeDueAt };
  }
  if (current.reportedOverdue.resolve === undefined) return { stage: 'resolve', at: current.resolveDueAt };
  return undefined;
}

/**
 * The stages a case is past due on now: acknowledgement while still open,
 * resolution while not resolved.
 *
 * @param current - the case
 * @param now - the instant to judge at
 */
export function overdueStages(current: FeedbackCase, now: DateTime): CaseStage[] {
  const stages: CaseStage[] = [];
  if (current.status === 'open' && parseUtc(current.acknowledgeDueAt) <= now) stages.push('acknowledge');
  if (current.status !== 'resolved' && parseUtc(current.resolveDueAt) <= now) stages.push('resolve');
  return stages;
}

/**
 * The case with one due time recorded as reported overdue (by the sweep), at the next version.
 *
 * @param current - the case
 * @param stage - the due time that passed
 * @param now - when the sweep saw it
 */
export function markOverdue(current: FeedbackCase, stage: CaseStage, now: DateTime): FeedbackCase {
  const at = toUtcIso(now);
  return {
    ...current,
    reportedOverdue: { ...current.reportedOverdue, [stage]: at },
    // At most two of these, so a full case can still take them.
    history: [...current.history, { at, author: SYSTEM_AUTHOR, kind: 'overdue' as const, to: stage }],
    version: current.version + 1,
    updatedAt: at,
  };
}
