import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoInboundRepository } from '../../../shared/adapters/dynamodb/inbound-repository';
import { ConversationSchema, InboxItemSchema, InboxPageSchema } from '../../../shared/api/schemas';
import { careMessageId } from '../../../shared/domain/care/reminder';
import { renderCareEmail, renderCareSms } from '../../../shared/domain/care/wording';
import type { InboundMessage } from '../../../shared/domain/model';
import { render, renderKeywordReply, renderSms } from '../../../shared/domain/templates';
import {
  makeAppointment,
  makeCareReminder,
  makeClinic,
  makeInbound,
  makeMessage,
  makePatient,
  TEST_NOW,
} from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

const api = useStaffApi();
const BASE = '/v1/clinics/demo-clinic';
const at = (minute: number) => `2026-12-01T14:${String(minute).padStart(2, '0')}:00.000Z`;

let inbound: DynamoInboundRepository;

/** A free-text question from the default patient, open in the inbox. */
const question = (id: string, minute: number, overrides: Partial<InboundMessage> = {}) =>
  makeInbound({
    inboundMessageId: id,
    body: `Can I bring my son? (${id})`,
    receivedAt: at(minute),
    recordedAt: at(minute),
    intent: { kind: 'free-text' },
    outcome: 'free-text',
    state: 'open',
    ...overrides,
  });

beforeAll(async () => {
  inbound = new DynamoInboundRepository(api.tables.clients.doc, api.tables.names.inbound);
  await api.seed({
    clinics: [makeClinic()],
    patients: [makePatient(), makePatient({ patientId: 'p-2', phone: '+14155550111' })],
  });
});

describe('GET /v1/clinics/{clinicId}/inbox', () => {
  beforeAll(async () => {
    for (let minute = 0; minute < 5; minute++) await inbound.record(question(`q-${minute}`, minute));
    // Needs nobody (a confirm) and done already: neither is open.
    await inbound.record(makeInbound({ inboundMessageId: 'confirm-1', receivedAt: at(30) }));
    await inbound.record(question('old-done', 40, { state: 'done', doneAt: at(41), doneBy: 'staff-user-0' }));
    // Another clinic's open text never shows.
    await inbound.record(question('other-1', 50, { clinicId: 'other-clinic' }));
  });

  it('lists the open texts newest first in pages of `items`, with their intent, match and local time', async () => {
    // Act
    const first = await api.call({
      method: 'GET',
      url: `${BASE}/inbox?status=open&limit=3`,
      groups: ['staff'],
    });
    const second = await api.call({
      method: 'GET',
      url: `${BASE}/inbox?status=open&limit=3&cursor=${encodeURIComponent(first.body.cursor)}`,
      groups: ['staff'],
    });

    // Assess
    expect(first.status).toBe(200);
    const page = InboxPageSchema.parse(first.body);
    expect(page.items.map((item) => item.itemId)).toEqual(['q-4', 'q-3', 'q-2']);
    expect(second.body.items.map((item: { itemId: string }) => item.itemId)).toEqual(['q-1', 'q-0']);
    expect(second.body.cursor).toBeUndefined();
    expect(page.items[0]).toMatchObject({
      itemId: 'q-4',
      inboundMessageId: 'q-4',
      body: 'Can I bring my son? (q-4)',
      intent: { kind: 'free-text' },
      outcome: 'free-text',
      patientId: 'p-1',
      appointmentId: 'a-1',
      state: 'open',
      receivedAt: at(4),
      receivedLocal: '2026-12-01T09:04:00.000-05:00',
      timeZone: 'America/New_York',
    });
  });

  it('defaults to open and lists done texts with status=done', async () => {
    // Act
    const open = await api.call({ method: 'GET', url: `${BASE}/inbox` });
    const done = await api.call({ method: 'GET', url: `${BASE}/inbox?status=done` });

    // Assess
    expect(open.body.status).toBe('open');
    expect(open.body.items.map((item: { itemId: string }) => item.itemId)).not.toContain('confirm-1');
    expect(done.body).toMatchObject({
      status: 'done',
      items: [{ itemId: 'old-done', doneBy: 'staff-user-0' }],
    });
  });

  it('refuses an unknown status, a bad limit and a cursor of another status, naming each (400)', async () => {
    // Prepare
    const openPage = await api.call({ method: 'GET', url: `${BASE}/inbox?limit=1` });

    // Act
    const status = await api.call({ method: 'GET', url: `${BASE}/inbox?status=closed&limit=0` });
    const cursor = await api.call({
      method: 'GET',
      url: `${BASE}/inbox?status=done&cursor=${encodeURIComponent(openPage.body.cursor)}`,
    });
    const typo = await api.call({ method: 'GET', url: `${BASE}/inbox?state=open` });

    // Assess
    expect(status.status).toBe(400);
    expect(issuePaths(status).sort()).toEqual(['limit', 'status']);
    expect(cursor.status).toBe(400);
    expect(issuePaths(cursor)).toEqual(['cursor']);
    expect(typo.status).toBe(400);
  });

  it('is refused to a token of another clinic (403), before anything is read', async () => {
    const answer = await api.call({ method: 'GET', url: `${BASE}/inbox`, clinics: ['other-clinic'] });
    expect(answer.status).toBe(403);
  });
});

describe('POST /v1/clinics/{clinicId}/inbox/{itemId}/done', () => {
  beforeAll(async () => {
    await inbound.record(question('to-close', 10));
    await inbound.record(makeInbound({ inboundMessageId: 'no-person', receivedAt: at(11) }));
  });

  it('marks a text done with who and when, moves it out of the open inbox, and is idempotent', async () => {
    // Act
    const first = await api.call({ method: 'POST', url: `${BASE}/inbox/to-close/done`, groups: ['staff'] });
    const again = await api.call({
      method: 'POST',
      url: `${BASE}/inbox/to-close/done`,
      body: {},
      groups: ['staff'],
    });
    const open = await api.call({ method: 'GET', url: `${BASE}/inbox?limit=100` });
    const done = await api.call({ method: 'GET', url: `${BASE}/inbox?status=done&limit=100` });

    // Assess
    expect(first.status).toBe(200);
    expect(InboxItemSchema.parse(first.body)).toMatchObject({
      itemId: 'to-close',
      state: 'done',
      doneAt: TEST_NOW,
      doneBy: 'staff-user-1',
      version: 2,
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(open.body.items.map((item: { itemId: string }) => item.itemId)).not.toContain('to-close');
    expect(done.body.items.map((item: { itemId: string }) => item.itemId)).toContain('to-close');
    expect((await inbound.get('demo-clinic', 'to-close'))?.version).toBe(2);
  });

  it('answers 404 for an unknown item and 409 for a text that needed nobody, writing nothing', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const unknown = await api.call({ method: 'POST', url: `${BASE}/inbox/nope-1/done` });
    const notInInbox = await api.call({ method: 'POST', url: `${BASE}/inbox/no-person/done` });

    // Assess
    expect(unknown.status).toBe(404);
    expect(notInInbox.status).toBe(409);
    expect(await api.snapshot()).toBe(before);
  });

  it('refuses a malformed item id and a body with fields (400), writing nothing', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const badId = await api.call({ method: 'POST', url: `${BASE}/inbox/${encodeURIComponent('a#b')}/done` });
    const body = await api.call({ method: 'POST', url: `${BASE}/inbox/to-close/done`, body: { note: 'x' } });

    // Assess
    expect(badId.status).toBe(400);
    expect(issuePaths(badId)).toEqual(['itemId']);
    expect(body.status).toBe(400);
    expect(await api.snapshot()).toBe(before);
  });
});

describe('POST /v1/clinics/{clinicId}/inbox/{itemId}/assign', () => {
  beforeAll(async () => {
    await inbound.record(question('to-assign', 12));
    await inbound.record(
      question('assign-done', 13, { state: 'done', doneAt: at(14), doneBy: 'staff-user-0' }),
    );
    await inbound.record(makeInbound({ inboundMessageId: 'assign-nobody', receivedAt: at(15) }));
  });

  it('assigns an open text to a staff user, shows it in the inbox, is idempotent, and unassigns it with null', async () => {
    // Act
    const assigned = await api.call({
      method: 'POST',
      url: `${BASE}/inbox/to-assign/assign`,
      body: { assignee: 'staff-user-2' },
      groups: ['staff'],
    });
    const again = await api.call({
      method: 'POST',
      url: `${BASE}/inbox/to-assign/assign`,
      body: { assignee: 'staff-user-2' },
    });
    const listed = await api.call({ method: 'GET', url: `${BASE}/inbox?limit=100` });
    const unassigned = await api.call({
      method: 'POST',
      url: `${BASE}/inbox/to-assign/assign`,
      body: { assignee: null },
    });

    // Assess
    expect(assigned.status).toBe(200);
    expect(InboxItemSchema.parse(assigned.body)).toMatchObject({
      itemId: 'to-assign',
      state: 'open',
      assignedTo: 'staff-user-2',
      assignedAt: TEST_NOW,
      version: 2,
    });
    expect(again.body).toEqual(assigned.body);
    expect(listed.body.items.find((item: { itemId: string }) => item.itemId === 'to-assign')).toMatchObject({
      assignedTo: 'staff-user-2',
    });
    expect(unassigned.status).toBe(200);
    expect(unassigned.body.assignedTo).toBeUndefined();
    expect(unassigned.body.assignedAt).toBeUndefined();
    expect(unassigned.body.version).toBe(3);
    expect((await inbound.get('demo-clinic', 'to-assign'))?.assignedTo).toBeUndefined();
  });

  it('answers 404 for an unknown text, 409 for a done one and one that needed nobody, writing nothing', async () => {
    // Prepare
    const before = await api.snapshot();
    const body = { assignee: 'staff-user-2' };

    // Act
    const unknown = await api.call({ method: 'POST', url: `${BASE}/inbox/nope-2/assign`, body });
    const done = await api.call({ method: 'POST', url: `${BASE}/inbox/assign-done/assign`, body });
    const nobody = await api.call({ method: 'POST', url: `${BASE}/inbox/assign-nobody/assign`, body });

    // Assess
    expect(unknown.status).toBe(404);
    expect(done.status).toBe(409);
    expect(nobody.status).toBe(409);
    expect(await api.snapshot()).toBe(before);
  });

  it('refuses a missing, malformed or extra field (400, naming it), writing nothing', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const missing = await api.call({ method: 'POST', url: `${BASE}/inbox/to-assign/assign`, body: {} });
    const bad = await api.call({
      method: 'POST',
      url: `${BASE}/inbox/to-assign/assign`,
      body: { assignee: 'two words' },
    });
    const extra = await api.call({
      method: 'POST',
      url: `${BASE}/inbox/to-assign/assign`,
      body: { assignee: 'staff-user-2', note: 'x' },
    });

    // Assess
    expect([missing.status, bad.status, extra.status]).toEqual([400, 400, 400]);
    expect(issuePaths(missing)).toEqual(['assignee']);
    expect(issuePaths(bad)).toEqual(['assignee']);
    expect(await api.snapshot()).toBe(before);
  });
});

describe('GET /v1/clinics/{clinicId}/patients/{patientId}/conversation', () => {
  beforeAll(async () => {
    await api.seed({
      patients: [makePatient({ patientId: 'conv-1' }), makePatient({ patientId: 'quiet-1' })],
      messages: [
        makeMessage({
          patientId: 'conv-1',
          messageId: 'a-1#reminder#1d#v1',
          status: 'sent',
          dueAt: '2026-11-30T15:00:00.000Z',
          plannedAt: '2026-11-30T15:00:00.000Z',
          notAfter: '2026-12-01T15:00:00.000Z',
          attempts: 1,
          providerMessageId: 'sns-1',
          finishedAt: '2026-11-30T15:00:02.000Z',
        }),
        makeMessage({
          patientId: 'conv-1',
          appointmentId: undefined,
          messageId: 'kr#in-conv-2',
          kind: 'keyword-reply',
          offset: undefined,
          status: 'sent',
          dueAt: '2026-12-01T14:20:01.000Z',
          plannedAt: '2026-12-01T14:20:01.000Z',
          notAfter: '2026-12-01T15:20:00.000Z',
          attempts: 1,
          finishedAt: '2026-12-01T14:20:02.000Z',
        }),
        makeMessage({ patientId: 'conv-1', messageId: 'a-1#reminder#2h#v1', offset: '2h' }),
      ],
    });
    await inbound.record(question('in-conv-1', 5, { patientId: 'conv-1', body: 'Is parking free?' }));
    await inbound.record(
      makeInbound({
        inboundMessageId: 'in-conv-2',
        patientId: 'conv-1',
        receivedAt: at(20),
        recordedAt: at(20),
      }),
    );
  });

  it("merges the patient's texts and the messages to them in time order, with kind, status and time", async () => {
    // Act
    const answer = await api.call({
      method: 'GET',
      url: `${BASE}/patients/conv-1/conversation`,
      groups: ['staff'],
    });

    // Assess
    expect(answer.status).toBe(200);
    const conversation = ConversationSchema.parse(answer.body);
    expect(
      conversation.items.map((item) =>
        item.direction === 'inbound' ? `in:${item.item.itemId}` : `out:${item.messageId}:${item.status}`,
      ),
    ).toEqual([
      'out:a-1#reminder#1d#v1:sent',
      'in:in-conv-1',
      'in:in-conv-2',
      'out:kr#in-conv-2:sent',
      'out:a-1#reminder#2h#v1:pending',
    ]);
    expect(conversation.items[0]).toEqual({
      direction: 'outbound',
      at: '2026-11-30T15:00:02.000Z',
      messageId: 'a-1#reminder#1d#v1',
      kind: 'reminder',
      channel: 'sms',
      status: 'sent',
      appointmentId: 'a-1',
      dueAt: '2026-11-30T15:00:00.000Z',
      sentAt: '2026-11-30T15:00:02.000Z',
    });
    expect(conversation.items[1]).toMatchObject({
      direction: 'inbound',
      at: at(5),
      item: { body: 'Is parking free?', intent: { kind: 'free-text' }, state: 'open' },
    });
  });

  it('renders the words of templated messages and automatic answers again as they would be sent now', async () => {
    // Prepare: a visit, its SMS reminder, its email confirmation, and the answer to the patient's C.
    const clinic = makeClinic();
    const patient = makePatient({ patientId: 'words-1' });
    const visit = makeAppointment({ appointmentId: 'w-1', patientId: 'words-1' });
    const sent = { status: 'sent' as const, attempts: 1, finishedAt: '2026-12-01T14:00:01.000Z' };
    await api.seed({
      patients: [patient],
      appointments: [visit],
      messages: [
        makeMessage({ patientId: 'words-1', appointmentId: 'w-1', messageId: 'w-1#reminder#1d#v1', ...sent }),
        makeMessage({
          patientId: 'words-1',
          appointmentId: 'w-1',
          messageId: 'w-1#confirmation#v1',
          kind: 'confirmation',
          offset: undefined,
          channel: 'email',
          ...sent,
        }),
        makeMessage({
          patientId: 'words-1',
          appointmentId: 'w-1',
          messageId: 'w-1#reminder#3d#v1',
          status: 'skipped',
          reason: 'superseded',
          finishedAt: '2026-12-01T13:00:00.000Z',
        }),
        makeMessage({
          patientId: 'words-1',
          appointmentId: undefined,
          messageId: '~keyword-reply#in-w-1',
          kind: 'keyword-reply',
          offset: undefined,
          keywordReply: {
            answer: 'confirmed',
            purpose: 'answer',
            inboundMessageId: 'in-w-1',
            appointmentId: 'w-1',
          },
          ...sent,
        }),
      ],
    });

    // Act
    const answer = await api.call({ method: 'GET', url: `${BASE}/patients/words-1/conversation` });

    // Assess
    const byId = new Map(
      ConversationSchema.parse(answer.body)
        .items.filter((item) => item.direction === 'outbound')
        .map((item) => [item.messageId, item]),
    );
    const base = { language: 'en', clinic, patient, appointment: visit };
    const reminder = renderSms({ ...base, kind: 'reminder' });
    const email = render({ ...base, kind: 'confirmation', channel: 'email' });
    const confirmed = renderKeywordReply({ reply: 'confirmed', appointment: visit, language: 'en', clinic });
    expect(byId.get('w-1#reminder#1d#v1')).toMatchObject({ text: reminder.text, textSource: 'rendered' });
    expect(byId.get('w-1#confirmation#v1')).toMatchObject({
      text: email.text,
      subject: email.subject,
      textSource: 'rendered',
    });
    expect(byId.get('~keyword-reply#in-w-1')).toMatchObject({ text: confirmed.text, textSource: 'rendered' });
    // A message never sent carried no words: none are made up for it.
    expect(byId.get('w-1#reminder#3d#v1')).toMatchObject({ status: 'skipped', reason: 'superseded' });
    expect(byId.get('w-1#reminder#3d#v1')).not.toHaveProperty('text');
    expect(byId.get('w-1#reminder#3d#v1')).not.toHaveProperty('textSource');
  });

  it('renders a care reminder’s words, the due date of the occurrence it was about, by SMS and email', async () => {
    // Prepare: a refill reminder rolled on to its next occurrence; the earlier one went by SMS, a copy by email.
    const clinic = makeClinic();
    const patient = makePatient({ patientId: 'care-1' });
    const reminder = makeCareReminder({ patientId: 'care-1', reminderId: 'rx-9', dueOn: '2027-04-15' });
    const sent = { status: 'sent' as const, attempts: 1, finishedAt: '2026-12-01T14:00:01.000Z' };
    const smsId = careMessageId('rx-9', 'refill', '2027-03-15', '3d');
    await api.seed({
      patients: [patient],
      careReminders: [reminder],
      messages: [
        makeMessage({
          patientId: 'care-1',
          appointmentId: undefined,
          messageId: smsId,
          kind: 'care-reminder',
          ...sent,
        }),
        makeMessage({
          patientId: 'care-1',
          appointmentId: undefined,
          messageId: `${smsId}#via-email`,
          kind: 'care-reminder',
          channel: 'email',
          ...sent,
        }),
      ],
    });

    // Act
    const answer = await api.call({ method: 'GET', url: `${BASE}/patients/care-1/conversation` });

    // Assess: the words of the March occurrence, as the sender renders them.
    const items = ConversationSchema.parse(answer.body).items.filter((item) => item.direction === 'outbound');
    const input = {
      kind: 'refill' as const,
      dueOn: '2027-03-15',
      action: reminder.action,
      language: 'en',
      clinic,
      patient,
      zone: patient.timeZone ?? clinic.timeZone,
    };
    const sms = renderCareSms(input);
    const email = renderCareEmail(input);
    expect(sms.fits).toBe(true);
    expect(items.map((item) => [item.messageId, item.text, item.textSource])).toEqual([
      [smsId, sms.text, 'rendered'],
      [`${smsId}#via-email`, email.text, 'rendered'],
    ]);
    expect(items[1]).toMatchObject({ subject: email.subject });
  });

  it('pages the latest items first, each page in time order, back to the first with the cursor', async () => {
    // Prepare: seven texts and seven messages, alternating a minute apart; a message at the same
    // instant as a text (the answer follows its question across a page boundary).
    const texts = Array.from({ length: 7 }, (_, n) =>
      question(`pg-in-${n}`, 2 * n, { patientId: 'page-1', body: `Question ${n}` }),
    );
    const sent = (n: number) => ({
      status: 'sent' as const,
      attempts: 1,
      finishedAt: n === 6 ? at(12) : at(2 * n + 1),
    });
    await api.seed({
      patients: [makePatient({ patientId: 'page-1' })],
      messages: Array.from({ length: 7 }, (_, n) =>
        makeMessage({
          patientId: 'page-1',
          appointmentId: undefined,
          messageId: `~keyword-reply#pg-in-${n}`,
          kind: 'keyword-reply',
          offset: undefined,
          keywordReply: { answer: 'received', purpose: 'answer', inboundMessageId: `pg-in-${n}` },
          ...sent(n),
        }),
      ),
    });
    for (const text of texts) await inbound.record(text);
    const label = (item: { direction: string; item?: { itemId: string }; messageId?: string }) =>
      item.direction === 'inbound' ? `in:${item.item?.itemId}` : `out:${item.messageId}`;

    // Act: pages of 5 until no cursor.
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const answer = await api.call({
        method: 'GET',
        url: `${BASE}/patients/page-1/conversation?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        groups: ['staff'],
      });
      expect(answer.status).toBe(200);
      const page = ConversationSchema.parse(answer.body);
      pages.push(page.items.map(label));
      cursor = page.cursor;
    } while (cursor && pages.length < 5);

    // Assess: 14 items in three pages, latest page first, nothing twice or missing.
    const timeline = texts.flatMap((_, n) => [`in:pg-in-${n}`, `out:~keyword-reply#pg-in-${n}`]);
    expect(pages).toEqual([timeline.slice(9), timeline.slice(4, 9), timeline.slice(0, 4)]);
  });

  it("refuses a cursor of another patient's conversation, or not one of ours, with 400 on cursor", async () => {
    const first = await api.call({ method: 'GET', url: `${BASE}/patients/page-1/conversation?limit=2` });
    const other = await api.call({
      method: 'GET',
      url: `${BASE}/patients/conv-1/conversation?cursor=${encodeURIComponent(first.body.cursor)}`,
    });
    const made = await api.call({ method: 'GET', url: `${BASE}/patients/page-1/conversation?cursor=abc` });
    const tooMany = await api.call({ method: 'GET', url: `${BASE}/patients/page-1/conversation?limit=101` });

    expect(other.status).toBe(400);
    expect(other.body.error.issues).toEqual([
      { path: 'cursor', message: "was returned for another patient's conversation" },
    ]);
    expect(made.status).toBe(400);
    expect(made.body.error.issues).toEqual([
      { path: 'cursor', message: 'is not a cursor returned by this API for this request' },
    ]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.issues[0].path).toBe('limit');
  });

  it('is empty for a patient with no texts, and 404 for an unknown patient', async () => {
    const quiet = await api.call({ method: 'GET', url: `${BASE}/patients/quiet-1/conversation` });
    const unknown = await api.call({ method: 'GET', url: `${BASE}/patients/nobody/conversation` });

    expect(quiet.body).toEqual({
      clinicId: 'demo-clinic',
      patientId: 'quiet-1',
      timeZone: 'America/New_York',
      items: [],
    });
    expect(unknown.status).toBe(404);
  });
});
