/**
 * Reading an API Gateway HTTP API (payload 2.0) request: headers, query,
 * body with a size limit, JSON, and the If-Match version. The same event
 * shape comes from API Gateway in AWS and from local mode's HTTP server.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { PayloadTooLargeError, ValidationError } from '../domain/errors';
import { UnsupportedMediaTypeError } from './errors';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** Header names lower-cased (HTTP API already does this; local mode might not). */
export function headersOf(event: ApiEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** The media type of a Content-Type header, lower-cased and without parameters. */
export function mediaTypeOf(headers: Record<string, string>): string | undefined {
  const value = headers['content-type'];
  if (!value) return undefined;
  return value.split(';')[0]?.trim().toLowerCase() || undefined;
}

/**
 * The raw body, decoded, refused with 413 when it is longer than `maxBytes`.
 *
 * @param event - the request
 * @param maxBytes - the largest body accepted
 * @param what - how to name the body in the 413 message
 */
export function bodyBytes(event: ApiEvent, maxBytes: number, what = 'request body'): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  // A base64 text is 4/3 of its bytes: refuse before decoding a huge one.
  const estimate = event.isBase64Encoded ? Math.floor((event.body.length * 3) / 4) : event.body.length;
  if (estimate > maxBytes * 4) throw tooLarge(what, estimate, maxBytes);
  const bytes = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > maxBytes) throw tooLarge(what, bytes.length, maxBytes);
  return bytes;
}

function tooLarge(what: string, size: number, limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The ${what} is ${size} bytes; the limit is ${limit} bytes.`, limit);
}

/**
 * The body as a JSON object. An empty body is `{}` when `emptyAllowed`
 * (status-change routes), else a 400. A Content-Type other than JSON is a 415.
 *
 * @param event - the request
 * @param maxBytes - the largest body accepted
 * @param options - whether an empty body stands for `{}`
 */
export function jsonBody(
  event: ApiEvent,
  maxBytes: number,
  options: { emptyAllowed?: boolean } = {},
): unknown {
  const headers = headersOf(event);
  const mediaType = mediaTypeOf(headers);
  const bytes = bodyBytes(event, maxBytes);
  if (bytes.length === 0) {
    if (options.emptyAllowed) return {};
    throw ValidationError.field('body', 'is required: a JSON object');
  }
  if (mediaType && mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(`Send the body as application/json, not ${mediaType}.`, [
      'application/json',
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw ValidationError.field('body', 'is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw ValidationError.field('body', 'must be a JSON object');
  }
  return parsed;
}

const ETAG = /^(?:W\/)?"?(\d{1,15})"?$/;

/**
 * The version named by If-Match (`"3"`, `3` or `W/"3"`), or undefined when
 * the header is absent. `*` and lists are refused: a change must name the
 * one version it was made against.
 *
 * @param headers - lower-cased request headers
 */
export function expectedVersionOf(headers: Record<string, string>): number | undefined {
  const value = headers['if-match']?.trim();
  if (value === undefined || value === '') return undefined;
  const match = ETAG.exec(value);
  const version = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw ValidationError.field('If-Match', 'must be the ETag of the version you read, such as "3"');
  }
  return version;
}

/** The ETag of a version (`"3"`). */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Query parameters as a plain record (HTTP API joins repeated ones with commas). */
export function queryOf(event: ApiEvent): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) query[name] = value;
  }
  return query;
}
