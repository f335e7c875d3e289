/**
 * Local mode's own bearer tokens: HS256 JWTs (signed and verified with jose,
 * the maintained library, never by hand) with a secret that only
 * the local process knows, carrying the same clinics claim as a Cognito ID
 * token. Local mode verifies the Authorization header with
 * {@link verifyLocalToken} and puts the claims where API Gateway's JWT
 * authorizer would (`requestContext.authorizer.jwt.claims`), so the staff
 * API code cannot tell the two apart.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { UnauthorizedError, type UnauthorizedReason } from '../domain/errors';
import type { Role } from '../domain/roles';
import type { Clock } from '../domain/time';
import { CLINICS_CLAIM, GROUPS_CLAIM } from './auth';

/** The `iss` of local tokens; a token from anywhere else is refused. */
export const LOCAL_ISSUER = 'clinic-reminders-local';

/** The one algorithm local tokens are signed and verified with, whatever a header asks for. */
const ALGORITHM = 'HS256';

/** How far `exp` and `nbf` may be off the clock and still pass (clocks of two processes drift). */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Claims as an HTTP API JWT authorizer passes them on. */
export type JwtClaims = Record<string, string | number | boolean | string[]>;

const MIN_SECRET_BYTES = 32;

function keyOf(secret: string): Uint8Array {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new RangeError(`the local token secret must have at least ${MIN_SECRET_BYTES} bytes`);
  }
  return new TextEncoder().encode(secret);
}

export interface LocalTokenRequest {
  /** The user id (becomes `sub`). */
  subject: string;
  /** Clinic ids the token may use. */
  clinics: readonly string[];
  /** The user's roles, carried as Cognito carries groups (`cognito:groups`, an array). */
  roles: readonly Role[];
  /** Lifetime; default 12 hours. */
  ttlSeconds?: number;
  /** The claim that lists clinics; default `custom:clinics`, like Cognito. */
  claimName?: string;
}

/**
 * Signs a local staff token (jose, HS256).
 *
 * @param request - subject, clinics and lifetime
 * @param secret - the HMAC key (at least 32 bytes)
 * @param clock - the clock that stamps `iat` and `exp`
 */
export async function signLocalToken(
  request: LocalTokenRequest,
  secret: string,
  clock: Clock,
): Promise<string> {
  const key = keyOf(secret);
  const issuedAt = Math.floor(clock.now().toSeconds());
  return new SignJWT({
    token_use: 'id',
    [request.claimName ?? CLINICS_CLAIM]: request.clinics.join(','),
    [GROUPS_CLAIM]: [...request.roles],
  })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setSubject(request.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (request.ttlSeconds ?? 12 * 3600))
    .sign(key);
}

function refuse(reason: UnauthorizedReason, words: string): UnauthorizedError {
  return new UnauthorizedError(`The bearer token is not valid: ${words}.`, reason);
}

/** Why jose refused a token: the 401's reason code and its words. */
function refusalFor(error: unknown): UnauthorizedError {
  if (error instanceof errors.JWTExpired) {
    return refuse('expired', 'it has expired; get a new one (POST /local/tokens or npm run token)');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return refuse('not-yet-valid', 'it is not valid yet');
    if (error.claim === 'iss') return refuse('wrong-issuer', 'it was not issued by local mode');
    if (error.claim === 'sub') return refuse('malformed', 'it has no subject');
    return refuse('malformed', `its ${error.claim} claim is not accepted`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refuse(
      'bad-signature',
      'the signature does not match (signed by another local data folder or run, or changed)',
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return refuse('bad-signature', 'only HS256 is accepted');
  }
  return refuse('malformed', 'it is not a JWT');
}

/**
 * Checks a local token with jose (signature first, then issuer and times,
 * with {@link CLOCK_TOLERANCE_SECONDS} of tolerance) and returns its claims.
 * Only HS256 is accepted, whatever the header asks for.
 *
 * @param token - the compact JWT
 * @param secret - the HMAC key it must be signed with
 * @param clock - the clock `exp` and `nbf` are checked against
 * @throws UnauthorizedError when it is malformed, forged, expired or not yet valid, with the reason code
 */
export async function verifyLocalToken(token: string, secret: string, clock: Clock): Promise<JwtClaims> {
  const key = keyOf(secret);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: LOCAL_ISSUER,
      requiredClaims: ['sub', 'exp'],
      currentDate: clock.now().toJSDate(),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    throw refusalFor(error);
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw refuse('malformed', 'it has no subject');
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
 * Claims as API Gateway's HTTP API JWT authorizer hands them to the
 * function: an array claim (`cognito:groups`) becomes one string in
 * brackets, space-separated (`[clinic-admin staff]`), so local mode feeds
 * the staff API the same shape as AWS does.
 *
 * @param claims - the claims of a verified token
 */
export function asAuthorizerClaims(claims: JwtClaims): JwtClaims {
  return Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [
      name,
      Array.isArray(value) ? `[${value.join(' ')}]` : value,
    ]),
  );
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
