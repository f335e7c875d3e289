/**
 * Every error the application raises on purpose extends {@link AppError}.
 * Callers map them to HTTP statuses or retry decisions with `instanceof` in
 * one place (see shared/http/errors.ts and the send-message use case), never
 * by matching names or messages.
 */
import type { Role } from './roles';

export abstract class AppError extends Error {
  /** Whether the message may be shown to an API caller as it is. */
  readonly expose: boolean = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem with one field: `path` uses dots and indexes (`channels.0`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Input that breaks a rule; lists every bad field, not only the first. */
export class ValidationError extends AppError {
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], summary?: string) {
    super(summary ?? `Invalid input: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }

  /** A validation error about a single field. */
  static field(path: string, message: string): ValidationError {
    return new ValidationError([{ path, message }]);
  }
}

export class NotFoundError extends AppError {}

/** A lost race or a stale version: the caller's view of the data is out of date. */
export class ConflictError extends AppError {
  constructor(
    message: string,
    readonly currentVersion?: number,
  ) {
    super(message);
  }
}

/**
 * A change to a record that exists named no version. The caller must say
 * which version its change was made against (the staff API reads it from
 * If-Match); the use case only knows that it is missing.
 */
export class VersionRequiredError extends AppError {
  constructor(
    /** How to name the record (`patient p-1`). */
    readonly record: string,
    readonly currentVersion: number,
  ) {
    super(
      `a change to ${record} must name the version it was made against (it is at version ${currentVersion})`,
    );
  }
}

/** A record a request needs does not exist; `kind` and `id` let the edge say how to create it. */
export class RecordNotFoundError extends NotFoundError {
  constructor(
    message: string,
    readonly kind: 'clinic' | 'patient' | 'appointment',
    readonly id: string,
  ) {
    super(message);
  }
}

/**
 * Why a request was refused as unauthenticated, as a code a caller can act
 * on (send a token, get a new one) and nothing more: never which claim or
 * key did not match.
 */
export const UNAUTHORIZED_REASONS = [
  'no-token',
  'malformed',
  'bad-signature',
  'expired',
  'not-yet-valid',
  'wrong-issuer',
] as const;
export type UnauthorizedReason = (typeof UNAUTHORIZED_REASONS)[number];

/** The request carries no usable credentials; `reason` says why in a word the 401 body shows. */
export class UnauthorizedError extends AppError {
  constructor(
    message: string,
    readonly reason: UnauthorizedReason,
  ) {
    super(message);
  }
}

/** The caller is known but may not touch this clinic, or may not do this there. */
export class ForbiddenError extends AppError {}

/** The caller may use the clinic, but this action needs a role they lack. */
export class RoleRequiredError extends ForbiddenError {
  constructor(
    message: string,
    /** The role the action needs (`clinic-admin`). */
    readonly requiredRole: Role,
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(
    message: string,
    readonly limit: number,
  ) {
    super(message);
  }
}

/** The provider refused for now (throttling, 5xx before the call): retry with backoff. */
export class TransientDeliveryError extends AppError {
  override readonly expose = false;
  constructor(
    message: string,
    readonly providerCode: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The provider refused because the number sent faster than its rate: retry
 * with backoff, and the sweep halves that number's next minute (issue 19).
 */
export class ThrottledDeliveryError extends TransientDeliveryError {}

/** Why a provider refused a message for good. */
export type PermanentDeliveryReason = 'invalid-address' | 'opted-out' | 'rejected';

/** The provider will never accept this message on this channel: do not retry it there. */
export class PermanentDeliveryError extends AppError {
  override readonly expose = false;
  constructor(
    message: string,
    readonly reason: PermanentDeliveryReason,
    readonly providerCode: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Configuration (environment or deployment file) is missing or wrong. */
export class ConfigError extends AppError {
  override readonly expose = false;
  constructor(
    readonly issues: readonly FieldIssue[],
    source: string,
  ) {
    super(`Invalid ${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/**
 * A change a record's state does not allow now (a case resolved before it
 * was acknowledged): 409, naming the field whose value is out of turn.
 */
export class StateConflictError extends ConflictError {
  constructor(
    message: string,
    /** The field the change is refused on (`status`). */
    readonly field: string,
    currentVersion?: number,
  ) {
    super(message, currentVersion);
  }
}
