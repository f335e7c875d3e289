/**
 * Staff roles: what a user of a clinic may do. Two Cognito groups carry
 * them (infra/constructs/staff-users.ts), and the ID token lists a user's
 * groups in `cognito:groups`:
 *
 * - `staff` (front desk): book, move, cancel and complete visits, read
 *   patients, timelines and metrics, import, answer the inbox, work cases,
 *   and broadcast to a few patients;
 * - `clinic-admin` (the clinic's manager): everything staff may do, plus the
 *   clinic's settings and templates and broadcasts to more patients than a
 *   staff user may reach.
 *
 * Pure rules, no I/O: the staff API's route table names each route's role
 * and asks {@link hasRole}.
 */

/** The roles, weakest first. */
export const ROLES = ['staff', 'clinic-admin'] as const;
export type Role = (typeof ROLES)[number];

/** What each role is for, in the words docs and the user pool's groups use. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  staff:
    'Front-desk staff: book, move, cancel and read appointments and patients, import, answer the inbox, ' +
    'work cases, broadcast to a few patients',
  'clinic-admin':
    'Clinic manager: everything staff may do, plus clinic settings and templates and broadcasts to many patients',
};

/** Roles that include a role's rights (an admin may do all that staff may). */
const INCLUDED: Record<Role, readonly Role[]> = {
  staff: ['staff'],
  'clinic-admin': ['clinic-admin', 'staff'],
};

/**
 * The roles of a user's group names; names that are no role (groups an
 * administrator made for something else) are ignored.
 *
 * @param groups - the user's groups
 */
export function rolesOfGroups(groups: Iterable<string>): Set<Role> {
  const roles = new Set<Role>();
  for (const group of groups) {
    if ((ROLES as readonly string[]).includes(group)) roles.add(group as Role);
  }
  return roles;
}

/**
 * Whether a user with `roles` may do what needs `needed`.
 *
 * @param roles - the user's roles
 * @param needed - the role an action needs
 */
export function hasRole(roles: ReadonlySet<Role>, needed: Role): boolean {
  for (const role of roles) {
    if (INCLUDED[role].includes(needed)) return true;
  }
  return false;
}

/**
 * The role a broadcast needs: any staff user may send one to at most
 * `staffMaxRecipients` patients; to more, a clinic admin. The threshold is
 * the deployment's `staffApi.staffBroadcastMaxRecipients` (the staff API's
 * STAFF_BROADCAST_MAX_RECIPIENTS).
 *
 * @param recipients - how many patients the broadcast would reach
 * @param staffMaxRecipients - the most a staff user may reach
 */
export function roleForBroadcast(recipients: number, staffMaxRecipients: number): Role {
  return recipients > staffMaxRecipients ? 'clinic-admin' : 'staff';
}
