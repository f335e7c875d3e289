import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../shared/adapters/local/local-outbox';
import { type LocalMode, localApi, startLocalMode, stopLocalMode } from './support/local-api';

const PATIENT = '+14155552671';
const STRANGER = '+14155550123';
let mode: LocalMode;
const { call, advance, advanceTo } = localApi(() => mode);

interface InboundAnswer {
  inboundMessageId: string;
  setAside?: string;
  inbound?: { outcome: string; state?: string; intent: { kind: string }; patientId?: string };
  answer?: { messageId: string; status: string; reason?: string };
  sent: OutboxEntry[];
}

/** A text from a phone to the demo clinic's number, over HTTP, as local mode takes it. */
async function text(body: string, extra: Record<string, string> = {}): Promise<InboundAnswer> {
  const response = await call('POST', '/local/inbound', { from: PATIENT, body, ...extra });
  expect(response.status).toBe(200);
  return response.body as unknown as InboundAnswer;
}

async function messages() {
  const { body } = await call('GET', '/v1/clinics/demo-clinic/appointments/a-2w/messages');
  return body.messages as { messageId: string; status: string; reason?: string }[];
}

beforeAll(async () => {
  // 09:00 New York on Tuesday 1 December 2026; the clock moves only when told.
  mode = await startLocalMode('2026-12-01T14:00:00Z');
  await mode.local.waitForOutput(/local\/inbound/, 10_000);
  await call('PUT', '/v1/clinics/demo-clinic/patients/p-2w', {
    firstName: 'Ana',
    phone: PATIENT,
    email: 'ana@example.com',
    channels: ['sms'],
    language: 'en',
  });
  // Tuesday 8 December, 10:00 New York.
  await call('PUT', '/v1/clinics/demo-clinic/appointments/a-2w', {
    patientId: 'p-2w',
    startAt: '2026-12-08T15:00:00Z',
    durationMinutes: 30,
    location: '12 River Road',
  });
  // The booking's confirmation goes out at once: the text the patient answers.
  const sent = await advance('1m');
  expect(sent.map((entry) => entry.messageId)).toContain('a-2w#confirmation#-#v1');
});

afterAll(() => stopLocalMode(mode));

describe('two-way SMS in local mode, over HTTP', () => {
  it('confirms the visit from C, answers at once through the outbox, and records the confirmation', async () => {
    const answer = await text('C');
    expect(answer.inbound).toMatchObject({
      outcome: 'confirmed',
      intent: { kind: 'confirm' },
      patientId: 'p-2w',
    });
    expect(answer.sent).toHaveLength(1);
    expect(answer.sent[0]).toMatchObject({
      channel: 'sms',
      to: PATIENT,
      messageId: `~keyword-reply#${answer.inboundMessageId}`,
    });
    const { body } = await call('GET', '/v1/clinics/demo-clinic/appointments/a-2w');
    expect(body.status).toBe('booked');
    expect(body.confirmation).toMatchObject({ via: 'sms' });
  });

  it('puts a reschedule request and free text in the inbox, each answered', async () => {
    await advance('61m');
    const reschedule = await text('R');
    expect(reschedule.inbound).toMatchObject({ outcome: 'reschedule-requested', state: 'open' });
    expect(reschedule.sent).toHaveLength(1);
    const question = await text('Is there parking near the clinic?');
    expect(question.inbound).toMatchObject({
      outcome: 'free-text',
      state: 'open',
      intent: { kind: 'free-text' },
    });
    expect(question.sent).toHaveLength(1);
  });

  it('answers HELP with the program, the rates line and how to stop', async () => {
    await advance('61m');
    const help = await text('HELP');
    expect(help.inbound).toMatchObject({ outcome: 'help' });
    expect(help.sent[0]?.text).toMatch(/Msg & data rates may apply/);
    expect(help.sent[0]?.text).toMatch(/STOP/);
  });

  it('keeps a text from an unknown number unmatched and unanswered', async () => {
    const unknown = await text('C', { from: STRANGER });
    expect(unknown.inbound).toMatchObject({ outcome: 'unmatched', state: 'open' });
    expect(unknown.inbound?.patientId).toBeUndefined();
    expect(unknown.sent).toEqual([]);
  });

  it('changes nothing on a second delivery of the same text', async () => {
    await advance('61m');
    const first = await text('Thank you', { inboundMessageId: 'local-dup-1' });
    const again = await text('Thank you', { inboundMessageId: 'local-dup-1' });
    expect(first.sent).toHaveLength(1);
    expect(again.sent).toEqual([]);
    expect(again.inbound).toEqual(first.inbound);
  });

  it('opts out on STOP with one confirmation, then skips the next reminder as opted-out', async () => {
    await advance('61m');
    const stop = await text('STOP');
    expect(stop.inbound).toMatchObject({ outcome: 'opted-out' });
    expect(stop.sent).toHaveLength(1);
    // The 72 h reminder: Saturday 5 December, 10:00 New York.
    const sent = await advanceTo('2026-12-05T16:00:00Z');
    expect(sent.filter((entry) => entry.to === PATIENT)).toEqual([]);
    expect((await messages()).find((message) => message.messageId === 'a-2w#reminder#3d#v1')).toMatchObject({
      status: 'skipped',
      reason: 'opted-out',
    });
  });

  it('opts back in on START and sends the next reminder again', async () => {
    const start = await text('START');
    expect(start.inbound).toMatchObject({ outcome: 'opted-in' });
    expect(start.sent).toHaveLength(1);
    // The 24 h reminder: Monday 7 December, 10:00 New York.
    const sent = await advanceTo('2026-12-07T16:00:00Z');
    expect(sent.map((entry) => entry.messageId)).toContain('a-2w#reminder#1d#v1');
  });

  it('ends in the state of the later reply when STOP and START arrive out of order', async () => {
    await advance('61m');
    const now = (await call('GET', '/local/clock')).body.now as string;
    const later = new Date(Date.parse(now) + 60_000).toISOString();
    await text('START', { at: later });
    const stop = await text('STOP', { at: now });
    expect(stop.sent).toEqual([]);
    const { body } = await call('GET', '/v1/clinics/demo-clinic/patients/p-2w');
    expect((body.optOuts as Record<string, unknown>).sms).toBeUndefined();
  });

  it('records a survey score in answer to the survey', async () => {
    // After the visit: completed, the survey two hours after its end.
    await advanceTo('2026-12-08T16:00:00Z');
    expect((await call('POST', '/v1/clinics/demo-clinic/appointments/a-2w/complete', {})).status).toBe(200);
    const sent = await advanceTo('2026-12-08T18:00:00Z');
    expect(sent.some((entry) => entry.messageId.startsWith('a-2w#survey#'))).toBe(true);
    const score = await text('9');
    expect(score.inbound).toMatchObject({ outcome: 'score-recorded', intent: { kind: 'survey-score' } });
  });

  it('opts back in on STOP then START posted on a still clock, and says which answer was withheld and why', async () => {
    // Prepare: an hour after the last answers, so the number's hourly cap starts empty.
    await advance('61m');

    // Act: two texts posted one after the other, no envelope time given (the clock stands still between them).
    const stop = await text('STOP');
    const start = await text('START');

    // Assess: the later text wins; each got its answer, as stored.
    expect(stop.inbound).toMatchObject({ outcome: 'opted-out' });
    expect(start.inbound).toMatchObject({ outcome: 'opted-in' });
    const { body } = await call('GET', '/v1/clinics/demo-clinic/patients/p-2w');
    expect((body.optOuts as Record<string, unknown>).sms).toBeUndefined();
    expect(start.answer).toEqual({ messageId: `~keyword-reply#${start.inboundMessageId}`, status: 'sent' });

    // The third answer of the hour goes (queued for a kept part of the number, seconds away); the fourth is
    // withheld, and the response says so.
    const third = await text('Where do I park?');
    expect(third.answer?.status).toMatch(/^(queued|sent)$/);
    const fourth = await text('And is there a lift?');
    expect(fourth.sent).toEqual([]);
    expect(fourth.answer).toEqual({
      messageId: `~keyword-reply#${fourth.inboundMessageId}`,
      status: 'skipped',
      reason: 'hourly-limit',
    });
    const later = await advance('1m');
    expect(later.map((entry) => entry.messageId)).not.toContain(fourth.answer?.messageId);
    expect([...third.sent, ...later].map((entry) => entry.messageId)).toContain(third.answer?.messageId);
  });

  it('takes a receipt for an automatic answer by its id, and refuses one for a message not sent yet', async () => {
    // Prepare: a new visit a week ahead (its confirmation goes at once, its reminders wait); a text answered.
    const booked = await call('PUT', '/v1/clinics/demo-clinic/appointments/a-2w-next', {
      patientId: 'p-2w',
      startAt: '2026-12-15T15:00:00Z',
      durationMinutes: 30,
    });
    expect(booked.status).toBe(201);
    await advance('61m');
    const help = await text('HELP');
    const answerId = `~keyword-reply#${help.inboundMessageId}`;
    expect(help.sent.map((entry) => entry.messageId)).toEqual([answerId]);

    // Act + Assess: the answer's receipt is applied to it.
    expect(await call('POST', '/local/receipts', { messageId: answerId, event: 'TEXT_DELIVERED' })).toEqual({
      status: 200,
      body: { messageId: answerId, status: 'delivered' },
    });
    // A reminder still pending: no provider has had it, so no receipt can name it.
    const early = await call('POST', '/local/receipts', {
      messageId: 'a-2w-next#reminder#1d#v1',
      event: 'TEXT_DELIVERED',
    });
    expect(early.status).toBe(409);
    expect(JSON.stringify(early.body)).toContain('has not been sent (status pending)');
    const pending = (await call('GET', '/v1/clinics/demo-clinic/appointments/a-2w-next/messages')).body
      .messages as { messageId: string; status: string }[];
    expect(pending.find((message) => message.messageId === 'a-2w-next#reminder#1d#v1')?.status).toBe(
      'pending',
    );
  });

  it('sets aside a text from a number that is not E.164, and says why', async () => {
    const answer = await text('C', { from: '12345' });
    expect(answer.setAside).toBe('origination-not-e164');
    expect(answer.inbound).toBeUndefined();
  });
});
