import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConversationSchema, StaffReplyAcceptedSchema } from '../../../shared/api/schemas';
import { STAFF_API_ROUTES } from '../../../shared/http/staff-api';
import { makeClinic, makeInbound, makePatient, TEST_NOW } from '../../support/factories';
import { issuePaths, SEND_QUEUE_URL, useStaffApi } from './harness';

const sqs = mockClient(SQSClient);
afterAll(() => sqs.restore());

const api = useStaffApi();
const BASE = '/v1/clinics/demo-clinic/patients';
const KEY = (patientId: string) => ({ clinicId: 'demo-clinic', patientId });

beforeAll(() =>
  api.seed({
    clinics: [makeClinic()],
    patients: [
      makePatient(),
      makePatient({ patientId: 'stopped', optOuts: { sms: { at: TEST_NOW, source: 'patient' } } }),
      makePatient({ patientId: 'no-phone', phone: undefined, channels: ['email'] }),
      makePatient({ patientId: 'quiet', phone: '+14155550199' }),
      makePatient({ patientId: 'callada', phone: '+14155550198', language: 'es' }),
    ],
    // Ana (p-1) asked two hours ago, so replies to her answer her; the quiet patient last texted 25 hours ago.
    inbound: [textFrom('p-1', '+14155552671', 2), textFrom('quiet', '+14155550199', 25)],
  }),
);

/** A patient's free-text question `hoursAgo` hours before the API's clock, as handle-inbound records it. */
function textFrom(patientId: string, from: string, hoursAgo: number) {
  const at = new Date(Date.parse(TEST_NOW) - hoursAgo * 3_600_000).toISOString();
  return makeInbound({
    inboundMessageId: `in-${patientId}`,
    patientId,
    from,
    body: 'Is there parking?',
    receivedAt: at,
    recordedAt: at,
    intent: { kind: 'free-text' },
    outcome: 'free-text',
    appointmentId: undefined,
    answeredMessageId: undefined,
    matchedBy: undefined,
    state: 'open',
  });
}
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('POST /v1/clinics/{clinicId}/patients/{patientId}/replies', () => {
  it('stores the text on a staff-reply message and hands it to the send queue at once (202 with the id)', async () => {
    // Act
    const answer = await api.call({
      method: 'POST',
      url: `${BASE}/p-1/replies`,
      body: { text: 'Yes, parking is free behind the building.\nSee you Tuesday!' },
      groups: ['staff'],
    });

    // Assess
    expect(answer.status).toBe(202);
    const accepted = StaffReplyAcceptedSchema.parse(answer.body);
    expect(accepted).toMatchObject({
      status: 'queued',
      replayed: false,
      opensConversation: false,
      segments: 1,
      encoding: 'GSM-7',
    });
    expect(accepted.messageId).toMatch(/^~staff-reply#20261201T150000000Z-[0-9a-f]{12}$/);
    const stored = await api.repos().messages.get({ ...KEY('p-1'), messageId: accepted.messageId });
    expect(stored).toMatchObject({
      kind: 'staff-reply',
      priority: 'high',
      channel: 'sms',
      status: 'queued',
      language: 'en',
      dueAt: TEST_NOW,
      notAfter: '2026-12-01T16:00:00.000Z',
      staffReply: { text: 'Yes, parking is free behind the building.\nSee you Tuesday!', by: 'staff-user-1' },
    });
    expect(stored?.appointmentId).toBeUndefined();
    expect(sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: SEND_QUEUE_URL,
        Entries: [
          {
            Id: '0',
            MessageBody: JSON.stringify({
              clinicId: 'demo-clinic',
              patientId: 'p-1',
              messageId: accepted.messageId,
              token: stored?.claimToken,
            }),
            DelaySeconds: 0,
          },
        ],
      },
    ]);
  });

  it('shows the reply with its words in the conversation, and never logs them', async () => {
    // Prepare
    const text = 'Bring your insurance card, please.';
    const sent = await api.call({ method: 'POST', url: `${BASE}/p-1/replies`, body: { text } });

    // Act
    const conversation = await api.call({ method: 'GET', url: `${BASE}/p-1/conversation` });

    // Assess
    const items = ConversationSchema.parse(conversation.body).items;
    expect(
      items.find((item) => item.direction === 'outbound' && item.messageId === sent.body.messageId),
    ).toMatchObject({
      kind: 'staff-reply',
      status: 'queued',
      text,
      textSource: 'stored',
    });
    expect(JSON.stringify(api.logs)).not.toContain('insurance');
  });

  it('sends one reply for one idempotency key: the retry answers 202 with the same id and queues nothing', async () => {
    // Prepare
    const request = {
      method: 'POST',
      url: `${BASE}/p-1/replies`,
      body: { text: 'We can see you at 3 pm.' },
      headers: { 'idempotency-key': 'console-7f3a' },
    };

    // Act
    const first = await api.call(request);
    const again = await api.call(request);

    // Assess
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ messageId: first.body.messageId, replayed: true, status: 'queued' });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('refuses an idempotency key reused for other words with 409 on Idempotency-Key, and sends nothing more', async () => {
    // Prepare: a reply sent under a key.
    const headers = { 'idempotency-key': 'console-draft-9' };
    const first = await api.call({
      method: 'POST',
      url: `${BASE}/p-1/replies`,
      body: { text: 'We can see you at 3 pm.' },
      headers,
    });
    expect(first.status).toBe(202);

    // Act: the same key, other words.
    const reused = await api.call({
      method: 'POST',
      url: `${BASE}/p-1/replies`,
      body: { text: 'Actually 4 pm works better.' },
      headers,
    });

    // Assess: refused naming the header; the first reply stands, one send queued in all.
    expect(reused.status).toBe(409);
    expect(reused.body.error.issues).toEqual([
      { path: 'Idempotency-Key', message: expect.stringContaining('another reply') },
    ]);
    expect(JSON.stringify(reused.body)).not.toContain('4 pm');
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    const conversation = await api.call({ method: 'GET', url: `${BASE}/p-1/conversation` });
    expect(JSON.stringify(conversation.body)).toContain('3 pm');
    expect(JSON.stringify(conversation.body)).not.toContain('4 pm');
  });

  it('leaves a reply longer than one part to the next sweep, which paces parts (202 pending, nothing queued now)', async () => {
    // Act: 200 GSM-7 characters, two parts, within the budget of 3.
    const answer = await api.call({
      method: 'POST',
      url: `${BASE}/p-1/replies`,
      body: { text: 'c'.repeat(200) },
    });

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'pending', segments: 2, replayed: false });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    const stored = await api.repos().messages.get({ ...KEY('p-1'), messageId: answer.body.messageId });
    expect(stored).toMatchObject({ kind: 'staff-reply', status: 'pending', dueAt: TEST_NOW });
  });

  it("refuses a text over the clinic's segment budget, saying the parts and the budget, and writes nothing", async () => {
    // Prepare: 4 parts of GSM-7 (153 each past the first), the budget is 3.
    const before = await api.snapshot();

    // Act
    const answer = await api.call({
      method: 'POST',
      url: `${BASE}/p-1/replies`,
      body: { text: 'a'.repeat(600) },
    });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error.issues).toEqual([
      {
        path: 'text',
        message:
          "takes 4 SMS parts (GSM-7, 600 characters); the clinic's budget for staff replies is 3 (policy.segmentBudget.other)",
      },
    ]);
    expect(await api.snapshot()).toBe(before);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('refuses control characters with their position, and an empty or missing text (400), writing nothing', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const control = await api.call({
      method: 'POST',
      url: `${BASE}/p-1/replies`,
      body: { text: 'Hi\u0007 there' },
    });
    const blank = await api.call({ method: 'POST', url: `${BASE}/p-1/replies`, body: { text: '  \n ' } });
    const missing = await api.call({ method: 'POST', url: `${BASE}/p-1/replies`, body: { message: 'Hi' } });

    // Assess
    expect(control.body.error.issues).toEqual([
      { path: 'text', message: 'must not contain a control character: U+0007 at position 3' },
    ]);
    expect(issuePaths(blank)).toEqual(['text']);
    expect(issuePaths(missing).sort()).toEqual(['message', 'text']);
    expect(await api.snapshot()).toBe(before);
  });

  it('refuses a patient who opted out of SMS and one without a phone (409), and an unknown patient (404)', async () => {
    // Prepare
    const before = await api.snapshot();
    const body = { text: 'Hello' };

    // Act
    const stopped = await api.call({ method: 'POST', url: `${BASE}/stopped/replies`, body });
    const noPhone = await api.call({ method: 'POST', url: `${BASE}/no-phone/replies`, body });
    const unknown = await api.call({ method: 'POST', url: `${BASE}/nobody/replies`, body });

    // Assess
    expect(stopped.status).toBe(409);
    expect(stopped.body.error.message).toMatch(/opted out of SMS \(source patient/);
    expect(noPhone.status).toBe(409);
    expect(unknown.status).toBe(404);
    expect(await api.snapshot()).toBe(before);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it("starts a new message for a patient who has not texted in 24 hours: the clinic's SMS name before the words and the opt-out line of their language after, in the parts counted", async () => {
    // Act: the quiet patient last texted 25 hours ago; Spanish-speaking Callada never has.
    const quiet = await api.call({
      method: 'POST',
      url: `${BASE}/quiet/replies`,
      body: { text: 'Your forms are ready at the front desk.' },
    });
    const callada = await api.call({
      method: 'POST',
      url: `${BASE}/callada/replies`,
      body: { text: 'Sus formularios están listos.' },
    });
    const conversations = await Promise.all(
      ['quiet', 'callada'].map((patientId) =>
        api.call({ method: 'GET', url: `${BASE}/${patientId}/conversation` }),
      ),
    );

    // Assess
    expect(quiet.status).toBe(202);
    const accepted = StaffReplyAcceptedSchema.parse(quiet.body);
    expect(accepted).toMatchObject({ status: 'queued', opensConversation: true, segments: 1 });
    // The words typed are stored as typed; the frame is added when it is sent (and shown so).
    const stored = await api.repos().messages.get({ ...KEY('quiet'), messageId: accepted.messageId });
    expect(stored?.staffReply).toEqual({
      text: 'Your forms are ready at the front desk.',
      by: 'staff-user-1',
      opensConversation: true,
    });
    expect(callada.status).toBe(202);
    // "á" is not GSM-7: with the frame, 81 UCS-2 units are two parts (70 fit one).
    expect(callada.body).toMatchObject({ opensConversation: true, segments: 2, encoding: 'UCS-2' });
    const shown = conversations.map((answer) =>
      ConversationSchema.parse(answer.body).items.flatMap((item) =>
        item.direction === 'outbound' && item.kind === 'staff-reply' ? [item.text] : [],
      ),
    );
    expect(shown).toEqual([
      ['Riverside Clinic: Your forms are ready at the front desk. Reply STOP to opt out.'],
      ['Riverside Clinic: Sus formularios están listos. Responda STOP para darse de baja.'],
    ]);
  });

  it('refuses a text that fits as typed but not with the name and opt-out line a new message needs, saying so, and writes nothing', async () => {
    // Prepare: 440 characters are 3 parts (153 each); with the 18 of the name and the 23 of the line, 4.
    const before = await api.snapshot();

    // Act
    const answer = await api.call({
      method: 'POST',
      url: `${BASE}/quiet/replies`,
      body: { text: 'a'.repeat(440) },
    });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error.issues).toEqual([
      {
        path: 'text',
        message:
          "takes 4 SMS parts (GSM-7, 481 characters) as sent: the patient has not texted in the last 24 hours, so the clinic's name goes before it and the opt-out line after it; the clinic's budget for staff replies is 3 (policy.segmentBudget.other)",
      },
    ]);
    expect(await api.snapshot()).toBe(before);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});

describe('GET /openapi.json: Idempotency-Key', () => {
  it('declares the optional Idempotency-Key header, with its pattern, on every route that honours it', async () => {
    // Act
    const openapi = await api.call({ method: 'GET', url: '/openapi.json', clinics: null });

    // Assess: the routes whose handler reads the header are exactly those that declare it.
    expect(openapi.status).toBe(200);
    const declaring = Object.entries(
      openapi.body.paths as Record<string, Record<string, { parameters?: unknown[] }>>,
    )
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, operation]) => ({
          route: `${method.toUpperCase()} ${path}`,
          header: operation.parameters?.find(
            (parameter) => (parameter as { name?: string }).name === 'Idempotency-Key',
          ),
        })),
      )
      .filter((entry) => entry.header);
    const reading = STAFF_API_ROUTES.filter((route) =>
      /["']idempotency-key["']/.test(route.handle.toString()),
    ).map((route) => `${route.method} ${route.path}`);
    expect(reading).toEqual(['POST /v1/clinics/{clinicId}/patients/{patientId}/replies']);
    expect(declaring.map((entry) => entry.route)).toEqual(reading);
    expect(declaring[0]?.header).toMatchObject({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    });
  });
});
