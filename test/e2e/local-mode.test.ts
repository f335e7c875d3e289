import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/adapters/clock';
import type { OutboxEntry } from '../../shared/adapters/local/local-outbox';
import { toUtcIso } from '../../shared/domain/time';
import { signLocalToken } from '../../shared/http/local-tokens';
import { localApi, startLocalMode } from './support/local-api';
import { commandOf, descendants, isAlive, type Spawned, waitFor } from './support/processes';

const NY = 'America/New_York';
let local: Spawned;
let url: string;
let token: string;
let javaPids: number[] = [];
const { call, advanceTo } = localApi(() => ({ url, token }));

function localTime(entry: OutboxEntry): string {
  return DateTime.fromISO(entry.at, { zone: 'utc' }).setZone(NY).toFormat('yyyy-MM-dd HH:mm');
}

async function newToken(request: { clinicId: string; role: string }): Promise<string> {
  const response = await fetch(`${url}/local/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = (await response.json()) as { token: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  expect(Object.keys(body)).toEqual(['token']);
  return body.token;
}

beforeAll(async () => {
  // The clock starts at 09:00 New York on Tuesday 1 December 2026 and moves only when told.
  ({ local, url, token } = await startLocalMode('2026-12-01T14:00:00Z'));
  javaPids = descendants(local.child.pid as number).filter((pid) =>
    /^java .*DynamoDBLocal/.test(commandOf(pid)),
  );
});

afterAll(async () => {
  if (local.child.exitCode === null) local.child.kill('SIGKILL');
  await local.exited;
});

describe('local mode, started as `npm start` would', () => {
  it('prints the URL and a working staff token, and runs DynamoDB Local for it', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(javaPids).toHaveLength(1);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
  });

  it('sends the confirmation and each reminder at the right local times, nothing stale after a move, nothing after a cancellation', async () => {
    // Prepare: a patient and an appointment on Tuesday 8 December at 10:00 New York.
    expect(
      (
        await call('PUT', '/v1/clinics/demo-clinic/patients/p-e2e', {
          firstName: 'Ana',
          phone: '+14155552671',
          email: 'ana@example.com',
          channels: ['sms', 'email'],
          language: 'en',
        })
      ).status,
    ).toBe(201);
    const booked = await call('PUT', '/v1/clinics/demo-clinic/appointments/a-e2e', {
      patientId: 'p-e2e',
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
      location: '12 River Road',
    });
    expect(booked.status).toBe(201);

    // Act 1: run the clock to the evening before the visit.
    const week = await advanceTo('2026-12-07T23:00:00Z');

    // Assess 1: confirmation at once, then 3 d and 1 d before, at 10:00 local.
    expect(week.map((e) => [localTime(e), e.messageId, e.channel])).toEqual([
      ['2026-12-01 09:00', 'a-e2e#confirmation#-#v1', 'sms'],
      ['2026-12-05 10:00', 'a-e2e#reminder#3d#v1', 'sms'],
      ['2026-12-07 10:00', 'a-e2e#reminder#1d#v1', 'sms'],
    ]);
    expect(week[0]?.text).toContain('Demo Family Clinic');

    // Act 2: at 18:00 on Monday the clinic moves the visit to Tuesday 15 December 14:00.
    const moved = await call(
      'PUT',
      '/v1/clinics/demo-clinic/appointments/a-e2e',
      {
        patientId: 'p-e2e',
        startAt: '2026-12-15T19:00:00Z',
        durationMinutes: 30,
        location: '12 River Road',
      },
      { 'if-match': '"1"' },
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const afterMove = await advanceTo('2026-12-15T16:00:00Z');

    // Assess 2: one reschedule notice, the new reminders, and no 2 h reminder for the old time.
    expect(afterMove.map((e) => [localTime(e), e.messageId])).toEqual([
      ['2026-12-07 18:00', 'a-e2e#reschedule#-#v2'],
      ['2026-12-12 14:00', 'a-e2e#reminder#3d#v2'],
      ['2026-12-14 14:00', 'a-e2e#reminder#1d#v2'],
    ]);
    expect(afterMove.some((e) => e.messageId.endsWith('#v1'))).toBe(false);

    // Act 3: at 11:00 on the day, an hour before the 2 h reminder, the clinic cancels.
    const cancelled = await call('POST', '/v1/clinics/demo-clinic/appointments/a-e2e/cancel', {
      cancelledBy: 'clinic',
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const afterCancel = await advanceTo('2026-12-18T00:00:00Z');

    // Assess 3: the cancellation notice, and nothing after it.
    expect(afterCancel.map((e) => [localTime(e), e.messageId])).toEqual([
      ['2026-12-15 11:00', 'a-e2e#cancellation#-#v3'],
    ]);
    const { body: outbox } = await call('GET', '/local/outbox');
    expect((outbox.entries as OutboxEntry[]).at(-1)?.messageId).toBe('a-e2e#cancellation#-#v3');
    const { body: timeline } = await call('GET', '/v1/clinics/demo-clinic/appointments/a-e2e/messages');
    const statuses = (timeline.messages as { messageId: string; status: string; reason?: string }[]).map(
      (m) => [m.messageId, m.status, m.reason ?? ''],
    );
    expect(statuses).toContainEqual(['a-e2e#reminder#2h#v1', 'skipped', 'appointment-moved']);
    expect(statuses).toContainEqual(['a-e2e#reminder#2h#v2', 'skipped', 'appointment-cancelled']);
  });

  it('gives a token for a second clinic over POST /local/tokens: a staff token gets 403 on PUT /v1/clinics/{clinicId} and nothing changes, an admin token succeeds', async () => {
    // Prepare: an admin token for a clinic not created yet creates it.
    const admin = await newToken({ clinicId: 'north-clinic', role: 'clinic-admin' });
    const clinic = {
      name: 'North Clinic',
      timeZone: 'America/Chicago',
      country: 'US',
      contactPhone: '+13125550143',
    };
    const created = await call('PUT', '/v1/clinics/north-clinic', clinic, {}, admin);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const staff = await newToken({ clinicId: 'north-clinic', role: 'staff' });

    // Act
    const refused = await call(
      'PUT',
      '/v1/clinics/north-clinic',
      { ...clinic, name: 'Renamed by the front desk' },
      { 'if-match': '"1"' },
      staff,
    );
    const afterRefusal = await call('GET', '/v1/clinics/north-clinic', undefined, {}, staff);
    const patient = await call(
      'PUT',
      '/v1/clinics/north-clinic/patients/p-north',
      { firstName: 'Noor', phone: '+13125550188', channels: ['sms'] },
      {},
      staff,
    );
    const byAdmin = await call(
      'PUT',
      '/v1/clinics/north-clinic',
      { ...clinic, name: 'North Family Clinic' },
      { 'if-match': '"1"' },
      admin,
    );
    const demoClinicWithNorthToken = await call('GET', '/v1/clinics/demo-clinic', undefined, {}, staff);

    // Assess
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', requiredRole: 'clinic-admin' });
    expect(afterRefusal.status).toBe(200);
    expect(afterRefusal.body).toMatchObject({ name: 'North Clinic', version: 1 });
    expect(patient.status, JSON.stringify(patient.body)).toBe(201);
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(200);
    expect(byAdmin.body).toMatchObject({ name: 'North Family Clinic', version: 2 });
    expect(demoClinicWithNorthToken.status).toBe(403);
  });

  it('answers a bad POST /local/tokens body with a 400 naming the field, and a staff token for an unknown clinic with a 404', async () => {
    const post = (body: string) =>
      fetch(`${url}/local/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const issuesOf = async (response: Response) => {
      const body = (await response.json()) as { error: { code: string; issues: { path: string }[] } };
      return [response.status, body.error.code, body.error.issues.map((issue) => issue.path)];
    };

    expect(await issuesOf(await post('{"clinicId":"demo-clinic","role":"doctor"}'))).toEqual([
      400,
      'invalid-request',
      ['role'],
    ]);
    expect(await issuesOf(await post('{"role":"staff"}'))).toEqual([400, 'invalid-request', ['clinicId']]);
    expect(await issuesOf(await post('{"clinicId":"Demo Clinic","role":"staff","ttl":5}'))).toEqual([
      400,
      'invalid-request',
      ['clinicId', 'ttl'],
    ]);
    const notJson = await post('clinicId=demo-clinic');
    expect(notJson.status).toBe(400);
    const unknown = await post('{"clinicId":"nowhere-clinic","role":"staff"}');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(
      /clinic "nowhere-clinic" does not exist here; a clinic-admin token for it can create it/,
    );
  });

  it('refuses bad input to the local routes in the API error shape, naming the field, and leaves the clock where it was', async () => {
    const before = (await call('GET', '/local/clock')).body.now;
    const refusal = async (method: string, path: string, body?: string) => {
      const response = await fetch(`${url}${path}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body }),
      });
      const error = ((await response.json()) as { error: { code: string; issues?: { path: string }[] } })
        .error;
      return [
        response.status,
        error.code,
        (error.issues ?? []).map((issue) => issue.path),
        response.headers.get('allow'),
      ];
    };
    expect(await refusal('POST', '/local/clock', '{"advance":"soon"}')).toEqual([
      400,
      'invalid-request',
      ['advance'],
      null,
    ]);
    expect(await refusal('POST', '/local/clock', '{"to":"2026-12-01 09:00"}')).toEqual([
      400,
      'invalid-request',
      ['to'],
      null,
    ]);
    expect(await refusal('POST', '/local/clock', '{"advance":"1d","to":"2027-01-01T00:00:00Z"}')).toEqual([
      400,
      'invalid-request',
      ['body'],
      null,
    ]);
    expect(await refusal('POST', '/local/clock', 'advance=1d')).toEqual([
      400,
      'invalid-request',
      ['body'],
      null,
    ]);
    expect(await refusal('POST', '/local/clock', '{"to":"2020-01-01T00:00:00Z"}')).toEqual([
      409,
      'conflict',
      [],
      null,
    ]);
    expect(await refusal('DELETE', '/local/clock')).toEqual([405, 'method-not-allowed', [], 'GET, POST']);
    expect(await refusal('POST', '/local/outbox', '{}')).toEqual([405, 'method-not-allowed', [], 'GET']);
    expect(await refusal('GET', '/local/outbox?since=latest')).toEqual([
      400,
      'invalid-request',
      ['since'],
      null,
    ]);
    expect(await refusal('POST', '/local/inbound', '{"from":')).toEqual([
      400,
      'invalid-request',
      ['body'],
      null,
    ]);
    expect((await call('GET', '/local/clock')).body.now).toBe(before);
  });

  it('says why a token is refused, in the API error shape: no-token, malformed, bad-signature', async () => {
    const reasonOf = async (authorization?: string) => {
      const response = await fetch(`${url}/v1/clinics/demo-clinic`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      const body = (await response.json()) as { error: { code: string; reason: string } };
      return [response.status, body.error.code, body.error.reason];
    };
    const otherRun = await signLocalToken(
      { subject: 'local-clinic-admin', clinics: ['demo-clinic'], roles: ['clinic-admin'] },
      'a-secret-this-local-mode-never-had-0123456789',
      systemClock,
    );

    expect(await reasonOf()).toEqual([401, 'unauthorized', 'no-token']);
    expect(await reasonOf('Bearer not-a-jwt')).toEqual([401, 'unauthorized', 'malformed']);
    expect(await reasonOf(`Basic ${token}`)).toEqual([401, 'unauthorized', 'malformed']);
    expect(await reasonOf(`Bearer ${otherRun}`)).toEqual([401, 'unauthorized', 'bad-signature']);
  });

  it('keeps the banner token working after POST /local/clock advances the clock 31 days', async () => {
    const before = (await call('GET', '/local/clock')).body.now as string;

    const advanced = await call('POST', '/local/clock', { advance: '31d' });
    const after = await call('GET', '/v1/clinics/demo-clinic');

    expect(advanced.status).toBe(200);
    expect(DateTime.fromISO(advanced.body.now as string).diff(DateTime.fromISO(before), 'days').days).toBe(
      31,
    );
    expect(after.status, JSON.stringify(after.body)).toBe(200);
  });

  it('sends a staff reply over HTTP through the outbox: 202, in the local outbox as written, in the conversation', async () => {
    // Prepare: Ana asks a question, so the reply answers her (the 24-hour rule); its own answer goes first.
    const question = await call('POST', '/local/inbound', {
      from: '+14155552671',
      body: 'Are you open late today?',
    });
    expect(question.status, JSON.stringify(question.body)).toBe(200);
    await call('POST', '/local/clock', { advance: '1m' });

    // Act
    const text = 'Hi Ana, the clinic is open until 6 pm today.';
    const accepted = await call('POST', '/v1/clinics/demo-clinic/patients/p-e2e/replies', { text });
    const advanced = await call('POST', '/local/clock', { advance: '1m' });
    const conversation = await call('GET', '/v1/clinics/demo-clinic/patients/p-e2e/conversation');

    // Assess
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'queued', opensConversation: false, segments: 1 });
    expect(
      (advanced.body.sent as OutboxEntry[]).map((entry) => [entry.messageId, entry.channel, entry.text]),
    ).toEqual([[accepted.body.messageId, 'sms', text]]);
    const items = conversation.body.items as {
      direction: string;
      messageId?: string;
      status?: string;
      text?: string;
    }[];
    expect(items.find((item) => item.messageId === accepted.body.messageId)).toMatchObject({
      status: 'sent',
      text,
      textSource: 'stored',
    });
  });

  it('applies delivery receipts over POST /local/receipts: delivered, carrier-blocked with the email copy sent, an SES bounce and a complaint', async () => {
    // Prepare: a patient on text and email, two visits a week ahead; each confirmation goes out at once.
    // 10:00 New York the next day, outside quiet hours, so confirmations go at once.
    const clock = DateTime.fromISO(String((await call('GET', '/local/clock')).body.now), { zone: 'utc' });
    const now = clock.plus({ days: 1 }).set({ hour: 15, minute: 0, second: 0, millisecond: 0 });
    await advanceTo(toUtcIso(now));
    expect(
      (
        await call('PUT', '/v1/clinics/demo-clinic/patients/p-rcpt', {
          firstName: 'Rae',
          phone: '+14155552672',
          email: 'rae@example.com',
          channels: ['sms', 'email'],
          language: 'en',
        })
      ).status,
    ).toBe(201);
    for (const id of ['a-rcpt-1', 'a-rcpt-2']) {
      const booked = await call('PUT', `/v1/clinics/demo-clinic/appointments/${id}`, {
        patientId: 'p-rcpt',
        startAt: now.plus({ days: 7 }).set({ hour: 16, minute: 0, second: 0, millisecond: 0 }).toISO(),
        durationMinutes: 30,
        location: '12 River Road',
      });
      expect(booked.status).toBe(201);
    }
    const outbox = async () =>
      (await call('GET', '/local/outbox?clinicId=demo-clinic')).body.entries as OutboxEntry[];
    const sentIds = async () => (await outbox()).map((entry) => entry.messageId);
    const first = 'a-rcpt-1#confirmation#-#v1';
    const second = 'a-rcpt-2#confirmation#-#v1';
    const copy = `${first}#via-email`;
    await advanceTo(toUtcIso(now.plus({ seconds: 30 })));
    expect(await sentIds()).toEqual(expect.arrayContaining([first, second]));
    const receipt = (body: Record<string, unknown>) => call('POST', '/local/receipts', body);

    // Act + Assess: the handset took the second text.
    expect(await receipt({ messageId: second, event: 'TEXT_DELIVERED' })).toEqual({
      status: 200,
      body: { messageId: second, status: 'delivered' },
    });

    // The carrier blocked the first: undeliverable with the event as reason, and its copy goes by email.
    expect(await receipt({ messageId: first, event: 'TEXT_CARRIER_BLOCKED' })).toEqual({
      status: 200,
      body: { messageId: first, status: 'undeliverable', reason: 'TEXT_CARRIER_BLOCKED' },
    });
    // A second delivery of the same receipt changes nothing.
    expect((await receipt({ messageId: first, event: 'TEXT_CARRIER_BLOCKED' })).body).toMatchObject({
      status: 'undeliverable',
    });
    const later = await advanceTo(toUtcIso(now.plus({ minutes: 3 })));
    expect(later.filter((entry) => entry.messageId === copy).map((entry) => entry.channel)).toEqual([
      'email',
    ]);
    expect((await sentIds()).filter((id) => id === copy)).toHaveLength(1);

    // The email copy bounces for good: the patient's email is marked undeliverable (source bounce).
    expect(await receipt({ messageId: copy, event: 'Bounce', bounceType: 'Permanent' })).toEqual({
      status: 200,
      body: { messageId: copy, status: 'undeliverable', reason: 'bounce-permanent' },
    });
    // And the patient marked it as spam: email opted out (source complaint).
    expect((await receipt({ messageId: copy, event: 'Complaint' })).status).toBe(200);
    const patient = (await call('GET', '/v1/clinics/demo-clinic/patients/p-rcpt')).body;
    expect(JSON.stringify(patient)).toContain('"source":"bounce"');
    expect(JSON.stringify(patient)).toContain('"source":"complaint"');
    const timeline = (await call('GET', '/v1/clinics/demo-clinic/appointments/a-rcpt-1/messages')).body;
    expect(JSON.stringify(timeline)).toContain('TEXT_CARRIER_BLOCKED');

    // Bad input: a clear error naming the field, an unknown message a 404, nothing changed.
    const bad = await receipt({ messageId: second, event: 'DELIVERED' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('event');
    expect((await receipt({ messageId: 'nope#x', event: 'TEXT_DELIVERED' })).status).toBe(404);
    expect((await receipt({ messageId: second, event: 'Bounce' })).status).toBe(400);
  });

  it('reminds a visit booked while the patient was opted out once they text START: skipped opted-out before, sent after', async () => {
    // Prepare: 10:00 New York the next day; an SMS-only patient texts STOP, then staff book a visit in 3 days.
    const clock = DateTime.fromISO(String((await call('GET', '/local/clock')).body.now), { zone: 'utc' });
    const now = clock.plus({ days: 1 }).set({ hour: 15, minute: 0, second: 0, millisecond: 0 });
    await advanceTo(toUtcIso(now));
    const phone = '+14155552677';
    const patient = await call('PUT', '/v1/clinics/demo-clinic/patients/p-back', {
      firstName: 'Bo',
      phone,
      channels: ['sms'],
      language: 'en',
    });
    expect(patient.status).toBe(201);
    expect((await call('POST', '/local/inbound', { from: phone, body: 'STOP' })).body).toMatchObject({
      inbound: { outcome: 'opted-out', patientId: 'p-back' },
    });
    const start = now.plus({ days: 3 }).set({ hour: 16 });
    const booked = await call('PUT', '/v1/clinics/demo-clinic/appointments/a-back', {
      patientId: 'p-back',
      startAt: toUtcIso(start),
      durationMinutes: 30,
    });
    expect(booked.status).toBe(201);

    // Act: the confirmation comes due while opted out; Bo texts START the next day, before the 1-day reminder.
    await advanceTo(toUtcIso(now.plus({ minutes: 2 })));
    await advanceTo(toUtcIso(now.plus({ days: 1 })));
    expect((await call('POST', '/local/inbound', { from: phone, body: 'START' })).body).toMatchObject({
      inbound: { outcome: 'opted-in', patientId: 'p-back' },
    });
    await advanceTo(toUtcIso(start.plus({ minutes: 1 })));
    const messages = await call('GET', '/v1/clinics/demo-clinic/appointments/a-back/messages');

    // Assess: planned pending, not skipped at booking; opted-out while STOP held, sent once START came.
    const byKind = Object.fromEntries(
      (messages.body.messages as { kind: string; offset?: string; status: string; reason?: string }[]).map(
        (message) => [
          `${message.kind}${message.offset ? `:${message.offset}` : ''}`,
          [message.status, message.reason],
        ],
      ),
    );
    expect(byKind).toMatchObject({
      confirmation: ['skipped', 'opted-out'],
      'reminder:1d': ['sent', undefined],
      'reminder:2h': ['sent', undefined],
    });
  });

  it('stops cleanly on Ctrl-C and leaves no java process behind', async () => {
    local.child.kill('SIGINT');
    const { code } = await local.exited;

    expect(code).toBe(0);
    expect(await waitFor(() => javaPids.every((pid) => !isAlive(pid)), 5_000)).toBe(true);
    expect(local.output()).toMatch(/stopped/);
  });
});
