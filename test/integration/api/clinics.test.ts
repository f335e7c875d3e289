import { describe, expect, it } from 'vitest';
import { ClinicResponseSchema } from '../../../shared/api/schemas';
import { makeClinic, TEST_NOW } from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

const api = useStaffApi();

const settings = (overrides: Record<string, unknown> = {}) => ({
  name: 'Harbour Clinic',
  timeZone: 'America/Chicago',
  country: 'US',
  contactPhone: '+12025550143',
  ...overrides,
});

describe('PUT and GET /v1/clinics/{clinicId}', () => {
  it('creates a clinic with the default policy and answers 201 with its version as ETag', async () => {
    // Prepare
    const clinics = ['harbour'];

    // Act
    const created = await api.call({ method: 'PUT', url: '/v1/clinics/harbour', body: settings(), clinics });
    const read = await api.call({ method: 'GET', url: '/v1/clinics/harbour', clinics });

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(ClinicResponseSchema.parse(created.body).policy.reminderOffsets.default).toEqual([
      '3d',
      '1d',
      '2h',
    ]);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.body).toEqual(created.body);
    expect((await api.repos().clinics.get('harbour'))?.createdAt).toBe(TEST_NOW);
  });

  it('updates with the current version in If-Match, and a repeat of the same settings writes nothing', async () => {
    // Prepare
    await api.seed({ clinics: [makeClinic({ clinicId: 'update-me' })] });
    const clinics = ['update-me'];
    const body = settings({
      name: 'Renamed Clinic',
      policy: { quietHours: { start: '20:00', end: '08:30' } },
    });

    // Act
    const updated = await api.call({
      method: 'PUT',
      url: '/v1/clinics/update-me',
      body,
      clinics,
      headers: { 'if-match': '"1"' },
    });
    const again = await api.call({
      method: 'PUT',
      url: '/v1/clinics/update-me',
      body,
      clinics,
      headers: { 'if-match': '"2"' },
    });

    // Assess
    expect(updated.status).toBe(200);
    expect(updated.headers.etag).toBe('"2"');
    expect(updated.body.policy.quietHours).toEqual({ enabled: true, start: '20:00', end: '08:30' });
    expect(again.status).toBe(200);
    expect(again.headers.etag).toBe('"2"');
    expect((await api.repos().clinics.get('update-me'))?.version).toBe(2);
  });

  it("shows the deployment's origination identity, keeps it through a staff update and refuses one in the body", async () => {
    // Prepare
    const originationIdentity = {
      id: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      number: '+18885550123',
      numberType: 'toll-free',
    } as const;
    await api.seed({ clinics: [makeClinic({ clinicId: 'numbered', originationIdentity })] });
    const clinics = ['numbered'];

    // Act
    const updated = await api.call({
      method: 'PUT',
      url: '/v1/clinics/numbered',
      body: settings({ name: 'Renamed' }),
      clinics,
      headers: { 'if-match': '"1"' },
    });
    const smuggled = await api.call({
      method: 'PUT',
      url: '/v1/clinics/numbered',
      body: settings({ originationIdentity: { ...originationIdentity, number: '+13125550199' } }),
      clinics,
      headers: { 'if-match': '"2"' },
    });

    // Assess
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Renamed', originationIdentity });
    expect(smuggled.status).toBe(400);
    expect(issuePaths(smuggled)).toEqual(['originationIdentity']);
    expect(await api.repos().clinics.get('numbered')).toMatchObject({ version: 2, originationIdentity });
  });

  it('refuses an update without If-Match (400) and with a stale version (409), changing nothing', async () => {
    // Prepare
    await api.seed({ clinics: [makeClinic({ clinicId: 'guarded' })] });
    const before = await api.snapshot();
    const clinics = ['guarded'];

    // Act
    const missing = await api.call({ method: 'PUT', url: '/v1/clinics/guarded', body: settings(), clinics });
    const stale = await api.call({
      method: 'PUT',
      url: '/v1/clinics/guarded',
      body: settings(),
      clinics,
      headers: { 'if-match': '"7"' },
    });

    // Assess
    expect(missing.status).toBe(400);
    expect(issuePaths(missing)).toEqual(['If-Match']);
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'conflict', currentVersion: 1 });
    expect(await api.snapshot()).toBe(before);
  });

  it('names every bad field: unknown field, bad zone, bad phone and a nested policy field', async () => {
    // Prepare
    const body = settings({
      timeZone: 'Mars/Olympus',
      contactPhone: '+1202555',
      favouriteColour: 'teal',
      policy: { quietHours: { start: '25:00' } },
    });
    const before = await api.snapshot();

    // Act
    const answer = await api.call({
      method: 'PUT',
      url: '/v1/clinics/bad-input',
      body,
      clinics: ['bad-input'],
    });

    // Assess
    expect(answer.status).toBe(400);
    expect(issuePaths(answer).sort()).toEqual([
      'contactPhone',
      'favouriteColour',
      'policy.quietHours.start',
      'timeZone',
    ]);
    expect(await api.snapshot()).toBe(before);
  });

  it('refuses an SMS template that renders over the segment budget, naming the template and its length', async () => {
    // Prepare
    const long = `{{clinicName}}: ${'Please remember to bring your insurance card and a list of medicines. '.repeat(4)}{{stopText}}`;
    const body = settings({
      policy: {
        segmentBudget: 1,
        languages: ['en'],
        templates: { reminder: { en: { sms: long, emailSubject: 'Reminder', emailBody: 'See you soon.' } } },
      },
    });

    // Act
    const answer = await api.call({ method: 'PUT', url: '/v1/clinics/wordy', body, clinics: ['wordy'] });

    // Assess
    expect(answer.status).toBe(400);
    const issue = answer.body.error.issues.find(
      (i: { path: string }) => i.path === 'policy.templates.reminder.en.sms',
    );
    expect(issue?.message).toMatch(
      /\d+ segments \(\d+ characters, GSM-7\) with a 12-character first name; the budget is 1 \(policy.segmentBudget.exempt\)$/,
    );
    expect(await api.repos().clinics.get('wordy')).toBeUndefined();
  });

  it('asks for an SMS name when the name is too long for one-part texts, and keeps the one given', async () => {
    // Prepare
    const name = 'Harbour Family and Community Health Clinic';
    const clinics = ['harbour-family'];

    // Act
    const refused = await api.call({
      method: 'PUT',
      url: '/v1/clinics/harbour-family',
      body: settings({ name }),
      clinics,
    });
    const created = await api.call({
      method: 'PUT',
      url: '/v1/clinics/harbour-family',
      body: settings({ name, smsName: 'Harbour Clinic' }),
      clinics,
    });

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues).toEqual([
      {
        path: 'smsName',
        message:
          'is required because name has 42 characters and texts show at most 20; for example "Harbour Family and"',
      },
    ]);
    expect(created.status).toBe(201);
    expect(ClinicResponseSchema.parse(created.body)).toMatchObject({ name, smsName: 'Harbour Clinic' });
  });

  it('answers 404 for a clinic that does not exist', async () => {
    const answer = await api.call({ method: 'GET', url: '/v1/clinics/nowhere', clinics: ['nowhere'] });

    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not-found');
  });

  it('refuses a body over the JSON limit with 413 and a body that is not JSON with 415', async () => {
    // Prepare
    const huge = settings({ name: 'x'.repeat(300 * 1024) });

    // Act
    const tooLarge = await api.call({ method: 'PUT', url: '/v1/clinics/big', body: huge, clinics: ['big'] });
    const notJson = await api.call({
      method: 'PUT',
      url: '/v1/clinics/big',
      body: 'name=Harbour',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      clinics: ['big'],
    });

    // Assess
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toMatchObject({ code: 'payload-too-large', limit: 256 * 1024 });
    expect(notJson.status).toBe(415);
    expect(await api.repos().clinics.get('big')).toBeUndefined();
  });
});
