/**
 * The one place where errors become HTTP responses. Everything the
 * application throws on purpose is an AppError subclass, matched here with
 * `instanceof`; `expose` decides whether its message may be shown. Anything
 * else is a bug or an outage and becomes a plain 500 that reveals nothing.
 */
import type { ErrorBody, ErrorCode } from '../api/schemas';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RecordNotFoundError,
  RoleRequiredError,
  StateConflictError,
  UnauthorizedError,
  ValidationError,
  VersionRequiredError,
} from '../domain/errors';

/** The path exists but not for this method. */
export class MethodNotAllowedError extends AppError {
  constructor(
    message: string,
    readonly allow: readonly string[],
  ) {
    super(message);
  }
}

/** The body is in a format the route does not read. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(
    message: string,
    readonly accepted: readonly string[],
  ) {
    super(message);
  }
}

export interface ErrorResponse {
  statusCode: number;
  code: ErrorCode;
  body: ErrorBody;
  headers: Record<string, string>;
}

const GENERIC_MESSAGE = 'Something went wrong on our side; the request may not have been applied.';

function response(
  statusCode: number,
  code: ErrorCode,
  error: AppError,
  extra: Omit<ErrorBody['error'], 'code' | 'message'> = {},
  headers: Record<string, string> = {},
  shown = error.message,
): ErrorResponse {
  const message = error.expose ? shown : GENERIC_MESSAGE;
  return { statusCode, code, body: { error: { code, message, ...extra } }, headers };
}

/**
 * The HTTP response for an error.
 *
 * @param error - whatever was thrown
 * @returns status, machine-readable code, JSON body and any headers (Allow, WWW-Authenticate)
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof ValidationError) {
    return response(400, 'invalid-request', error, { issues: [...error.issues] });
  }
  if (error instanceof VersionRequiredError) {
    // The API's word for "the version the change was made against" is If-Match.
    const issue = ValidationError.field(
      'If-Match',
      `is required to change an existing record (${error.record} is at version ${error.currentVersion})`,
    );
    return response(400, 'invalid-request', error, { issues: [...issue.issues] }, {}, issue.message);
  }
  if (error instanceof UnauthorizedError) {
    // RFC 6750: a request with no token gets the bare challenge; one with a
    // bad token hears `invalid_token`. The body's reason is a code, no more.
    const challenge = error.reason === 'no-token' ? 'Bearer' : 'Bearer error="invalid_token"';
    return response(401, 'unauthorized', error, { reason: error.reason }, { 'www-authenticate': challenge });
  }
  if (error instanceof RoleRequiredError) {
    return response(403, 'forbidden', error, { requiredRole: error.requiredRole });
  }
  if (error instanceof ForbiddenError) return response(403, 'forbidden', error);
  if (error instanceof RecordNotFoundError && error.kind === 'clinic') {
    return response(
      404,
      'not-found',
      error,
      {},
      {},
      `${error.message}; create it with PUT /v1/clinics/${error.id}`,
    );
  }
  if (error instanceof NotFoundError) return response(404, 'not-found', error);
  if (error instanceof MethodNotAllowedError) {
    return response(405, 'method-not-allowed', error, {}, { allow: error.allow.join(', ') });
  }
  if (error instanceof ConflictError) {
    return response(409, 'conflict', error, {
      ...(error.currentVersion === undefined ? {} : { currentVersion: error.currentVersion }),
      ...(error instanceof StateConflictError
        ? { issues: [{ path: error.field, message: error.message }] }
        : {}),
    });
  }
  if (error instanceof PayloadTooLargeError) {
    return response(413, 'payload-too-large', error, { limit: error.limit });
  }
  if (error instanceof UnsupportedMediaTypeError) {
    return response(415, 'unsupported-media-type', error, {}, { accept: error.accepted.join(', ') });
  }
  return {
    statusCode: 500,
    code: 'internal',
    body: { error: { code: 'internal', message: GENERIC_MESSAGE } },
    headers: {},
  };
}
