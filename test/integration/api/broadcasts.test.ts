import { beforeAll, describe, expect, it } from 'vitest';
import { makeAppointment, makeBroadcast, makeClinic, makePatient, TEST_NOW } from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

const api = useStaffApi({ config: { staffBroadcastMaxRecipients: 3, smsPricePerSegment: 0.01 } });

const CONSENT = { at: TEST_NOW, source: 'written' as const };
const ALL = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6'];

const body = (overrides: Record<string, unknown> = {}) => ({
  text: {
    en: 'Hi {{firstName}}, flu shots are in at {{clinicName}}. Call {{clinicPhone}} to book.',
    es: 'Hola {{firstName}}, ya hay vacunas contra la gripe en {{clinicName}}. Llame al {{clinicPhone}}.',
  },
  audience: { patientIds: ALL },
  sendAt: '2026-12-02T15:00:00Z',
  ...overrides,
});

beforeAll(() =>
  api.seed({
    clinics: [makeClinic()],
    patients: [
      makePatient({ patientId: 'p-1', channels: ['sms'], consent: { updates: CONSENT } }),
      makePatient({ patientId: 'p-2', phone: undefined, channels: ['email'], consent: { updates: CONSENT } }),
      makePatient({ patientId: 'p-3', channels: ['sms'] }),
      makePatient({
        patientId: 'p-4',
        channels: ['sms'],
        consent: { updates: CONSENT },
        optOuts: { sms: { at: TEST_NOW, source: 'patient' } },
      }),
      makePatient({
        patientId: 'p-5',
        channels: ['email'],
        consent: { updates: CONSENT },
        undeliverable: { email: { at: TEST_NOW, source: 'bounce', messageId: 'm-1' } },
      }),
      makePatient({
        patientId: 'p-6',
        firstName: 'José',
        language: 'es',
        channels: ['sms'],
        consent: { updates: CONSENT },
      }),
    ],
    appointments: [
      // Closure audience on 2026-12-08 (New York): p-3 twice, p-4 once; a cancelled visit and one the next day.
      makeAppointment({ appointmentId: 'a-1', patientId: 'p-3', startAt: '2026-12-08T15:00:00.000Z' }),
      makeAppointment({ appointmentId: 'a-2', patientId: 'p-3', startAt: '2026-12-08T20:00:00.000Z' }),
      makeAppointment({ appointmentId: 'a-3', patientId: 'p-1', startAt: '2026-12-09T04:30:00.000Z' }),
      makeAppointment({ appointmentId: 'a-4', patientId: 'p-4', startAt: '2026-12-08T16:00:00.000Z' }),
      makeAppointment({
        appointmentId: 'a-5',
        patientId: 'p-2',
        startAt: '2026-12-08T17:00:00.000Z',
        status: 'cancelled',
        cancelledBy: 'clinic',
        version: 2,
      }),
    ],
    broadcasts: [
      makeBroadcast({ broadcastId: 'started', status: 'planning', audience: { patientIds: ['p-1'] } }),
    ],
  }),
);

describe('POST /v1/clinics/{clinicId}/broadcasts/preview', () => {
  it('counts recipients by channel, skips by reason, samples each language with its parts and the cost, and writes nothing', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const answer = await api.call({
      method: 'POST',
      url: '/v1/clinics/demo-clinic/broadcasts/preview',
      body: body(),
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.recipients).toEqual({ total: 3, sms: 2, email: 1 });
    expect(answer.body.skipped).toEqual({
      'opted-out': 1,
      'no-consent': 1,
      'no-usable-channel': 1,
      'unknown-patient': 0,
    });
    expect(answer.body.samples).toEqual([
      {
        language: 'en',
        text: 'Hi Maria-Teresa, flu shots are in at Riverside Clinic. Call (202) 555-0143 to book.\nReply STOP to opt out.',
        segments: 1,
        encoding: 'GSM-7',
      },
      expect.objectContaining({ language: 'es', segments: 1, encoding: 'GSM-7' }),
    ]);
    expect(answer.body.samples[1].text).toMatch(/\nResponda STOP para darse de baja\.$/);
    // p-1 (en) and p-6 (es, "José" folded to GSM-7 by the guard): one part each.
    expect(answer.body.estimate).toEqual({ smsSegments: 2, pricePerSegment: 0.01, cost: 0.02 });
    // Three recipients, within the staff limit of 3: a staff user may save it.
    expect(answer.body).toMatchObject({ requiredRole: 'staff', staffMaxRecipients: 3 });
    expect(await api.snapshot()).toBe(before);
  });

  it('answers 0 for an audience that selects nobody', async () => {
    const answer = await api.call({
      method: 'POST',
      url: '/v1/clinics/demo-clinic/broadcasts/preview',
      body: body({ audience: { patientIds: ['p-3', 'nobody'] } }),
    });

    expect(answer.status).toBe(200);
    expect(answer.body.recipients.total).toBe(0);
    expect(answer.body.skipped).toMatchObject({ 'no-consent': 1, 'unknown-patient': 1 });
  });

  it('reads a closure as the booked visits on the clinic’s local dates, one recipient per patient, without the updates consent', async () => {
    const answer = await api.call({
      method: 'POST',
      url: '/v1/clinics/demo-clinic/broadcasts/preview',
      body: body({
        audience: { appointmentsOn: { from: '2026-12-08', to: '2026-12-08' } },
        priority: 'high',
      }),
    });

    // p-3 (two visits, no consent) is one recipient; p-4 opted out; p-1's visit is on the 8th at 23:30 New York.
    expect(answer.body.recipients).toEqual({ total: 2, sms: 2, email: 0 });
    expect(answer.body.skipped).toEqual({ 'opted-out': 1, 'no-consent': 0, 'no-usable-channel': 0 });
  });

  it('counts every patient who consented for the updates topic', async () => {
    const answer = await api.call({
      method: 'POST',
      url: '/v1/clinics/demo-clinic/broadcasts/preview',
      body: body({ audience: { topic: 'updates' } }),
    });

    expect(answer.body.recipients).toEqual({ total: 3, sms: 2, email: 1 });
  });
});

describe('PUT /v1/clinics/{clinicId}/broadcasts/{broadcastId}', () => {
  it('creates a scheduled broadcast with zero counts, readable and listed', async () => {
    // Act
    const created = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/broadcasts/flu-2026',
      body: body({ audience: { patientIds: ['p-1', 'p-2'] } }),
    });
    const read = await api.call({ method: 'GET', url: '/v1/clinics/demo-clinic/broadcasts/flu-2026' });
    const list = await api.call({ method: 'GET', url: '/v1/clinics/demo-clinic/broadcasts' });

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.body).toMatchObject({
      broadcastId: 'flu-2026',
      status: 'scheduled',
      priority: 'medium',
      sendAt: '2026-12-02T15:00:00.000Z',
      createdBy: 'staff-user-1',
      planned: 0,
      sent: 0,
      failed: 0,
      skipped: {},
    });
    expect(read.body).toEqual(created.body);
    expect(list.body.items.map((item: { broadcastId: string }) => item.broadcastId)).toEqual([
      'flu-2026',
      'started',
    ]);
  });

  it('changes a scheduled broadcast with If-Match, and refuses a change without it', async () => {
    await api.call({ method: 'PUT', url: '/v1/clinics/demo-clinic/broadcasts/edit-me', body: body() });

    const withoutVersion = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/broadcasts/edit-me',
      body: body(),
    });
    const changed = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/broadcasts/edit-me',
      headers: { 'if-match': '"1"' },
      body: body({ priority: 'high' }),
    });

    expect(withoutVersion.status).toBe(400);
    expect(issuePaths(withoutVersion)).toEqual(['If-Match']);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, priority: 'high' });
  });

  it('refuses a change after the fan-out started with 409 and writes nothing', async () => {
    const before = await api.snapshot();

    const answer = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/broadcasts/started',
      headers: { 'if-match': '"1"' },
      body: body(),
    });

    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toMatch(/is planning/);
    expect(await api.snapshot()).toBe(before);
  });

  it.each([
    ['an audience that selects nobody', body({ audience: { patientIds: ['p-3'] } }), ['audience']],
    ['a send time in the past', body({ sendAt: '2026-12-01T14:59:00Z' }), ['sendAt']],
    ['a language over the budget', body({ text: { en: 'x'.repeat(600) } }), ['text.en']],
    [
      'a variable a broadcast may not use',
      body({ text: { en: 'Your visit on {{localDate}}' } }),
      ['text.en'],
    ],
    ['two audiences', body({ audience: { patientIds: ['p-1'], topic: 'updates' } }), ['audience']],
    ['an unknown topic', body({ audience: { topic: 'marketing' } }), ['audience.topic']],
    [
      'a closure range backwards',
      body({ audience: { appointmentsOn: { from: '2026-12-09', to: '2026-12-08' } } }),
      ['audience.appointmentsOn.to'],
    ],
  ])('refuses %s with 400 naming the field, writing nothing', async (_name, sent, paths) => {
    const before = await api.snapshot();

    const answer = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/broadcasts/bad',
      body: sent,
    });

    expect(answer.status).toBe(400);
    expect(issuePaths(answer)).toEqual(paths);
    expect(await api.snapshot()).toBe(before);
  });

  it('needs a clinic admin for more recipients than a staff user may reach (403, nothing written)', async () => {
    const before = await api.snapshot();
    const topicBody = body({ audience: { topic: 'updates' } });
    await api.seed({
      patients: [makePatient({ patientId: 'p-7', channels: ['sms'], consent: { updates: CONSENT } })],
    });
    const seeded = await api.snapshot();
    // The preview says so first, to a staff user too.
    const preview = await api.call({
      method: 'POST',
      url: '/v1/clinics/demo-clinic/broadcasts/preview',
      body: topicBody,
      groups: ['staff'],
    });
    expect(preview.body).toMatchObject({ requiredRole: 'clinic-admin', staffMaxRecipients: 3 });

    const staff = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/broadcasts/big',
      body: topicBody,
      groups: ['staff'],
    });

    expect(before).not.toBe(seeded);
    expect(staff.status).toBe(403);
    expect(staff.body.error.requiredRole).toBe('clinic-admin');
    // It says the limit, so staff know why this broadcast and not a smaller one.
    expect(staff.body.error.message).toBe(
      "A broadcast to more than 3 patients (staff may send to 3 at most: the deployment's " +
        'staffBroadcastMaxRecipients) needs the clinic-admin role; your token has staff.',
    );
    expect(await api.snapshot()).toBe(seeded);
  });
});

describe('POST /v1/clinics/{clinicId}/broadcasts/{broadcastId}/cancel', () => {
  it('cancels (a new version, out of the fan-out), again idempotently; 404 for none', async () => {
    await api.call({ method: 'PUT', url: '/v1/clinics/demo-clinic/broadcasts/snow-day', body: body() });

    const first = await api.call({
      method: 'POST',
      url: '/v1/clinics/demo-clinic/broadcasts/snow-day/cancel',
    });
    const again = await api.call({
      method: 'POST',
      url: '/v1/clinics/demo-clinic/broadcasts/snow-day/cancel',
    });
    const missing = await api.call({ method: 'POST', url: '/v1/clinics/demo-clinic/broadcasts/none/cancel' });
    const due = await api.repos().broadcasts.dueForFanOut('2027-01-01T00:00:00.000Z', 100);

    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'cancelled', cancelledAt: TEST_NOW, version: 2 });
    expect(again.body).toEqual(first.body);
    expect(missing.status).toBe(404);
    expect(due.map((entry) => entry.broadcastId)).not.toContain('snow-day');
  });
});

describe('consent to the updates topic', () => {
  it('is recorded by PUT patient with when and who, and kept when not named', async () => {
    const saved = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/patients/c-1',
      body: {
        firstName: 'Cy',
        phone: '+14155552671',
        channels: ['sms'],
        consent: { updates: { source: 'verbal' } },
      },
    });
    const again = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/patients/c-1',
      headers: { 'if-match': '"1"' },
      body: { firstName: 'Cyrus', phone: '+14155552671', channels: ['sms'] },
    });

    expect(saved.body.consent).toEqual({
      updates: { at: TEST_NOW, source: 'verbal', recordedBy: 'staff-user-1' },
    });
    expect(again.body.consent).toEqual(saved.body.consent);
  });
});
