/**
 * Who is calling and which clinics they may use. In AWS the HTTP API's JWT
 * authorizer has already checked the Cognito token's signature, issuer,
 * audience and expiry and hands over its claims; local mode checks its own
 * tokens (local-tokens.ts) and hands over the same claims. Either way this
 * module only reads `requestContext.authorizer.jwt.claims`.
 */
import { ForbiddenError, RoleRequiredError, UnauthorizedError } from '../domain/errors';
import { hasRole, ROLES, type Role, rolesOfGroups } from '../domain/roles';
import type { ApiEvent } from './request';

/**
 * The claim that names the clinics a user may use: a Cognito custom
 * attribute holding a comma-separated list of clinic ids
 * (`demo-clinic,north-clinic`). Cognito puts custom attributes in the ID
 * token, so callers send their ID token as the bearer token.
 */
export const CLINICS_CLAIM = 'custom:clinics';

/**
 * The claim that lists a user's Cognito groups, whose names are the roles
 * (shared/domain/roles.ts). Cognito puts it in the ID and access tokens of
 * every user who belongs to a group.
 */
export const GROUPS_CLAIM = 'cognito:groups';

export interface Principal {
  /** The token's subject (Cognito user id); recorded on consents, never a name. */
  subject: string;
  clinics: ReadonlySet<string>;
  /** The user's roles, from their groups; empty for a user in neither group. */
  roles: ReadonlySet<Role>;
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
 * The group names of a `cognito:groups` claim. The token holds a JSON
 * array; API Gateway's HTTP API JWT authorizer hands array claims on as one
 * string in brackets, space-separated (`[clinic-admin staff]`); a
 * comma-separated string (a token built by hand) is read too.
 *
 * @param value - the claim as the authorizer passed it
 */
export function groupsOfClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter((group) => group !== '');
  if (typeof value !== 'string') return [];
  const text = value.trim();
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return inner.split(/[\s,]+/).filter((group) => group !== '');
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
    throw new UnauthorizedError('Send a bearer token: Authorization: Bearer <ID token>.', 'no-token');
  }
  return {
    subject: claims.sub,
    clinics: clinicsOfClaim(claims[claimName]),
    roles: rolesOfGroups(groupsOfClaim(claims[GROUPS_CLAIM])),
  };
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

/**
 * Refuses an action whose role the caller lacks (403 naming the role),
 * before anything is read or written. Every route of the staff API names
 * its role in the route table and serveStaffApi calls this for it; a route
 * whose role depends on the request (a broadcast to more patients than
 * staff may reach: roleForBroadcast) calls it again with that role before
 * it writes.
 *
 * @param principal - the caller
 * @param role - the role the action needs
 * @param action - what is refused, for the message (`changing clinic settings`)
 */
export function requireRole(principal: Principal, role: Role, action = 'this action'): void {
  if (hasRole(principal.roles, role)) return;
  const held =
    principal.roles.size === 0
      ? `your user is in neither group (${ROLES.join(', ')}); an administrator adds users to one`
      : `your token has ${[...principal.roles].join(', ')}`;
  throw new RoleRequiredError(`${capitalised(action)} needs the ${role} role; ${held}.`, role);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
