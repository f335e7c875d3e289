import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCareReminderRepository } from '../../../shared/adapters/dynamodb/care-reminder-repository';
import { DynamoCaseRepository } from '../../../shared/adapters/dynamodb/case-repository';
import { openCase } from '../../../shared/domain/cases/case';
import { parseUtc } from '../../../shared/domain/time';
import { STAFF_API_ROUTES } from '../../../shared/http/staff-api';
import {
  makeAppointment,
  makeBroadcast,
  makeCareReminder,
  makeClinic,
  makeMessage,
  makePatient,
  TEST_NOW,
} from '../../support/factories';
import { type ApiCall, useStaffApi } from './harness';

const api = useStaffApi();

beforeAll(async () => {
  const clinic = makeClinic();
  await api.seed({
    clinics: [clinic, makeClinic({ clinicId: 'other-clinic', name: 'Other Clinic' })],
    patients: [makePatient()],
    appointments: [makeAppointment({ startAt: '2026-12-01T14:30:00.000Z' })],
    messages: [makeMessage()],
    broadcasts: [makeBroadcast()],
  });
  await new DynamoCaseRepository(api.tables.clients.doc, api.tables.names.inbound).create(
    openCase(clinic, { caseId: 'case-1', source: 'staff', by: 'staff-a' }, parseUtc(TEST_NOW)),
  );
  await new DynamoCareReminderRepository(api.tables.clients.doc, api.tables.names.messages).put(
    makeCareReminder(),
    null,
  );
});

const BROADCAST_BODY = {
  text: { en: 'We are closed tomorrow. Call {{clinicPhone}}.' },
  audience: { appointmentsOn: { from: '2026-12-01', to: '2026-12-01' } },
  sendAt: '2026-12-01T20:00:00Z',
};

/** A request for a route that would succeed (or at least pass validation) for a token naming demo-clinic. */
function requestFor(route: (typeof STAFF_API_ROUTES)[number]): ApiCall {
  const url = route.path
    .replace('{clinicId}', 'demo-clinic')
    .replace('{patientId}', 'p-1')
    .replace('{appointmentId}', 'a-1')
    .replace('{itemId}', 'in-1')
    .replace('{broadcastId}', 'b-1')
    .replace('{caseId}', 'case-1')
    .replace('{reminderId}', 'rx-1');
  const bodies: Record<string, unknown> = {
    '/v1/clinics/demo-clinic': {
      name: 'Renamed',
      timeZone: 'America/New_York',
      contactPhone: '+12025550143',
    },
    '/v1/clinics/demo-clinic/patients/p-1': { firstName: 'Ana', phone: '+14155552671', channels: ['sms'] },
    '/v1/clinics/demo-clinic/patients/p-1/replies': { text: 'Yes, see you then.' },
    '/v1/clinics/demo-clinic/inbox/in-1/assign': { assignee: 'staff-user-2' },
    '/v1/clinics/demo-clinic/broadcasts/b-1': BROADCAST_BODY,
    '/v1/clinics/demo-clinic/broadcasts/preview': BROADCAST_BODY,
    '/v1/clinics/demo-clinic/cases': { summary: 'Called about the wait' },
    '/v1/clinics/demo-clinic/patients/p-1/care-reminders/rx-1': { kind: 'refill', dueOn: '2027-03-15' },
    '/v1/clinics/demo-clinic/cases/case-1': { status: 'acknowledged' },
    '/v1/clinics/demo-clinic/cases/case-1/notes': { text: 'Called back' },
    '/v1/clinics/demo-clinic/appointments/a-1': {
      patientId: 'p-1',
      startAt: '2026-12-20T15:00:00Z',
      durationMinutes: 45,
    },
  };
  if (route.path.endsWith('/imports')) {
    return {
      method: route.method,
      url,
      headers: { 'content-type': 'text/csv', 'if-match': '"1"' },
      body: 'appointmentId,patientId,start,durationMinutes,firstName,phone\nimp-1,p-9,2026-12-20 10:00,30,Bea,+14155552671\n',
    };
  }
  const query = route.doc.query && 'from' in route.doc.query.shape ? '?from=2026-12-01&to=2026-12-31' : '';
  return {
    method: route.method,
    url: `${url}${query}`,
    headers: { 'if-match': '"1"' },
    ...(bodies[url] ? { body: bodies[url] } : {}),
  };
}

const clinicRoutes = STAFF_API_ROUTES.filter((route) => !route.public);

describe('authorisation on every clinic route', () => {
  it('covers every clinic route of design.md "Interfaces"', () => {
    expect(clinicRoutes.map((route) => `${route.method} ${route.path}`).sort()).toEqual([
      'GET /v1/clinics/{clinicId}',
      'GET /v1/clinics/{clinicId}/appointments',
      'GET /v1/clinics/{clinicId}/appointments/{appointmentId}',
      'GET /v1/clinics/{clinicId}/appointments/{appointmentId}/messages',
      'GET /v1/clinics/{clinicId}/broadcasts',
      'GET /v1/clinics/{clinicId}/broadcasts/{broadcastId}',
      'GET /v1/clinics/{clinicId}/cases',
      'GET /v1/clinics/{clinicId}/cases/{caseId}',
      'GET /v1/clinics/{clinicId}/inbox',
      'GET /v1/clinics/{clinicId}/metrics',
      'GET /v1/clinics/{clinicId}/patients/{patientId}',
      'GET /v1/clinics/{clinicId}/patients/{patientId}/care-reminders',
      'GET /v1/clinics/{clinicId}/patients/{patientId}/care-reminders/{reminderId}',
      'GET /v1/clinics/{clinicId}/patients/{patientId}/conversation',
      'PATCH /v1/clinics/{clinicId}/cases/{caseId}',
      'POST /v1/clinics/{clinicId}/appointments/{appointmentId}/cancel',
      'POST /v1/clinics/{clinicId}/appointments/{appointmentId}/complete',
      'POST /v1/clinics/{clinicId}/appointments/{appointmentId}/no-show',
      'POST /v1/clinics/{clinicId}/broadcasts/preview',
      'POST /v1/clinics/{clinicId}/broadcasts/{broadcastId}/cancel',
      'POST /v1/clinics/{clinicId}/cases',
      'POST /v1/clinics/{clinicId}/cases/{caseId}/notes',
      'POST /v1/clinics/{clinicId}/imports',
      'POST /v1/clinics/{clinicId}/inbox/{itemId}/assign',
      'POST /v1/clinics/{clinicId}/inbox/{itemId}/done',
      'POST /v1/clinics/{clinicId}/patients/{patientId}/care-reminders/{reminderId}/stop',
      'POST /v1/clinics/{clinicId}/patients/{patientId}/replies',
      'PUT /v1/clinics/{clinicId}',
      'PUT /v1/clinics/{clinicId}/appointments/{appointmentId}',
      'PUT /v1/clinics/{clinicId}/broadcasts/{broadcastId}',
      'PUT /v1/clinics/{clinicId}/patients/{patientId}',
      'PUT /v1/clinics/{clinicId}/patients/{patientId}/care-reminders/{reminderId}',
    ]);
  });

  it.each(clinicRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s answers 403 for a token naming another clinic and leaves the tables as they were',
    async (_name, route) => {
      // Prepare
      const before = await api.snapshot();

      // Act
      const answer = await api.call({ ...requestFor(route), clinics: ['other-clinic'] });

      // Assess
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('forbidden');
      expect(await api.snapshot()).toBe(before);
    },
  );

  it.each(clinicRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s answers 401 without a token and leaves the tables as they were',
    async (_name, route) => {
      const before = await api.snapshot();

      const answer = await api.call({ ...requestFor(route), clinics: null });

      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
      expect(answer.body.error.reason).toBe('no-token');
      expect(await api.snapshot()).toBe(before);
    },
  );

  it('refuses another clinic before checking the body or whether the clinic exists', async () => {
    // Act
    const badBody = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/patients/p-1',
      body: { nonsense: true },
      clinics: ['other-clinic'],
    });
    const missingClinic = await api.call({
      method: 'GET',
      url: '/v1/clinics/no-such-clinic',
      clinics: ['other-clinic'],
    });

    // Assess
    expect(badBody.status).toBe(403);
    expect(missingClinic.status).toBe(403);
  });

  it('serves a token that names several clinics, and refuses one with an empty clinics claim', async () => {
    const several = await api.call({
      method: 'GET',
      url: '/v1/clinics/demo-clinic',
      clinics: ['other-clinic', 'demo-clinic'],
    });
    const none = await api.call({ method: 'GET', url: '/v1/clinics/demo-clinic', clinics: [] });

    expect(several.status).toBe(200);
    expect(none.status).toBe(403);
  });

  it('answers 200 to the same GET requests for a token that names the clinic (the 403s are about the clinic only)', async () => {
    const statuses = [];
    for (const route of clinicRoutes.filter((r) => r.method === 'GET')) {
      statuses.push((await api.call(requestFor(route))).status);
    }

    expect(statuses.every((status) => status === 200)).toBe(true);
  });

  it('serves /health and /openapi.json without a token', async () => {
    const health = await api.call({ method: 'GET', url: '/health', clinics: null });
    const openapi = await api.call({ method: 'GET', url: '/openapi.json', clinics: null });

    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toBe('3.1.0');
  });
});

describe('roles: staff and clinic-admin (the cognito:groups claim)', () => {
  const clinicSettings = {
    name: 'Renamed by staff',
    timeZone: 'America/New_York',
    contactPhone: '+12025550143',
  };

  it('refuses a staff user who changes clinic settings with 403 naming clinic-admin, and writes nothing', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const answer = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic',
      headers: { 'if-match': '"1"' },
      body: clinicSettings,
      groups: ['staff'],
    });

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.body.error).toEqual({
      code: 'forbidden',
      requiredRole: 'clinic-admin',
      message: 'PUT /v1/clinics/{clinicId} needs the clinic-admin role; your token has staff.',
    });
    expect(await api.snapshot()).toBe(before);
  });

  it('refuses the staff user before reading the body, so a bad body still gets 403, not 400', async () => {
    const answer = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic',
      body: { nonsense: true },
      groups: ['staff'],
    });

    expect(answer.status).toBe(403);
    expect(answer.body.error.requiredRole).toBe('clinic-admin');
  });

  it('lets a clinic admin change the settings (and a user in both groups)', async () => {
    // Prepare
    const current = await api.call({ method: 'GET', url: '/v1/clinics/demo-clinic', groups: ['staff'] });

    // Act
    const changed = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic',
      headers: { 'if-match': current.headers.etag ?? '' },
      body: { ...clinicSettings, name: 'Managed Clinic' },
      groups: ['staff', 'clinic-admin'],
    });

    // Assess
    expect(changed.status).toBe(200);
    expect((await api.repos().clinics.get('demo-clinic'))?.name).toBe('Managed Clinic');
  });

  it('lets a staff user book an appointment, and stores it', async () => {
    const answer = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/appointments/a-staff-1',
      body: { patientId: 'p-1', startAt: '2026-12-21T15:00:00Z', durationMinutes: 30 },
      groups: ['staff'],
    });

    expect(answer.status).toBe(201);
    expect(await api.repos().appointments.get('demo-clinic', 'a-staff-1')).toMatchObject({
      patientId: 'p-1',
    });
  });

  it.each(
    clinicRoutes
      .filter((route) => route.role === 'staff')
      .map((route) => [`${route.method} ${route.path}`, route] as const),
  )('%s is open to a staff user (no 403)', async (_name, route) => {
    const answer = await api.call({ ...requestFor(route), groups: ['staff'] });

    expect(answer.status).not.toBe(403);
  });

  it.each(clinicRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s refuses a user in neither group with 403 saying which groups give access, and writes nothing',
    async (_name, route) => {
      // Prepare
      const before = await api.snapshot();

      // Act
      const answer = await api.call({ ...requestFor(route), groups: ['billing'] });

      // Assess
      expect(answer.status).toBe(403);
      expect(answer.body.error.requiredRole).toBe(route.role);
      expect(answer.body.error.message).toContain('your user is in neither group (staff, clinic-admin)');
      expect(await api.snapshot()).toBe(before);
    },
  );

  it('checks the clinic before the role: a staff user of another clinic hears about the clinic', async () => {
    const answer = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic',
      body: clinicSettings,
      clinics: ['other-clinic'],
      groups: ['staff'],
    });

    expect(answer.status).toBe(403);
    expect(answer.body.error.requiredRole).toBeUndefined();
    expect(answer.body.error.message).toContain('does not name clinic');
  });
});
