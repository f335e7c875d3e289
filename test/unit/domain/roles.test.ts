import { describe, expect, it } from 'vitest';
import { RoleRequiredError } from '../../../shared/domain/errors';
import { hasRole, ROLES, roleForBroadcast, rolesOfGroups } from '../../../shared/domain/roles';
import { groupsOfClaim, type Principal, requireRole } from '../../../shared/http/auth';
import { STAFF_API_ROUTES } from '../../../shared/http/staff-api';

const principal = (...roles: ('staff' | 'clinic-admin')[]): Principal => ({
  subject: 'u-1',
  clinics: new Set(['demo-clinic']),
  roles: new Set(roles),
});

describe('role rules', () => {
  it.each([
    // held, needed, allowed
    [[], 'staff', false],
    [[], 'clinic-admin', false],
    [['staff'], 'staff', true],
    [['staff'], 'clinic-admin', false],
    [['clinic-admin'], 'staff', true],
    [['clinic-admin'], 'clinic-admin', true],
    [['staff', 'clinic-admin'], 'clinic-admin', true],
  ] as const)('a user with %j %s a route that needs %s', (held, needed, allowed) => {
    expect(hasRole(new Set(held), needed)).toBe(allowed);
  });

  it('reads roles from group names and ignores groups that are no role', () => {
    expect([...rolesOfGroups(['billing', 'staff', 'Staff', 'clinic-admin'])]).toEqual([
      'staff',
      'clinic-admin',
    ]);
  });

  it('reads the groups claim as Cognito (array), API Gateway ("[a b]") and a hand-made token (a,b) give it', () => {
    expect(groupsOfClaim(['clinic-admin', 'staff'])).toEqual(['clinic-admin', 'staff']);
    expect(groupsOfClaim('[clinic-admin staff]')).toEqual(['clinic-admin', 'staff']);
    expect(groupsOfClaim('[staff]')).toEqual(['staff']);
    expect(groupsOfClaim('staff,clinic-admin')).toEqual(['staff', 'clinic-admin']);
    expect(groupsOfClaim('[]')).toEqual([]);
    expect(groupsOfClaim(undefined)).toEqual([]);
    expect(groupsOfClaim(42)).toEqual([]);
  });

  it('lets staff broadcast up to the configured number of patients, and needs an admin above it', () => {
    expect(roleForBroadcast(100, 100)).toBe('staff');
    expect(roleForBroadcast(101, 100)).toBe('clinic-admin');
    expect(roleForBroadcast(1, 0)).toBe('clinic-admin');
  });

  it('refuses with the role needed and what the user has', () => {
    expect(() => requireRole(principal('staff'), 'clinic-admin', 'a broadcast to 500 patients')).toThrow(
      new RoleRequiredError(
        'A broadcast to 500 patients needs the clinic-admin role; your token has staff.',
        'clinic-admin',
      ),
    );
    expect(() => requireRole(principal(), 'staff')).toThrow(
      /needs the staff role; your user is in neither group \(staff, clinic-admin\)/,
    );
    expect(() => requireRole(principal('clinic-admin'), 'staff')).not.toThrow();
  });
});

describe('the route table names each route’s role', () => {
  const clinicRoutes = STAFF_API_ROUTES.filter((route) => !route.public);

  it('gives every clinic route one of the roles', () => {
    for (const route of clinicRoutes) expect(ROLES).toContain(route.role);
  });

  it('keeps clinic settings and templates to clinic admins; staff book, move, cancel, read and import', () => {
    const byRole = (role: string) =>
      clinicRoutes.filter((route) => route.role === role).map((route) => `${route.method} ${route.path}`);

    expect(byRole('clinic-admin')).toEqual(['PUT /v1/clinics/{clinicId}']);
    expect(byRole('staff')).toEqual(
      expect.arrayContaining([
        'GET /v1/clinics/{clinicId}',
        'PUT /v1/clinics/{clinicId}/patients/{patientId}',
        'PUT /v1/clinics/{clinicId}/appointments/{appointmentId}',
        'POST /v1/clinics/{clinicId}/appointments/{appointmentId}/cancel',
        'POST /v1/clinics/{clinicId}/imports',
        'GET /v1/clinics/{clinicId}/appointments/{appointmentId}/messages',
        'GET /v1/clinics/{clinicId}/metrics',
      ]),
    );
  });
});
