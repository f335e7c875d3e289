/**
 * Local mode runs the per-minute sweep's other work on time, not only when a
 * message is due: a broadcast's fan-out, a care reminder's planning and a
 * case's overdue report (found from outside: with nothing else due, a
 * broadcast went out 19 hours late and a care reminder was never planned).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMode, localApi, startLocalMode, stopLocalMode } from './support/local-api';

let mode: LocalMode;
const { call, callWithHeaders, advanceTo } = localApi(() => mode);

const CLINIC = '/v1/clinics/demo-clinic';

beforeAll(async () => {
  // 09:00 New York on Tuesday 1 December 2026; the clock moves only when told; nothing is booked.
  mode = await startLocalMode('2026-12-01T14:00:00Z');
  const patient = await call('PUT', `${CLINIC}/patients/p-sweep`, {
    firstName: 'Ida',
    phone: '+14155552690',
    channels: ['sms'],
    language: 'en',
    consent: { sms: { source: 'written' }, updates: { source: 'verbal' } },
  });
  expect(patient.status).toBe(201);
});

afterAll(() => stopLocalMode(mode));

describe('local mode: the sweep’s other work runs on time with no message due', () => {
  it('plans a care reminder within a minute of its save, with nothing else due', async () => {
    const saved = await call('PUT', `${CLINIC}/patients/p-sweep/care-reminders/rx-1`, {
      kind: 'refill',
      dueOn: '2026-12-04',
    });
    expect(saved.status).toBe(201);

    await advanceTo('2026-12-01T14:02:00Z');

    const reminder = await call('GET', `${CLINIC}/patients/p-sweep/care-reminders/rx-1`);
    expect(reminder.body.plannedAt).toEqual(expect.any(String));

    // Planning is bookkeeping: the ETag of the save still holds for a change.
    const changed = await callWithHeaders(
      'PUT',
      `${CLINIC}/patients/p-sweep/care-reminders/rx-1`,
      { kind: 'refill', dueOn: '2026-12-05' },
      { 'if-match': '"1"' },
    );
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"2"');
  });

  it('fans a broadcast out before its send time and sends it then, although no other message is due', async () => {
    // Prepare: 14:00 New York the same day.
    const saved = await call('PUT', `${CLINIC}/broadcasts/flu-1`, {
      text: { en: 'Flu clinic Saturday at {{clinicName}}.' },
      audience: { topic: 'updates' },
      sendAt: '2026-12-01T19:00:00Z',
    });
    expect(saved.status).toBe(201);

    // Act: the clock moves past the send time in one jump.
    const sent = await advanceTo('2026-12-01T19:05:00Z');

    // Assess: planned and sent at its time, not at the next unrelated due message.
    const broadcast = (await call('GET', `${CLINIC}/broadcasts/flu-1`)).body;
    expect(broadcast).toMatchObject({ status: 'planned', planned: 1, sent: 1 });
    const text = sent.find((entry) => entry.messageId.includes('flu-1'));
    expect(text?.at.slice(0, 16)).toBe('2026-12-01T19:00');
  });

  it('reports a case overdue when its acknowledgement falls due, with nothing else due', async () => {
    // Prepare: a case opened Tuesday 14:05 New York, due for acknowledgement one business day later.
    const opened = await call('POST', `${CLINIC}/cases`, {
      summary: 'Waited 90 minutes',
      links: { patientId: 'p-sweep' },
    });
    expect(opened.status).toBe(201);
    const { caseId, acknowledgeDueAt } = opened.body as { caseId: string; acknowledgeDueAt: string };

    // Act: two minutes past the due time.
    await advanceTo(new Date(Date.parse(acknowledgeDueAt) + 120_000).toISOString());

    // Assess
    const stored = (await call('GET', `${CLINIC}/cases/${caseId}`)).body;
    expect(stored.reportedOverdue).toMatchObject({ acknowledge: expect.any(String) });
  });

  it('sends the email copy of a care reminder whose text the carrier blocked', async () => {
    // Prepare: a patient on text and email, a refill due Thursday 10 December (its 7-day reminder: 3 December, 10:00 New York).
    const patient = await call('PUT', `${CLINIC}/patients/p-copy`, {
      firstName: 'Cy',
      phone: '+14155552691',
      email: 'cy@example.com',
      channels: ['sms', 'email'],
      language: 'en',
    });
    expect(patient.status).toBe(201);
    const saved = await call('PUT', `${CLINIC}/patients/p-copy/care-reminders/rx-2`, {
      kind: 'refill',
      dueOn: '2026-12-10',
    });
    expect(saved.status).toBe(201);
    const sent = await advanceTo('2026-12-03T15:01:00Z');
    const text = sent.find((entry) => entry.messageId.startsWith('~care#rx-2#'));
    expect(text).toMatchObject({ channel: 'sms', to: '+14155552691' });
    const messageId = text?.messageId as string;

    // Act: the carrier blocks it.
    const receipt = await call('POST', '/local/receipts', { messageId, event: 'TEXT_CARRIER_BLOCKED' });
    expect(receipt.body).toMatchObject({ status: 'undeliverable', reason: 'TEXT_CARRIER_BLOCKED' });
    const later = await advanceTo('2026-12-03T15:05:00Z');

    // Assess: its copy goes by email, once, with the refill's words.
    const copies = later.filter((entry) => entry.messageId === `${messageId}#via-email`);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ channel: 'email', to: 'cy@example.com' });
    expect(copies[0]?.text).toContain('refill');
  });
});
