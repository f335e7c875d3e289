/**
 * Local mode's own bearer tokens: HS256 JWTs signed with a secret that only
 * the local process knows, carrying the same clinics claim as a Cognito ID
 * token. Local mode verifies the Authorization header with
 * {@link verifyLocalToken} and puts the claims where API Gateway's JWT
 * authorizer would (`requestContext.authorizer.jwt.claims`), so the staff
 * API code cannot tell the two apart.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../domain/errors';
import type { Clock } from '../domain/time';
import { CLINICS_CLAIM } from './auth';

/** The `iss` of local tokens; a token from anywhere else is refused. */
export const LOCAL_ISSUER = 'clinic-reminders-local';

/** Claims as an HTTP API JWT authorizer passes them on. */
export type JwtClaims = Record<string, string | number | boolean | string[]>;

const MIN_SECRET_BYTES = 32;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function signature(secret: string, signingInput: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest();
}

function checkSecret(secret: string): void {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new RangeError(`the local token secret must have at least ${MIN_SECRET_BYTES} bytes`);
  }
}

export interface LocalTokenRequest {
  /** The user id (becomes `sub`). */
  subject: string;
  /** Clinic ids the token may use. */
  clinics: readonly string[];
  /** Lifetime; default 12 hours. */
  ttlSeconds?: number;
  /** The claim that lists clinics; default `custom:clinics`, like Cognito. */
  claimName?: string;
}

/**
 * Signs a local staff token.
 *
 * @param request - subject, clinics and lifetime
 * @param secret - the HMAC key (at least 32 bytes)
 * @param clock - the clock that stamps `iat` and `exp`
 */
export function signLocalToken(request: LocalTokenRequest, secret: string, clock: Clock): string {
  checkSecret(secret);
  const issuedAt = Math.floor(clock.now().toSeconds());
  const header = { alg: 'HS256', typ: 'JWT' };
  const payload: JwtClaims = {
    iss: LOCAL_ISSUER,
    sub: request.subject,
    token_use: 'id',
    [request.claimName ?? CLINICS_CLAIM]: request.clinics.join(','),
    iat: issuedAt,
    exp: issuedAt + (request.ttlSeconds ?? 12 * 3600),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${signingInput}.${base64url(signature(secret, signingInput))}`;
}

function refuse(reason: string): UnauthorizedError {
  return new UnauthorizedError(`The bearer token is not valid: ${reason}.`);
}

function decodeJson(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw refuse('it is not a JWT');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refuse('it is not a JWT');
  return value as Record<string, unknown>;
}

/**
 * Checks a local token (signature first, then issuer and times) and returns
 * its claims. Only HS256 is accepted, whatever the header asks for.
 *
 * @param token - the compact JWT
 * @param secret - the HMAC key it must be signed with
 * @param clock - the clock `exp` and `nbf` are checked against
 * @throws UnauthorizedError when it is malformed, forged, expired or not yet valid
 */
export function verifyLocalToken(token: string, secret: string, clock: Clock): JwtClaims {
  checkSecret(secret);
  const parts = token.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || !headerPart || !payloadPart || !signaturePart) throw refuse('it is not a JWT');
  const header = decodeJson(headerPart);
  if (header.alg !== 'HS256') throw refuse('only HS256 is accepted');
  const expected = signature(secret, `${headerPart}.${payloadPart}`);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw refuse('the signature does not match');
  }
  const payload = decodeJson(payloadPart);
  if (payload.iss !== LOCAL_ISSUER) throw refuse('it was not issued by local mode');
  const now = clock.now().toSeconds();
  if (typeof payload.exp !== 'number' || payload.exp <= now) throw refuse('it has expired');
  if (typeof payload.nbf === 'number' && payload.nbf > now) throw refuse('it is not valid yet');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw refuse('it has no subject');
  const claims: JwtClaims = {};
  for (const [name, value] of Object.entries(payload)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      claims[name] = value;
    } else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      claims[name] = value;
    }
  }
  return claims;
}

/**
 * The token of an `Authorization: Bearer …` header, or undefined.
 *
 * @param authorization - the header value
 */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}
