import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoInboundRepository } from '../../../shared/adapters/dynamodb/inbound-repository';
import { PatientResponseSchema } from '../../../shared/api/schemas';
import { makeClinic, makePatient, TEST_NOW } from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

const api = useStaffApi();
beforeAll(() => api.seed({ clinics: [makeClinic()] }));
const BASE = '/v1/clinics/demo-clinic/patients';

const contact = (overrides: Record<string, unknown> = {}) => ({
  firstName: 'Lucía',
  lastName: 'Fernández',
  phone: '+14155552671',
  email: 'lucia@example.com',
  channels: ['sms', 'email'],
  language: 'es',
  ...overrides,
});

describe('PUT and GET /v1/clinics/{clinicId}/patients/{patientId}', () => {
  it('creates a patient, answers 201 with ETag, and reads it back', async () => {
    // Act
    const created = await api.call({ method: 'PUT', url: `${BASE}/new-1`, body: contact() });
    const read = await api.call({ method: 'GET', url: `${BASE}/new-1` });

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(PatientResponseSchema.parse(read.body)).toMatchObject({
      patientId: 'new-1',
      language: 'es',
      version: 1,
    });
  });

  it('records a staff opt-out with the time and source, and keeps it when a later PUT does not name it', async () => {
    // Prepare
    await api.seed({ patients: [makePatient({ patientId: 'opt-1' })] });

    // Act
    const optedOut = await api.call({
      method: 'PUT',
      url: `${BASE}/opt-1`,
      body: contact({ optOuts: { sms: true } }),
      headers: { 'if-match': '"1"' },
    });
    const edited = await api.call({
      method: 'PUT',
      url: `${BASE}/opt-1`,
      body: contact({ lastName: 'Fernández-Ruiz' }),
      headers: { 'if-match': '"2"' },
    });

    // Assess
    expect(optedOut.status).toBe(200);
    expect(optedOut.body.optOuts.sms).toEqual({ at: TEST_NOW, source: 'staff' });
    expect(edited.body.optOuts.sms).toEqual({ at: TEST_NOW, source: 'staff' });
    expect((await api.repos().patients.get('demo-clinic', 'opt-1'))?.version).toBe(3);
  });

  it("lifts a staff opt-out but refuses to lift the patient's own STOP (400 on optOuts.sms)", async () => {
    // Prepare
    await api.seed({
      patients: [
        makePatient({ patientId: 'staff-opt', optOuts: { sms: { at: TEST_NOW, source: 'staff' } } }),
        makePatient({ patientId: 'stop-opt', optOuts: { sms: { at: TEST_NOW, source: 'patient-keyword' } } }),
      ],
    });
    const body = contact({ optOuts: { sms: false } });

    // Act
    const lifted = await api.call({
      method: 'PUT',
      url: `${BASE}/staff-opt`,
      body,
      headers: { 'if-match': '1' },
    });
    const refused = await api.call({
      method: 'PUT',
      url: `${BASE}/stop-opt`,
      body,
      headers: { 'if-match': '1' },
    });

    // Assess
    expect(lifted.status).toBe(200);
    expect(lifted.body.optOuts).toEqual({});
    expect(refused.status).toBe(400);
    expect(issuePaths(refused)).toEqual(['optOuts.sms']);
    expect((await api.repos().patients.get('demo-clinic', 'stop-opt'))?.optOuts.sms?.source).toBe(
      'patient-keyword',
    );
  });

  it("gives a patient whose new number texted STOP before any patient had it that opt-out, the patient's own", async () => {
    // Prepare: handle-inbound's record of a STOP from a number no patient had.
    const inbound = new DynamoInboundRepository(api.tables.clients.doc, api.tables.names.inbound);
    const stop = { kind: 'opt-out' as const, at: '2026-12-01T14:00:00.000Z', inboundMessageId: 'in-stop-1' };
    await inbound.putNumberOptState(
      {
        clinicId: 'demo-clinic',
        number: '+14155550177',
        state: { optOut: { at: stop.at, source: 'patient', inboundMessageId: 'in-stop-1' }, lastReply: stop },
        version: 1,
        updatedAt: stop.at,
      },
      null,
    );

    // Act: one patient created with that number, one given it on a later PUT, one with another number.
    const created = await api.call({
      method: 'PUT',
      url: `${BASE}/late-1`,
      body: contact({ phone: '+14155550177' }),
    });
    const other = await api.call({
      method: 'PUT',
      url: `${BASE}/late-2`,
      body: contact({ phone: '+14155550178' }),
    });
    const moved = await api.call({
      method: 'PUT',
      url: `${BASE}/late-2`,
      headers: { 'if-match': '"1"' },
      body: contact({ phone: '+14155550177' }),
    });

    // Assess: staff cannot lift it (only the patient's START can), and START ordering comes along.
    expect(created.body.optOuts).toEqual({ sms: { at: stop.at, source: 'patient' } });
    expect(other.body.optOuts).toEqual({});
    expect(moved.body.optOuts).toEqual({ sms: { at: stop.at, source: 'patient' } });
    expect((await api.repos().patients.get('demo-clinic', 'late-1'))?.smsReply).toEqual({
      last: stop,
      optOutInboundId: 'in-stop-1',
    });
    const lifted = await api.call({
      method: 'PUT',
      url: `${BASE}/late-1`,
      headers: { 'if-match': '"1"' },
      body: contact({ phone: '+14155550177', optOuts: { sms: false } }),
    });
    expect(lifted.status).toBe(400);
    expect(issuePaths(lifted)).toEqual(['optOuts.sms']);
  });

  it('records consent with the staff user who took it', async () => {
    // Prepare
    await api.seed({ patients: [makePatient({ patientId: 'consent-1' })] });

    // Act
    const answer = await api.call({
      method: 'PUT',
      url: `${BASE}/consent-1`,
      body: contact({ consent: { sms: { source: 'written' } } }),
      headers: { 'if-match': '"1"' },
    });

    // Assess
    expect(answer.body.consent.sms).toEqual({ at: TEST_NOW, source: 'written', recordedBy: 'staff-user-1' });
  });

  it('names every bad field: unknown field, bad phone, bad zone, missing address for a channel', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const fields = await api.call({
      method: 'PUT',
      url: `${BASE}/bad-1`,
      body: contact({ phone: '555-0143', timeZone: 'Europe/Atlantis', nickname: 'Lu' }),
    });
    const address = await api.call({
      method: 'PUT',
      url: `${BASE}/bad-2`,
      body: contact({ email: undefined, channels: ['email'] }),
    });

    // Assess
    expect(fields.status).toBe(400);
    expect(issuePaths(fields).sort()).toEqual(['nickname', 'phone', 'timeZone']);
    expect(address.status).toBe(400);
    expect(issuePaths(address)).toEqual(['email']);
    expect(await api.snapshot()).toBe(before);
  });

  it('refuses control characters in a name with a 400 naming the field and the position, and writes nothing', async () => {
    // Act: the name from the report, with NUL, BEL and a line feed before markup.
    const before = await api.snapshot();
    const answer = await api.call({
      method: 'PUT',
      url: `${BASE}/ctl-1`,
      body: contact({ firstName: 'Ana\u0000\u0007\n<script>' }),
    });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error.issues).toEqual([
      { path: 'firstName', message: 'must not contain a control character: U+0000 at position 4' },
    ]);
    expect(await api.snapshot()).toBe(before);
  });

  it('keeps names in every script and with emoji exactly as sent', async () => {
    // Arrange: a ZWJ emoji sequence with a skin tone, Arabic with a right-to-left mark, CJK.
    const firstName = 'محمد\u200f 👩🏽‍⚕️';
    const lastName = '李-Nguyễn';

    // Act
    const created = await api.call({
      method: 'PUT',
      url: `${BASE}/script-1`,
      body: contact({ firstName, lastName }),
    });

    // Assess
    expect(created.status).toBe(201);
    expect(await api.repos().patients.get('demo-clinic', 'script-1')).toMatchObject({ firstName, lastName });
  });

  it('answers 400 for an update without If-Match, 409 for a stale one, 404 for a missing patient', async () => {
    // Prepare
    await api.seed({ patients: [makePatient({ patientId: 'versioned' })] });
    const before = await api.snapshot();

    // Act
    const missing = await api.call({ method: 'PUT', url: `${BASE}/versioned`, body: contact() });
    const stale = await api.call({
      method: 'PUT',
      url: `${BASE}/versioned`,
      body: contact(),
      headers: { 'if-match': '"4"' },
    });
    const absent = await api.call({ method: 'GET', url: `${BASE}/nobody` });

    // Assess
    expect(missing.status).toBe(400);
    expect(issuePaths(missing)).toEqual(['If-Match']);
    expect(stale.status).toBe(409);
    expect(stale.body.error.currentVersion).toBe(1);
    expect(absent.status).toBe(404);
    expect(await api.snapshot()).toBe(before);
  });

  it('answers 404 for a patient of a clinic that does not exist yet', async () => {
    const answer = await api.call({
      method: 'PUT',
      url: '/v1/clinics/unset/patients/p-1',
      body: contact(),
      clinics: ['unset'],
    });

    expect(answer.status).toBe(404);
    expect(answer.body.error.message).toMatch(/PUT \/v1\/clinics\/unset/);
  });

  it('logs ids and codes, never the name, phone number or email it was sent', async () => {
    // Prepare
    const body = contact({ firstName: 'Zebulon', phone: '+14155550199', email: 'zebulon@example.com' });

    // Act
    await api.call({ method: 'PUT', url: `${BASE}/logged`, body });
    await api.call({ method: 'PUT', url: `${BASE}/logged`, body: { ...body, phone: 'not a phone' } });

    // Assess
    const logged = JSON.stringify(api.logs);
    expect(logged).toContain('/v1/clinics/{clinicId}/patients/{patientId}');
    expect(logged).not.toMatch(/Zebulon|4155550199|zebulon@|not a phone/);
  });
});
