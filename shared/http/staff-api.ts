/**
 * The staff API: every route, its documentation, and {@link serveStaffApi},
 * the one entry point that turns an API Gateway HTTP API (payload 2.0)
 * event into its result. The Lambda handler (functions/staff-api) and local
 * mode's HTTP server both call it.
 *
 * Order of checks on every request: route (404/405), then the token (401)
 * and the clinic it names (403) before anything is read or written, then
 * path ids, body size (413), media type (415) and body fields (400).
 */
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { FhirBundleSchema } from '../api/import/fhir';
import { buildOpenApiDocument } from '../api/openapi';
import {
  AppointmentBodySchema,
  AppointmentPageSchema,
  AppointmentViewSchema,
  CancelBodySchema,
  ClinicBodySchema,
  ClinicResponseSchema,
  EmptyBodySchema,
  HealthSchema,
  ImportReportSchema,
  ListAppointmentsQuerySchema,
  MetricsQuerySchema,
  MetricsSchema,
  PatientBodySchema,
  PatientResponseSchema,
  TimelineSchema,
} from '../api/schemas';
import { AppError, ValidationError } from '../domain/errors';
import { ClinicIdSchema, EntityIdSchema } from '../domain/model';
import type { Clock } from '../domain/time';
import { parseOrThrow } from '../domain/validation';
import type { AppLogger } from '../ports/outbound';
import type {
  AppointmentRepository,
  ClinicRepository,
  MessageRepository,
  PatientRepository,
} from '../ports/repositories';
import {
  appointmentTimeline,
  getAppointment,
  listAppointments,
  putAppointment,
  setAppointmentStatus,
} from '../use-cases/staff/appointments';
import { getClinic, saveClinic } from '../use-cases/staff/clinics';
import type { SaveOutcome } from '../use-cases/staff/common';
import { importAppointments } from '../use-cases/staff/import-appointments';
import { clinicMetrics } from '../use-cases/staff/metrics';
import { getPatient, savePatient } from '../use-cases/staff/patients';
import { type Principal, principalOf, requireClinic } from './auth';
import type { StaffApiConfig } from './env';
import { errorResponse, UnsupportedMediaTypeError } from './errors';
import {
  type ApiEvent,
  bodyBytes,
  etagOf,
  expectedVersionOf,
  headersOf,
  jsonBody,
  mediaTypeOf,
  queryOf,
} from './request';
import { type ApiResult, matchRoute, type Route } from './router';

export interface StaffApiDeps {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  messages: MessageRepository;
  clock: Clock;
  logger: AppLogger;
  config: StaffApiConfig;
}

interface RequestContext {
  deps: StaffApiDeps;
  event: ApiEvent;
  headers: Record<string, string>;
  /** Set on every clinic route (they are never public). */
  principal: Principal;
}

const STATUS_OF: Record<SaveOutcome, number> = { created: 201, updated: 200, unchanged: 200 };

function saved(result: { record: { version: number }; outcome: SaveOutcome }): ApiResult {
  return {
    status: STATUS_OF[result.outcome],
    body: result.record,
    headers: { etag: etagOf(result.record.version) },
  };
}

function withEtag(record: { version: number }): ApiResult {
  return { status: 200, body: record, headers: { etag: etagOf(record.version) } };
}

const clinicParam = (params: Record<string, string>) => params.clinicId ?? '';

/** Checks path ids (the clinic id was already matched against the token). */
function ids<K extends 'patientId' | 'appointmentId'>(params: Record<string, string>, key: K) {
  const issues = [
    ...(ClinicIdSchema.safeParse(params.clinicId).success
      ? []
      : [{ path: 'clinicId', message: 'must be 1–48 lowercase letters, digits or hyphens' }]),
    ...(EntityIdSchema.safeParse(params[key]).success
      ? []
      : [{ path: key, message: 'must be 1–64 letters, digits, dot, underscore or hyphen' }]),
  ];
  if (issues.length > 0) throw new ValidationError(issues);
  return { clinicId: params.clinicId ?? '', [key]: params[key] ?? '' } as { clinicId: string } & Record<
    K,
    string
  >;
}

function clinicId(params: Record<string, string>): string {
  return parseOrThrow(z.object({ clinicId: ClinicIdSchema }), params).clinicId;
}

const ERRORS = {
  400: { description: 'Invalid request: `error.issues` lists every bad field by path' },
  401: { description: 'No valid bearer token' },
  403: { description: 'The token does not name this clinic' },
  404: { description: 'No such clinic or record' },
} as const;

const IMPORT_MEDIA = ['text/csv', 'application/fhir+json', 'application/json'];

/** The status-change routes share one shape. */
function statusRoute(
  action: 'cancel' | 'complete' | 'no-show',
  summary: string,
  change: (body: unknown) => Parameters<typeof setAppointmentStatus>[2],
  bodySchema: z.ZodType,
): Route<RequestContext> {
  return {
    method: 'POST',
    path: `/v1/clinics/{clinicId}/appointments/{appointmentId}/${action}`,
    doc: {
      operationId: `${action === 'no-show' ? 'markNoShow' : action === 'cancel' ? 'cancelAppointment' : 'completeAppointment'}`,
      summary,
      description:
        'Repeating the same change returns the appointment unchanged (a retried cancel sends no second notice). ' +
        'If-Match is optional here; when sent, a stale version is refused with 409.',
      tag: 'Appointments',
      body: { required: false, content: { 'application/json': { schema: bodySchema } } },
      ifMatch: 'optional',
      responses: {
        200: { description: 'The appointment after the change', schema: AppointmentViewSchema, etag: true },
        ...ERRORS,
        409: { description: 'The appointment cannot take this status (or If-Match is stale)' },
      },
    },
    async handle({ deps, event, headers }, params) {
      const appointment = ids(params, 'appointmentId');
      const body = jsonBody(event, deps.config.jsonMaxBytes, { emptyAllowed: true });
      const result = await setAppointmentStatus(deps, appointment, change(body), expectedVersionOf(headers));
      return { status: 200, body: result.view, headers: { etag: etagOf(result.view.version) } };
    },
  };
}

/** Every route of the staff API. */
export const STAFF_API_ROUTES: readonly Route<RequestContext>[] = [
  {
    method: 'GET',
    path: '/health',
    public: true,
    doc: {
      operationId: 'health',
      summary: 'Liveness check',
      tag: 'Service',
      responses: { 200: { description: 'The API answers', schema: HealthSchema } },
    },
    async handle() {
      return { status: 200, body: { status: 'ok' } };
    },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    public: true,
    doc: {
      operationId: 'openapi',
      summary: 'This OpenAPI 3.1 document',
      tag: 'Service',
      responses: { 200: { description: 'The OpenAPI document' } },
    },
    async handle() {
      return { status: 200, body: openApiDocument(), headers: { 'cache-control': 'public, max-age=300' } };
    },
  },
  {
    method: 'PUT',
    path: '/v1/clinics/{clinicId}',
    doc: {
      operationId: 'putClinic',
      summary: 'Create a clinic or replace its settings',
      description:
        'Every template the clinic would send (its own and the built-in ones, in each of its languages) is ' +
        'rendered with worst-case values; one over the SMS segment budget or with an unknown variable is ' +
        'refused with 400 naming the template (`policy.templates.reminder.es.sms`) and its length.',
      tag: 'Clinics',
      body: { required: true, content: { 'application/json': { schema: ClinicBodySchema } } },
      ifMatch: 'update',
      responses: {
        200: { description: 'Updated (or unchanged)', schema: ClinicResponseSchema, etag: true },
        201: { description: 'Created', schema: ClinicResponseSchema, etag: true },
        ...ERRORS,
        409: { description: 'If-Match names a version that is not the stored one' },
      },
    },
    async handle({ deps, event, headers }, params) {
      const id = clinicId(params);
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      return saved(await saveClinic(deps, id, body, expectedVersionOf(headers)));
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}',
    doc: {
      operationId: 'getClinic',
      summary: 'A clinic’s settings',
      tag: 'Clinics',
      responses: { 200: { description: 'The clinic', schema: ClinicResponseSchema, etag: true }, ...ERRORS },
    },
    async handle({ deps }, params) {
      return withEtag(await getClinic(deps, clinicId(params)));
    },
  },
  {
    method: 'PUT',
    path: '/v1/clinics/{clinicId}/patients/{patientId}',
    doc: {
      operationId: 'putPatient',
      summary: 'Create a patient or replace their contact details and preferences',
      description:
        'Opt-outs and consent are kept unless named. `optOuts.sms: true` records a staff opt-out now; ' +
        '`false` lifts one that staff or an import recorded; a patient’s own STOP cannot be lifted by staff (400).',
      tag: 'Patients',
      body: { required: true, content: { 'application/json': { schema: PatientBodySchema } } },
      ifMatch: 'update',
      responses: {
        200: { description: 'Updated (or unchanged)', schema: PatientResponseSchema, etag: true },
        201: { description: 'Created', schema: PatientResponseSchema, etag: true },
        ...ERRORS,
        409: { description: 'If-Match names a version that is not the stored one' },
      },
    },
    async handle({ deps, event, headers, principal }, params) {
      const patient = ids(params, 'patientId');
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      return saved(await savePatient(deps, patient, body, expectedVersionOf(headers), principal));
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/patients/{patientId}',
    doc: {
      operationId: 'getPatient',
      summary: 'A patient',
      tag: 'Patients',
      responses: {
        200: { description: 'The patient', schema: PatientResponseSchema, etag: true },
        ...ERRORS,
      },
    },
    async handle({ deps }, params) {
      return withEtag(await getPatient(deps, ids(params, 'patientId')));
    },
  },
  {
    method: 'PUT',
    path: '/v1/clinics/{clinicId}/appointments/{appointmentId}',
    doc: {
      operationId: 'putAppointment',
      summary: 'Book an appointment or change a booked one',
      description:
        '`startAt` is a UTC instant. A new booking must start in the future; a change needs If-Match with ' +
        'the version read (ETag). Moving the start, duration, location or video link withdraws the messages ' +
        'of the old time and plans new ones.',
      tag: 'Appointments',
      body: { required: true, content: { 'application/json': { schema: AppointmentBodySchema } } },
      ifMatch: 'update',
      responses: {
        200: { description: 'Updated (or unchanged)', schema: AppointmentViewSchema, etag: true },
        201: { description: 'Booked', schema: AppointmentViewSchema, etag: true },
        ...ERRORS,
        409: { description: 'Stale If-Match, or the appointment is no longer booked' },
      },
    },
    async handle({ deps, event, headers }, params) {
      const appointment = ids(params, 'appointmentId');
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      const result = await putAppointment(deps, appointment, body, expectedVersionOf(headers));
      return {
        status: STATUS_OF[result.outcome],
        body: result.view,
        headers: { etag: etagOf(result.view.version) },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/appointments/{appointmentId}',
    doc: {
      operationId: 'getAppointment',
      summary: 'An appointment',
      tag: 'Appointments',
      responses: {
        200: { description: 'The appointment', schema: AppointmentViewSchema, etag: true },
        ...ERRORS,
      },
    },
    async handle({ deps }, params) {
      return withEtag(await getAppointment(deps, ids(params, 'appointmentId')));
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/appointments',
    doc: {
      operationId: 'listAppointments',
      summary: 'Appointments starting in a period, in start order',
      description:
        '`from` and `to` are each a UTC instant (`2026-12-01T14:00:00Z`) or a local date (`2026-12-01`) read ' +
        'as midnight at the start of that day in the clinic’s zone. The period is [from, to), at most 366 days. ' +
        'Pages hold up to `limit` items; pass `cursor` back, with the same from and to, for the next page.',
      tag: 'Appointments',
      query: ListAppointmentsQuerySchema,
      responses: { 200: { description: 'One page', schema: AppointmentPageSchema }, ...ERRORS },
    },
    async handle({ deps, event }, params) {
      return { status: 200, body: await listAppointments(deps, clinicId(params), queryOf(event)) };
    },
  },
  statusRoute(
    'cancel',
    'Cancel an appointment',
    (body) => {
      const { cancelledBy } = parseOrThrow(CancelBodySchema, body);
      return { to: 'cancelled', by: cancelledBy };
    },
    CancelBodySchema,
  ),
  statusRoute(
    'complete',
    'Mark an appointment completed (from an hour before its start)',
    (body) => {
      parseOrThrow(EmptyBodySchema, body);
      return { to: 'completed' };
    },
    EmptyBodySchema,
  ),
  statusRoute(
    'no-show',
    'Mark an appointment a no-show (after its start)',
    (body) => {
      parseOrThrow(EmptyBodySchema, body);
      return { to: 'no-show' };
    },
    EmptyBodySchema,
  ),
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/appointments/{appointmentId}/messages',
    doc: {
      operationId: 'getAppointmentMessages',
      summary: 'Every message planned for an appointment, with status and reason',
      description:
        'Pending, queued, sent, skipped (with the reason: appointment-moved, opted-out, quiet-hours, …), ' +
        'failed and unknown messages, in due order. Times are given in UTC, in the zone the message is ' +
        'planned in (the patient’s if set, else the clinic’s) and in the clinic’s zone.',
      tag: 'Appointments',
      responses: { 200: { description: 'The timeline', schema: TimelineSchema }, ...ERRORS },
    },
    async handle({ deps }, params) {
      return { status: 200, body: await appointmentTimeline(deps, ids(params, 'appointmentId')) };
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/metrics',
    doc: {
      operationId: 'getClinicMetrics',
      summary: 'Messages by kind, channel and status; no-show rate; opt-outs; send lag',
      description:
        'Computed on request from the appointments that start in [from, to) (same bounds as the list, at ' +
        'most 92 days and 2000 appointments) and every message planned for them. `method` in the response ' +
        'states exactly how, and what is not counted.',
      tag: 'Clinics',
      query: MetricsQuerySchema,
      responses: { 200: { description: 'The figures', schema: MetricsSchema }, ...ERRORS },
    },
    async handle({ deps, event }, params) {
      return { status: 200, body: await clinicMetrics(deps, clinicId(params), queryOf(event)) };
    },
  },
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/imports',
    doc: {
      operationId: 'importAppointments',
      summary: 'Import appointments and patients from CSV or a FHIR R4 Bundle',
      description:
        'Every row is checked first; valid rows are applied, rejected rows change nothing, and the report ' +
        'lists each row as created, updated, unchanged or rejected (with the field of the file and why). ' +
        'Importing the same file again changes nothing. The file is the source of truth: no If-Match. ' +
        'Limits: 1 MiB and 1000 rows by default (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS); beyond them, 413. ' +
        'See docs/api.md for the CSV columns and the FHIR mapping.',
      tag: 'Imports',
      body: {
        required: true,
        content: {
          'text/csv': {
            schema: z.string(),
            description: 'Header line, then one appointment with its patient per line (see docs/api.md).',
          },
          'application/fhir+json': { schema: FhirBundleSchema, description: 'A FHIR R4 Bundle' },
        },
      },
      responses: {
        200: { description: 'The per-row report', schema: ImportReportSchema },
        ...ERRORS,
        413: { description: 'The file is over the byte or row limit' },
        415: { description: 'Neither text/csv nor application/fhir+json' },
      },
    },
    async handle({ deps, event, headers }, params) {
      const id = clinicId(params);
      const mediaType = mediaTypeOf(headers);
      if (!mediaType || !IMPORT_MEDIA.includes(mediaType)) {
        throw new UnsupportedMediaTypeError(
          `Send the import as text/csv or application/fhir+json${mediaType ? `, not ${mediaType}` : ''}.`,
          IMPORT_MEDIA,
        );
      }
      const bytes = bodyBytes(event, deps.config.importMaxBytes, 'import');
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw ValidationError.field('body', 'is not UTF-8 text');
      }
      const format = mediaType === 'text/csv' ? 'csv' : 'fhir';
      const report = await importAppointments(
        deps,
        id,
        { format, text },
        { maxRows: deps.config.importMaxRows },
      );
      return { status: 200, body: report };
    },
  },
];

let cachedDocument: unknown;

/** The OpenAPI document of {@link STAFF_API_ROUTES} (built once). */
export function openApiDocument(): unknown {
  cachedDocument ??= buildOpenApiDocument(STAFF_API_ROUTES);
  return cachedDocument;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** The stack without its first line, which carries the message (it may hold request data). */
function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack?.split('\n').slice(1, 6).join('\n') : undefined;
}

/**
 * Serves one staff API request. Never throws: every error becomes its HTTP
 * response (errorResponse), and a request is logged with ids and codes
 * only, never a body, name, phone number or email.
 *
 * @param deps - repositories, clock, logger and limits
 * @param event - an API Gateway HTTP API payload 2.0 event (local mode builds one with toApiEvent)
 */
export async function serveStaffApi(
  deps: StaffApiDeps,
  event: ApiEvent,
): Promise<APIGatewayProxyStructuredResultV2> {
  const started = performance.now();
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  let route: string | undefined;
  let clinic: string | undefined;
  let result: ApiResult;
  let code: string | undefined;
  try {
    const match = matchRoute(STAFF_API_ROUTES, method, path);
    route = match.route.path;
    const headers = headersOf(event);
    if (match.route.public) {
      result = await match.route.handle({ deps, event, headers } as RequestContext, match.params);
    } else {
      const principal = principalOf(event, deps.config.clinicsClaim);
      clinic = clinicParam(match.params);
      requireClinic(principal, clinic);
      result = await match.route.handle({ deps, event, headers, principal }, match.params);
    }
  } catch (error) {
    const mapped = errorResponse(error);
    code = mapped.code;
    result = { status: mapped.statusCode, body: mapped.body, headers: mapped.headers };
    if (mapped.statusCode >= 500) {
      deps.logger.error('staff API request failed', {
        method,
        route,
        clinicId: clinic,
        errorName: error instanceof Error ? error.name : typeof error,
        appError: error instanceof AppError,
        stack: stackOf(error),
      });
    }
  }
  deps.logger.info('staff API request', {
    method,
    route: route ?? 'unmatched',
    clinicId: clinic,
    status: result.status,
    ...(code ? { code } : {}),
    ms: Math.round(performance.now() - started),
  });
  return {
    statusCode: result.status,
    headers: { ...JSON_HEADERS, ...result.headers },
    body: JSON.stringify(result.body),
  };
}
