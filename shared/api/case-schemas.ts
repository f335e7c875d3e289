/**
 * The request and response shapes of the case routes (feedback cases,
 * issue 13). Kept beside schemas.ts so the OpenAPI document is built from
 * the same zod schemas that validate the requests.
 */
import * as z from 'zod';
import {
  CASE_CATEGORIES,
  CASE_ENTRY_KINDS,
  CASE_SOURCES,
  CASE_STAGES,
  CASE_STATUSES,
  CaseLinksSchema,
  NoteTextSchema,
} from '../domain/cases/case';
import { PRIORITIES } from '../domain/constants';
import { EntityIdSchema, TimeZoneSchema } from '../domain/model';

/** A staff user id (a token's subject or a user pool sub). */
const StaffUserIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be a staff user id: 1–128 letters, digits, . _ : @ -');

/** POST …/cases: a case staff open by hand (a complaint by phone or at the desk). */
export const CaseCreateBodySchema = z.strictObject({
  summary: NoteTextSchema.describe('what the patient said or what happened (shown to staff, never logged)'),
  priority: z.enum(PRIORITIES).default('high').describe('complaints and feedback rank high'),
  category: z.enum(CASE_CATEGORIES).default('other'),
  assignee: StaffUserIdSchema.optional(),
  links: CaseLinksSchema.pick({ patientId: true, appointmentId: true }).default({}),
});
export type CaseCreateBody = z.output<typeof CaseCreateBodySchema>;

/** PATCH …/cases/{caseId}: status one step forward, assignment, priority, category. */
export const CasePatchBodySchema = z
  .strictObject({
    status: z.enum(CASE_STATUSES).optional(),
    priority: z.enum(PRIORITIES).optional(),
    category: z.enum(CASE_CATEGORIES).optional(),
    assignee: StaffUserIdSchema.nullable().optional().describe('null unassigns'),
    resolutionNote: NoteTextSchema.optional().describe('required with status resolved'),
  })
  // Only on a body that passed: `{ "summary": … }` alone is one problem (the unknown field), not two.
  .refine((body) => Object.keys(body).length > 0, {
    message: 'must change at least one field',
    when: (payload) => payload.issues.length === 0,
  });
export type CasePatchBody = z.output<typeof CasePatchBodySchema>;

/** POST …/cases/{caseId}/notes. */
export const CaseNoteBodySchema = z.strictObject({ text: NoteTextSchema });

const booleanText = z.enum(['true', 'false']).transform((text) => text === 'true');

/** GET …/cases: every filter optional. */
export const CaseQuerySchema = z.strictObject({
  status: z.enum(CASE_STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  category: z.enum(CASE_CATEGORIES).optional(),
  overdue: booleanText.optional().describe('true: past a due time now; false: not'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2000).optional(),
});
export type CaseQuery = z.output<typeof CaseQuerySchema>;

export const CaseIdPathSchema = z.object({ caseId: z.string() });

const LocalInstant = z.string().describe('ISO 8601 with the offset of the clinic zone');

export const CaseEntrySchema = z.object({
  at: z.string(),
  author: z.string().describe('the staff user’s token subject, or system'),
  kind: z.enum(CASE_ENTRY_KINDS),
  text: z.string().optional().describe('a note’s words'),
  from: z.string().optional(),
  to: z.string().optional(),
});

export const CaseViewSchema = z.object({
  clinicId: z.string(),
  caseId: z.string(),
  status: z.enum(CASE_STATUSES),
  priority: z.enum(PRIORITIES),
  category: z.enum(CASE_CATEGORIES),
  source: z.enum(CASE_SOURCES),
  summary: z.string().optional(),
  complaintPhrase: z.string().optional().describe('the wording that read as a complaint (folded)'),
  assignee: z.string().optional(),
  links: z.object({
    patientId: EntityIdSchema.optional(),
    appointmentId: EntityIdSchema.optional(),
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
    .describe('when each due time was reported overdue (CaseOverdue), once each'),
  history: z.array(CaseEntrySchema),
  version: z.int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  overdue: z.boolean().describe('past a due time now: acknowledgement while open, resolution until resolved'),
  overdueStages: z.array(z.enum(CASE_STAGES)),
  timeZone: TimeZoneSchema.describe('the clinic zone'),
  acknowledgeDueLocal: LocalInstant,
  resolveDueLocal: LocalInstant,
});
export type CaseView = z.output<typeof CaseViewSchema>;

export const CasePageSchema = z.object({
  items: z
    .array(CaseViewSchema)
    .describe('with a status: open/acknowledged soonest due first, resolved newest first'),
  cursor: z
    .string()
    .optional()
    .describe('pass back (with the same filters) for the next page; absent on the last'),
});
export type CasePage = z.output<typeof CasePageSchema>;
