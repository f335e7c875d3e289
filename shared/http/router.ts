/**
 * A small router for the staff API: routes are data (method, path pattern,
 * documentation, handler), so the same table serves requests and generates
 * the OpenAPI document.
 */
import type { z } from 'zod';
import { NotFoundError, ValidationError } from '../domain/errors';
import type { Role } from '../domain/roles';
import { MethodNotAllowedError } from './errors';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH';

export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** A body served as it is (the survey page's HTML) instead of `body` as JSON; `headers` say its type. */
  text?: string;
}

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** The response carries an ETag with the record's version. */
  etag?: boolean;
  /** The response is an HTML page (the survey page), not JSON. */
  html?: boolean;
}

export interface RouteDoc {
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  query?: z.ZodObject;
  /** Request bodies by media type. */
  body?: { required: boolean; content: Record<string, { schema: z.ZodType; description?: string }> };
  /** The route reads If-Match (required for updates, or optional). */
  ifMatch?: 'update' | 'optional';
  /** The route honours an optional `Idempotency-Key` header: what a retry with the same key gets. */
  idempotencyKey?: string;
  responses: Record<number, ResponseDoc>;
}

interface RouteBase<C> {
  method: HttpMethod;
  /** `/v1/clinics/{clinicId}/patients/{patientId}` */
  path: string;
  doc: RouteDoc;
  handle(context: C, params: Record<string, string>): Promise<ApiResult>;
}

/**
 * A route of the table. Public routes need no token; every other route
 * needs one naming the clinic and names the role it needs: this table is
 * the one place that says so (the OpenAPI document's `x-required-role` and
 * docs/api.md's roles table are checked against it).
 */
export type Route<C> = RouteBase<C> & ({ public: true; role?: never } | { public?: false; role: Role });

export interface Match<C> {
  route: Route<C>;
  params: Record<string, string>;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw ValidationError.field('path', 'is not a valid URL path');
  }
}

/** Path parameters if `path` fits `pattern`, else undefined. */
function paramsIfFits(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const expected = want[i] ?? '';
    const actual = got[i] ?? '';
    if (expected.startsWith('{') && expected.endsWith('}')) {
      if (actual === '') return undefined;
      params[expected.slice(1, -1)] = decodeSegment(actual);
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/**
 * The route for a method and path.
 *
 * @param routes - the route table
 * @param method - the HTTP method
 * @param path - the raw path
 * @throws NotFoundError when no route has this path
 * @throws MethodNotAllowedError when routes have it, but not for this method
 */
export function matchRoute<C>(routes: readonly Route<C>[], method: string, path: string): Match<C> {
  const candidates = routes
    .map((route) => ({ route, params: paramsIfFits(route.path, path) }))
    .filter((candidate): candidate is Match<C> => candidate.params !== undefined);
  if (candidates.length === 0) throw new NotFoundError(`No route for ${path}.`);
  const found = candidates.find((candidate) => candidate.route.method === method.toUpperCase());
  if (!found) {
    const allow = candidates.map((candidate) => candidate.route.method);
    throw new MethodNotAllowedError(`${method} is not allowed here; use ${allow.join(' or ')}.`, allow);
  }
  return found;
}
