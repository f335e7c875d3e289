/**
 * The feedback case routes: open by hand, list with filters, read, change
 * at a version (If-Match), add notes.
 */
import {
  CaseCreateBodySchema,
  CaseNoteBodySchema,
  CasePageSchema,
  CasePatchBodySchema,
  CaseQuerySchema,
  CaseViewSchema,
} from '../../api/case-schemas';
import {
  addNote,
  caseIdOf,
  changeCaseAtVersion,
  createCase,
  getCase,
  listCases,
} from '../../use-cases/staff/cases';
import { etagOf, expectedVersionOf, jsonBody, queryOf } from '../request';
import type { ApiResult } from '../router';
import { ERRORS, pathClinicId, type StaffRoute, withEtag } from './context';

const TAG = 'Cases';

function caseIds(params: Record<string, string>) {
  return { clinicId: pathClinicId(params), caseId: caseIdOf(params.caseId) };
}

function created(record: { version: number }): ApiResult {
  return { status: 201, body: record, headers: { etag: etagOf(record.version) } };
}

export const CASE_ROUTES: readonly StaffRoute[] = [
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/cases',
    role: 'staff',
    doc: {
      operationId: 'createCase',
      summary: 'Open a feedback case by hand (a complaint by phone or at the desk)',
      description:
        'Opens `open`, priority `high` and category `other` unless given, with due times to acknowledge and to ' +
        "resolve in business days of the clinic's zone and hours (`policy.cases`). Cases also open by themselves " +
        'for a reply that reads as a complaint and for a detractor score. Links must name a patient and a visit ' +
        "of the clinic, the visit that patient's: otherwise 400 naming `links.patientId` or `links.appointmentId`.",
      tag: TAG,
      body: { required: true, content: { 'application/json': { schema: CaseCreateBodySchema } } },
      responses: { 201: { description: 'The case', schema: CaseViewSchema, etag: true }, ...ERRORS },
    },
    async handle({ deps, event, principal }, params) {
      const clinicId = pathClinicId(params);
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      return created(await createCase(deps, clinicId, body, principal.subject));
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/cases',
    role: 'staff',
    doc: {
      operationId: 'listCases',
      summary: 'A clinic’s feedback cases, filtered, in pages',
      description:
        'Filters: `status` (open, acknowledged, resolved), `priority`, `category`, `overdue` (true or false, ' +
        'judged now). With a status, open and acknowledged cases come soonest due first and resolved ones ' +
        'newest first; without, in id order. A page may hold fewer than `limit` items when filters leave some ' +
        'out: follow `cursor` (with the same filters) until it is absent.',
      tag: TAG,
      query: CaseQuerySchema,
      responses: { 200: { description: 'One page', schema: CasePageSchema }, ...ERRORS },
    },
    async handle({ deps, event }, params) {
      return { status: 200, body: await listCases(deps, pathClinicId(params), queryOf(event)) };
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/cases/{caseId}',
    role: 'staff',
    doc: {
      operationId: 'getCase',
      summary: 'One feedback case with its history',
      tag: TAG,
      responses: { 200: { description: 'The case', schema: CaseViewSchema, etag: true }, ...ERRORS },
    },
    async handle({ deps }, params) {
      return withEtag(await getCase(deps, caseIds(params)));
    },
  },
  {
    method: 'PATCH',
    path: '/v1/clinics/{clinicId}/cases/{caseId}',
    role: 'staff',
    doc: {
      operationId: 'changeCase',
      summary: 'Acknowledge, resolve, assign or re-rank a case',
      description:
        'Status moves one step: `open` → `acknowledged` → `resolved`; a skipped or backward step is 409 with ' +
        '`issues` naming `status`. Resolving needs `resolutionNote` (400 naming it without). `assignee: null` ' +
        'unassigns. If-Match with the ETag read is required (400 without, 409 when stale). Every change lands ' +
        'in the history with its author (the token’s subject).',
      tag: TAG,
      body: { required: true, content: { 'application/json': { schema: CasePatchBodySchema } } },
      ifMatch: 'update',
      responses: {
        200: { description: 'The case after the change', schema: CaseViewSchema, etag: true },
        ...ERRORS,
        409: {
          description: 'A skipped or backward status step (issues name the field), or a stale If-Match',
        },
      },
    },
    async handle({ deps, event, headers, principal }, params) {
      const ids = caseIds(params);
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      return withEtag(
        await changeCaseAtVersion(deps, ids, body, expectedVersionOf(headers), principal.subject),
      );
    },
  },
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/cases/{caseId}/notes',
    role: 'staff',
    doc: {
      operationId: 'addCaseNote',
      summary: 'Add a note to a case’s history',
      description:
        'Notes only append, so no If-Match is needed. The author is the token’s subject. A case keeps at most ' +
        '100 history entries (409 naming `history` beyond).',
      tag: TAG,
      body: { required: true, content: { 'application/json': { schema: CaseNoteBodySchema } } },
      responses: {
        201: { description: 'The case with the note', schema: CaseViewSchema, etag: true },
        ...ERRORS,
        409: { description: 'The case holds the most entries it keeps' },
      },
    },
    async handle({ deps, event, principal }, params) {
      const ids = caseIds(params);
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      return created(await addNote(deps, ids, body, principal.subject));
    },
  },
];
