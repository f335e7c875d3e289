/**
 * Who is calling and which clinics they may use. In AWS the HTTP API's JWT
 * authorizer has already checked the Cognito token's signature, issuer,
 * audience and expiry and hands over its claims; local mode checks its own
 * tokens (local-tokens.ts) and hands over the same claims. Either way this
 * module only reads `requestContext.authorizer.jwt.claims`.
 */
import { ForbiddenError, UnauthorizedError } from '../domain/errors';
import type { ApiEvent } from './request';

/**
 * The claim that names the clinics a user may use: a Cognito custom
 * attribute holding a comma-separated list of clinic ids
 * (`demo-clinic,north-clinic`). Cognito puts custom attributes in the ID
 * token, so callers send their ID token as the bearer token.
 */
export const CLINICS_CLAIM = 'custom:clinics';

export interface Principal {
  /** The token's subject (Cognito user id); recorded on consents, never a name. */
  subject: string;
  clinics: ReadonlySet<string>;
}

/**
 * The clinic ids of a claim value. API Gateway passes claims as strings;
 * an array (a token built by hand) is accepted too.
 *
 * @param value - the claim as the authorizer passed it
 */
export function clinicsOfClaim(value: unknown): Set<string> {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return new Set(parts.map((part) => part.trim()).filter((part) => part !== ''));
}

/**
 * The caller, from the authorizer's claims. No claims at all means the
 * request did not pass an authorizer: 401. A token without the clinics claim
 * is a user with no clinics: every clinic route answers 403.
 *
 * @param event - the request
 * @param claimName - the claim that lists clinics
 */
export function principalOf(event: ApiEvent, claimName: string): Principal {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
    .authorizer?.jwt?.claims;
  if (!claims || typeof claims.sub !== 'string' || claims.sub === '') {
    throw new UnauthorizedError('Send a bearer token: Authorization: Bearer <ID token>.');
  }
  return { subject: claims.sub, clinics: clinicsOfClaim(claims[claimName]) };
}

/**
 * Refuses a clinic the token does not name, before anything is read or
 * written. The message does not say whether the clinic exists.
 *
 * @param principal - the caller
 * @param clinicId - the clinic in the path
 */
export function requireClinic(principal: Principal, clinicId: string): void {
  if (!principal.clinics.has(clinicId)) {
    throw new ForbiddenError(`Your token does not name clinic ${JSON.stringify(clinicId)}.`);
  }
}
