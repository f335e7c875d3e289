/**
 * The staff API: the table of every route (each resource's routes and their
 * documentation live in ./routes/), the OpenAPI document built from it, and
 * {@link serveStaffApi},
 * the one entry point that turns an API Gateway HTTP API (payload 2.0)
 * event into its result. The Lambda handler (functions/staff-api) and local
 * mode's HTTP server both call it.
 *
 * Order of checks on every request: route (404/405), then the token (401),
 * the clinic it names and the route's role (403) before anything is read or
 * written, then
 * path ids, body size (413), media type (415) and body fields (400).
 */
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { buildOpenApiDocument } from '../api/openapi';
import { inClinicScope } from '../clinic-scope';
import { AppError } from '../domain/errors';
import { principalOf, requireClinic, requireRole } from './auth';
import { errorResponse } from './errors';
import { type ApiEvent, headersOf } from './request';
import { type ApiResult, matchRoute } from './router';
import { APPOINTMENT_ROUTES } from './routes/appointments';
import { BROADCAST_ROUTES } from './routes/broadcasts';
import { CARE_REMINDER_ROUTES } from './routes/care-reminders';
import { CASE_ROUTES } from './routes/cases';
import { CLINIC_ROUTES } from './routes/clinics';
import type { RequestContext, StaffApiDeps, StaffRoute } from './routes/context';
import { IMPORT_ROUTES } from './routes/imports';
import { INBOX_ROUTES } from './routes/inbox';
import { METRICS_ROUTES } from './routes/metrics';
import { PATIENT_ROUTES } from './routes/patients';
import { serviceRoutes } from './routes/service';
import { SURVEY_PAGE_ROUTES } from './routes/survey-page';

export type { StaffApiDeps } from './routes/context';

/** Every route of the staff API, in the order the OpenAPI document lists them. */
export const STAFF_API_ROUTES: readonly StaffRoute[] = [
  ...serviceRoutes(() => openApiDocument()),
  ...CLINIC_ROUTES,
  ...PATIENT_ROUTES,
  ...APPOINTMENT_ROUTES,
  ...INBOX_ROUTES,
  ...BROADCAST_ROUTES,
  ...CARE_REMINDER_ROUTES,
  ...CASE_ROUTES,
  ...METRICS_ROUTES,
  ...IMPORT_ROUTES,
  ...SURVEY_PAGE_ROUTES,
];

const clinicParam = (params: Record<string, string>) => params.clinicId ?? '';

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
      requireRole(principal, match.route.role, `${match.route.method} ${match.route.path}`);
      const scoped = clinic;
      // Second layer under requireClinic: a guarded DynamoDB client refuses
      // any request of this handling keyed by another clinic.
      result = await inClinicScope(scoped, () =>
        match.route.handle({ deps, event, headers, principal }, match.params),
      );
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
    body: result.text ?? JSON.stringify(result.body),
  };
}
