import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoCaseRepository } from '../../../shared/adapters/dynamodb/case-repository';
import { DynamoInboundRepository } from '../../../shared/adapters/dynamodb/inbound-repository';
import { makeRepositories, type Repositories } from '../../../shared/adapters/dynamodb/repositories';
import {
  CapturingLogger,
  RecordingDeadLetters,
  RecordingEventPublisher,
  RecordingTelemetry,
} from '../../../shared/adapters/local/recorders';
import type { Message } from '../../../shared/domain/model';
import { fixedClock } from '../../../shared/domain/time';
import {
  type AutoReplyRequest,
  contactIdOf,
  handleInbound,
  type InboundDeps,
  type InboundText,
} from '../../../shared/use-cases/handle-inbound';
import { recordSurveyAnswer } from '../../../shared/use-cases/record-survey-answer';
import { makeAppointment, makeClinic, makeMessage, makePatient, TEST_NOW } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
const CLINIC_NUMBER = '+12025550100';
const PATIENT_NUMBER = '+14155552671';

let repos: Repositories;
let inbound: DynamoInboundRepository;
let cases: DynamoCaseRepository;
let clinicId: string;
let events: RecordingEventPublisher;
let deadLetters: RecordingDeadLetters;
let logger: CapturingLogger;
let replies: AutoReplyRequest[];
let failNextReply: boolean;

function deps(): InboundDeps {
  return {
    ...repos,
    inbound,
    cases,
    clinicByNumber: new Map([[CLINIC_NUMBER, clinicId]]),
    queueAutoReply: async (request) => {
      if (failNextReply) {
        failNextReply = false;
        throw new Error('crash before the confirmation was queued');
      }
      replies.push(request);
      return { outcome: 'queued', messageId: `~keyword-reply#${request.inboundMessageId}` };
    },
    events,
    deadLetters,
    clock: fixedClock(TEST_NOW),
    logger,
    telemetry: new RecordingTelemetry(),
  };
}

function text(body: string, overrides: Partial<InboundText> = {}): InboundText {
  return {
    inboundMessageId: `in-${randomUUID()}`,
    from: PATIENT_NUMBER,
    to: CLINIC_NUMBER,
    body,
    receivedAt: '2026-12-07T16:00:00.000Z',
    ...overrides,
  };
}

/** The 1-day reminder, sent by the provider an hour before the reply. */
function sentReminder(overrides: Partial<Message> = {}): Message {
  return makeMessage({
    clinicId,
    status: 'sent',
    attempts: 1,
    providerMessageId: 'provider-1',
    finishedAt: '2026-12-07T15:00:00.000Z',
    rev: 3,
    ...overrides,
  });
}

beforeAll(() => {
  repos = makeRepositories(tables.clients.doc, tables.names);
  inbound = new DynamoInboundRepository(tables.clients.doc, tables.names.inbound);
  cases = new DynamoCaseRepository(tables.clients.doc, tables.names.inbound);
});

beforeEach(async () => {
  // A clinic of its own per test: no test sees another's data.
  clinicId = `c-${randomUUID().slice(0, 8)}`;
  events = new RecordingEventPublisher();
  deadLetters = new RecordingDeadLetters();
  logger = new CapturingLogger();
  replies = [];
  failNextReply = false;
  await repos.clinics.put(makeClinic({ clinicId }), null);
  await repos.patients.put(makePatient({ clinicId }), null);
  await repos.appointments.put(makeAppointment({ clinicId }), null);
  await repos.messages.create(sentReminder());
});

describe('handleInbound: confirm', () => {
  it('records the confirmation beside the status, publishes AppointmentConfirmed with ids only and thanks the patient', async () => {
    // Act
    const reply = text('C');
    const result = await handleInbound(deps(), reply);

    // Assess
    expect(result).toMatchObject({ outcome: 'confirmed', clinicId });
    const appointment = await repos.appointments.get(clinicId, 'a-1');
    expect(appointment?.status).toBe('booked');
    expect(appointment?.confirmation).toEqual({
      at: reply.receivedAt,
      via: 'sms',
      messageId: 'a-1#reminder#1d#v1',
      inboundMessageId: reply.inboundMessageId,
      scheduleVersion: 1,
    });
    expect(events.events).toEqual([
      {
        detailType: 'AppointmentConfirmed',
        detail: {
          clinicId,
          inboundMessageId: reply.inboundMessageId,
          at: reply.receivedAt,
          patientId: 'p-1',
          appointmentId: 'a-1',
          messageId: 'a-1#reminder#1d#v1',
        },
      },
    ]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({
      patientId: 'p-1',
      from: PATIENT_NUMBER,
      purpose: 'answer',
      optedOut: false,
      language: 'en',
      reply: { reply: 'confirmed', appointment: { appointmentId: 'a-1' } },
    });
    const stored = await inbound.get(clinicId, reply.inboundMessageId);
    expect(stored).toMatchObject({
      body: 'C',
      intent: { kind: 'confirm' },
      patientId: 'p-1',
      appointmentId: 'a-1',
      answeredMessageId: 'a-1#reminder#1d#v1',
      matchedBy: 'latest-in-window',
      outcome: 'confirmed',
    });
    expect(stored?.state).toBeUndefined();
    expect(logger.lines.join('\n')).not.toContain(PATIENT_NUMBER);
  });

  it('changes nothing on a second delivery of the same text', async () => {
    // Prepare
    const reply = text('yes');
    await handleInbound(deps(), reply);
    const before = await repos.appointments.get(clinicId, 'a-1');

    // Act
    const again = await handleInbound(deps(), reply);

    // Assess
    expect(again).toEqual({ outcome: 'duplicate', clinicId });
    expect(await repos.appointments.get(clinicId, 'a-1')).toEqual(before);
    expect(replies).toHaveLength(1);
    expect(events.events).toHaveLength(1);
  });

  it('answers that a cancelled visit cannot be confirmed, and records nothing on it', async () => {
    // Prepare
    const appointment = await repos.appointments.get(clinicId, 'a-1');
    if (!appointment) throw new Error('no appointment');
    await repos.appointments.put(
      { ...appointment, status: 'cancelled', cancelledBy: 'clinic', version: 2 },
      appointment.version,
    );

    // Act
    const result = await handleInbound(deps(), text('C'));

    // Assess
    expect(result.outcome).toBe('confirm-not-applied');
    expect((await repos.appointments.get(clinicId, 'a-1'))?.confirmation).toBeUndefined();
    expect(replies[0]?.reply).toEqual({ reply: 'confirm-not-applicable', why: 'cancelled' });
    expect(events.events).toEqual([]);
  });

  it('matches the message previousPublishedMessageId names, even when a later one went out', async () => {
    // Prepare: a later reminder about another visit of the same patient.
    await repos.appointments.put(
      makeAppointment({ clinicId, appointmentId: 'a-2', startAt: '2026-12-09T15:00:00.000Z' }),
      null,
    );
    await repos.messages.create(
      sentReminder({
        appointmentId: 'a-2',
        messageId: 'a-2#reminder#1d#v1',
        providerMessageId: 'provider-2',
        finishedAt: '2026-12-07T15:30:00.000Z',
      }),
    );

    // Act
    await handleInbound(deps(), text('C', { previousPublishedMessageId: 'provider-1' }));

    // Assess
    expect((await repos.appointments.get(clinicId, 'a-1'))?.confirmation?.messageId).toBe(
      'a-1#reminder#1d#v1',
    );
    expect((await repos.appointments.get(clinicId, 'a-2'))?.confirmation).toBeUndefined();
  });

  it('confirms the visit of the answered message on a phone two patients share', async () => {
    // Prepare: the child's reminder went out last, to the same phone.
    await repos.patients.put(makePatient({ clinicId, patientId: 'p-child', firstName: 'Leo' }), null);
    await repos.appointments.put(
      makeAppointment({ clinicId, appointmentId: 'a-child', patientId: 'p-child' }),
      null,
    );
    await repos.messages.create(
      sentReminder({
        patientId: 'p-child',
        appointmentId: 'a-child',
        messageId: 'a-child#reminder#1d#v1',
        providerMessageId: 'provider-child',
        finishedAt: '2026-12-07T15:45:00.000Z',
      }),
    );

    // Act
    await handleInbound(deps(), text('C'));

    // Assess
    expect((await repos.appointments.get(clinicId, 'a-child'))?.confirmation).toBeDefined();
    expect((await repos.appointments.get(clinicId, 'a-1'))?.confirmation).toBeUndefined();
  });
});

describe('handleInbound: requests for staff', () => {
  it('puts a reschedule request in the inbox, publishes RescheduleRequested and answers that the clinic will be in touch', async () => {
    const reply = text('R');
    const result = await handleInbound(deps(), reply);
    expect(result).toMatchObject({ outcome: 'reschedule-requested', state: 'open' });
    expect(events.events.map((event) => event.detailType)).toEqual(['RescheduleRequested']);
    expect(replies[0]?.reply).toEqual({ reply: 'reschedule-requested' });
    const inbox = await inbound.listByState(clinicId, 'open');
    expect(inbox.items.map((item) => item.inboundMessageId)).toEqual([reply.inboundMessageId]);
    expect(inbox.items[0]).toMatchObject({ appointmentId: 'a-1', patientId: 'p-1' });
  });

  it('puts free text in the inbox with the patient it came from and acknowledges it', async () => {
    const reply = text('Can I bring my son along?');
    await handleInbound(deps(), reply);
    expect(await inbound.get(clinicId, reply.inboundMessageId)).toMatchObject({
      outcome: 'free-text',
      state: 'open',
      patientId: 'p-1',
      body: 'Can I bring my son along?',
    });
    expect(replies[0]?.reply).toEqual({ reply: 'received' });
    expect(events.events).toEqual([]);
  });

  it('answers HELP', async () => {
    await handleInbound(deps(), text('HELP'));
    expect(replies[0]).toMatchObject({ reply: { reply: 'help' }, purpose: 'answer' });
  });

  it('records a score answering a survey on the text and publishes SurveyAnswered', async () => {
    await repos.messages.create(
      sentReminder({
        messageId: 'a-1#survey#2h#v1',
        kind: 'survey',
        offset: '2h',
        priority: 'medium',
        providerMessageId: 'provider-s',
        finishedAt: '2026-12-07T15:50:00.000Z',
      }),
    );
    const reply = text('9');
    const result = await handleInbound(deps(), reply);
    expect(result.outcome).toBe('score-recorded');
    expect(await inbound.get(clinicId, reply.inboundMessageId)).toMatchObject({
      score: 9,
      intent: { kind: 'survey-score', score: 9 },
    });
    expect(events.events[0]).toMatchObject({
      detailType: 'SurveyAnswered',
      detail: { score: 9, messageId: 'a-1#survey#2h#v1' },
    });
    expect(replies[0]?.reply).toEqual({ reply: 'survey-thanks' });
  });
});

describe('handleInbound: feedback cases', () => {
  const survey = () =>
    repos.messages.create(
      sentReminder({
        messageId: 'a-1#survey#2h#v1',
        kind: 'survey',
        offset: '2h',
        priority: 'medium',
        providerMessageId: 'provider-s',
        finishedAt: '2026-12-07T15:50:00.000Z',
      }),
    );

  it('opens one high-priority case for a free-text complaint, across a crash before the text was recorded and a redelivery', async () => {
    const reply = text('The receptionist was so rude to me');
    const crashing: InboundDeps = {
      ...deps(),
      inbound: Object.assign(Object.create(inbound), {
        record: async () => {
          throw new Error('crash before the text was recorded');
        },
      }),
    };
    await expect(handleInbound(crashing, reply)).rejects.toThrow('crash');
    const result = await handleInbound(deps(), reply);
    expect(result).toMatchObject({ outcome: 'free-text', caseId: `reply-${reply.inboundMessageId}` });
    expect(await handleInbound(deps(), reply)).toEqual({ outcome: 'duplicate', clinicId });
    const open = await cases.listUnresolved(clinicId);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      caseId: `reply-${reply.inboundMessageId}`,
      source: 'complaint-wording',
      priority: 'high',
      category: 'staff',
      complaintPhrase: 'rude',
      openedBy: 'system',
      links: { patientId: 'p-1', inboundMessageId: reply.inboundMessageId, appointmentId: 'a-1' },
    });
    expect(logger.lines.some((line) => JSON.stringify(line).includes('rude'))).toBe(false);
  });

  it('opens no case for free text that is not a complaint', async () => {
    const result = await handleInbound(deps(), text('No complaints, thanks! Can I bring my son?'));
    expect(result.outcome).toBe('free-text');
    expect(await cases.listUnresolved(clinicId)).toEqual([]);
  });

  it('opens a case for a detractor score, linked to the survey', async () => {
    await survey();
    const detractor = await handleInbound(deps(), text('3'));
    expect(detractor).toMatchObject({ outcome: 'score-recorded', caseId: 'survey-a-1:survey:2h:v1' });
    expect(await cases.get(clinicId, 'survey-a-1:survey:2h:v1')).toMatchObject({
      source: 'detractor-score',
      links: { surveyId: 'a-1#survey#2h#v1', patientId: 'p-1' },
    });
  });

  it('opens no case for a promoter score', async () => {
    await survey();
    const promoter = await handleInbound(deps(), text('9'));
    expect(promoter.outcome).toBe('score-recorded');
    expect(await cases.listUnresolved(clinicId)).toEqual([]);
  });
});

describe('handleInbound: opt-out and opt-in', () => {
  it('opts the patient out with source patient, keeps the text on the inbound record, publishes PatientOptedOut and sends one confirmation', async () => {
    // Act
    const stop = text('Please stop texting me');
    const result = await handleInbound(deps(), stop);

    // Assess
    expect(result.outcome).toBe('opted-out');
    const patient = await repos.patients.get(clinicId, 'p-1');
    expect(patient?.optOuts.sms).toEqual({ at: stop.receivedAt, source: 'patient' });
    expect(patient?.smsReply).toEqual({
      last: { kind: 'opt-out', at: stop.receivedAt, inboundMessageId: stop.inboundMessageId },
      optOutInboundId: stop.inboundMessageId,
    });
    expect((await inbound.get(clinicId, stop.inboundMessageId))?.body).toBe('Please stop texting me');
    expect(events.events).toEqual([
      {
        detailType: 'PatientOptedOut',
        detail: { clinicId, inboundMessageId: stop.inboundMessageId, at: stop.receivedAt, patientId: 'p-1' },
      },
    ]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({
      reply: { reply: 'opted-out' },
      purpose: 'opt-out-confirmation',
      optedOut: true,
    });
  });

  it('keeps the opt-out and sends its one confirmation when the first try crashed before queuing it', async () => {
    // Prepare
    const stop = text('STOP');
    failNextReply = true;
    await expect(handleInbound(deps(), stop)).rejects.toThrow(/crash/);
    const afterCrash = await repos.patients.get(clinicId, 'p-1');
    expect(afterCrash?.optOuts.sms?.source).toBe('patient');
    expect(await inbound.get(clinicId, stop.inboundMessageId)).toBeUndefined();

    // Act: SQS delivers it again.
    await handleInbound(deps(), stop);
    await handleInbound(deps(), stop);

    // Assess
    const patient = await repos.patients.get(clinicId, 'p-1');
    expect(patient?.optOuts.sms?.source).toBe('patient');
    expect(patient?.version).toBe(afterCrash?.version);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({
      inboundMessageId: stop.inboundMessageId,
      purpose: 'opt-out-confirmation',
    });
    expect((await inbound.get(clinicId, stop.inboundMessageId))?.outcome).toBe('opted-out');
  });

  it.each([
    ['in order', ['stop', 'start']],
    ['START first', ['start', 'stop']],
  ])('leaves the patient opted in after STOP at 10:00 and START at 10:01 (%s)', async (_name, order) => {
    // Prepare
    const stop = text('STOP', { receivedAt: '2026-12-07T10:00:00.000Z' });
    const start = text('START', { receivedAt: '2026-12-07T10:01:00.000Z' });
    const byName: Record<string, InboundText> = { stop, start };

    // Act
    for (const name of order) await handleInbound(deps(), byName[name] as InboundText);

    // Assess
    const patient = await repos.patients.get(clinicId, 'p-1');
    expect(patient?.optOuts.sms).toBeUndefined();
    expect(patient?.smsReply?.last.inboundMessageId).toBe(start.inboundMessageId);
  });

  it('opts out on a bare CANCEL and puts it in the inbox for staff, also on a shared phone that answered no message', async () => {
    // Prepare: a second patient on the same phone; the text comes 9 days after the last message (outside the window).
    await repos.patients.put(makePatient({ clinicId, patientId: 'p-child', firstName: 'Leo' }), null);
    const cancel = text('CANCEL', { receivedAt: '2026-12-16T16:00:00.000Z' });

    // Act
    const result = await handleInbound(deps(), cancel);

    // Assess: both patients of the number opted out, one confirmation, and the text open for staff.
    expect(result.outcome).toBe('opted-out');
    for (const patientId of ['p-1', 'p-child']) {
      expect((await repos.patients.get(clinicId, patientId))?.optOuts.sms).toMatchObject({
        source: 'patient',
      });
    }
    const stored = await inbound.get(clinicId, cancel.inboundMessageId);
    expect(stored).toMatchObject({
      state: 'open',
      intent: { kind: 'opt-out', alsoForStaff: 'cancel-request' },
    });
    expect(stored?.answeredMessageId).toBeUndefined();
    expect(replies.map((request) => request.purpose)).toEqual(['opt-out-confirmation']);
  });

  it('opts out on a bare CANCEL from a number no patient has, without an inbox item (no visit of ours)', async () => {
    const cancel = text('CANCEL', { from: '+14155550188' });
    await handleInbound(deps(), cancel);
    const stored = await inbound.get(clinicId, cancel.inboundMessageId);
    expect(stored).toMatchObject({ outcome: 'opted-out' });
    expect(stored?.state).toBeUndefined();
  });

  it('lifts only the patient’s own opt-out on START, publishing PatientOptedIn', async () => {
    await handleInbound(deps(), text('STOP', { receivedAt: '2026-12-07T10:00:00.000Z' }));
    const start = text('START', { receivedAt: '2026-12-07T10:05:00.000Z' });
    const result = await handleInbound(deps(), start);
    expect(result.outcome).toBe('opted-in');
    expect(events.events.map((event) => event.detailType)).toEqual(['PatientOptedOut', 'PatientOptedIn']);
    expect(replies.at(-1)).toMatchObject({ reply: { reply: 'opted-in' }, optedOut: false });

    // A staff opt-out stays.
    const patient = await repos.patients.get(clinicId, 'p-1');
    if (!patient) throw new Error('no patient');
    await repos.patients.put(
      { ...patient, optOuts: { sms: { at: TEST_NOW, source: 'staff' } }, version: patient.version + 1 },
      patient.version,
    );
    const again = await handleInbound(deps(), text('START', { receivedAt: '2026-12-07T10:10:00.000Z' }));
    expect(again.outcome).toBe('opt-unchanged');
    expect((await repos.patients.get(clinicId, 'p-1'))?.optOuts.sms?.source).toBe('staff');
  });
});

describe('handleInbound: unknown numbers and bad destinations', () => {
  const STRANGER = '+14155550199';

  it('records STOP from a number no patient has as a number-level opt-out and confirms it', async () => {
    const stop = text('STOP', { from: STRANGER });
    const result = await handleInbound(deps(), stop);
    expect(result.outcome).toBe('opted-out');
    const state = await inbound.getNumberOptState(clinicId, STRANGER);
    expect(state?.state.optOut).toMatchObject({ source: 'patient', inboundMessageId: stop.inboundMessageId });
    expect(replies[0]).toMatchObject({
      patientId: contactIdOf(clinicId, STRANGER),
      purpose: 'opt-out-confirmation',
    });
    expect(replies[0]?.patientId).not.toContain('4155550199');
  });

  it('answers HELP from an unknown number and keeps anything else unmatched, unanswered, in the inbox', async () => {
    await handleInbound(deps(), text('HELP', { from: STRANGER }));
    const question = text('who is this?', { from: STRANGER });
    const result = await handleInbound(deps(), question);
    expect(replies.map((request) => request.reply)).toEqual([{ reply: 'help' }]);
    expect(result).toMatchObject({ outcome: 'unmatched', state: 'open' });
    const stored = await inbound.get(clinicId, question.inboundMessageId);
    expect(stored?.patientId).toBeUndefined();
    expect(
      await inbound.listUnmatchedFromNumber(clinicId, STRANGER, '2026-12-01T00:00:00.000Z'),
    ).toHaveLength(2);
  });

  it('sets aside a text to a number that is not a clinic’s, changing nothing', async () => {
    const result = await handleInbound(deps(), text('C', { to: '+12025550999' }));
    expect(result).toEqual({ outcome: 'set-aside', reason: 'unknown-destination' });
    expect(deadLetters.entries).toHaveLength(1);
    expect(deadLetters.entries[0]?.reason).toBe('unknown-destination');
    expect((await repos.appointments.get(clinicId, 'a-1'))?.confirmation).toBeUndefined();
  });

  it('records an emoji-only text as unreadable, with no answer', async () => {
    const reply = text('🙂🙂');
    const result = await handleInbound(deps(), reply);
    expect(result.outcome).toBe('unreadable');
    expect(replies).toEqual([]);
    expect((await inbound.get(clinicId, reply.inboundMessageId))?.intent).toEqual({
      kind: 'unreadable',
      reason: 'emoji-only',
    });
  });
});

describe('handleInbound: survey answers', () => {
  const SURVEY_ID = 'a-1#survey#2h#v1';
  const surveyKey = () => ({ clinicId, patientId: 'p-1', messageId: SURVEY_ID });
  const sendSurvey = (overrides: Partial<Message> = {}) =>
    repos.messages.create(
      sentReminder({
        messageId: SURVEY_ID,
        kind: 'survey',
        offset: '2h',
        priority: 'medium',
        providerMessageId: 'provider-s',
        finishedAt: '2026-12-07T15:50:00.000Z',
        ...overrides,
      }),
    );
  const withPolicy = (survey: Partial<ReturnType<typeof makeClinic>['policy']['survey']>) => {
    const clinic = makeClinic({ clinicId });
    return repos.clinics.put(
      { ...clinic, policy: { ...clinic.policy, survey: { ...clinic.policy.survey, ...survey } }, version: 2 },
      1,
    );
  };

  it('records a promoter’s "8!"-style score on the survey once, across a crash before the text was recorded and a redelivery', async () => {
    await sendSurvey();
    const reply = text('10!');
    const crashing: InboundDeps = {
      ...deps(),
      inbound: Object.assign(Object.create(inbound), {
        record: async () => {
          throw new Error('crash before the text was recorded');
        },
      }),
    };
    await expect(handleInbound(crashing, reply)).rejects.toThrow('crash');
    expect(await handleInbound(deps(), reply)).toMatchObject({ outcome: 'score-recorded' });
    expect(await handleInbound(deps(), reply)).toEqual({ outcome: 'duplicate', clinicId });
    const survey = await repos.messages.get(surveyKey());
    expect(survey?.surveyAnswer).toEqual({
      scale: 'nps',
      score: 10,
      class: 'promoter',
      answeredAt: reply.receivedAt,
      via: 'sms',
      late: false,
      inboundMessageId: reply.inboundMessageId,
      followUp: 'survey-thanks',
    });
    expect(replies.map((request) => request.reply)).toEqual([
      { reply: 'survey-thanks' },
      { reply: 'survey-thanks' },
    ]);
    expect(await cases.listUnresolved(clinicId)).toEqual([]);
  });

  it('asks a detractor what could be better, keeps the next text as the survey’s comment (on the case too, and in the inbox), and the one after as free text', async () => {
    await sendSurvey();
    const scored = await handleInbound(deps(), text('4'));
    expect(scored).toMatchObject({ outcome: 'score-recorded', caseId: 'survey-a-1:survey:2h:v1' });
    expect(replies[0]?.reply).toEqual({ reply: 'survey-follow-up' });

    const words = text('The wait was long and nobody said why', { receivedAt: '2026-12-07T16:05:00.000Z' });
    const commented = await handleInbound(deps(), words);
    expect(commented).toMatchObject({
      outcome: 'survey-comment',
      state: 'open',
      caseId: 'survey-a-1:survey:2h:v1',
    });
    expect(replies[1]?.reply).toEqual({ reply: 'survey-thanks' });
    expect((await repos.messages.get(surveyKey()))?.surveyAnswer).toMatchObject({
      score: 4,
      class: 'detractor',
      followUp: 'survey-follow-up',
      comment: {
        text: 'The wait was long and nobody said why',
        truncated: false,
        at: words.receivedAt,
        inboundMessageId: words.inboundMessageId,
      },
    });
    const opened = await cases.get(clinicId, 'survey-a-1:survey:2h:v1');
    expect(opened).toMatchObject({
      source: 'detractor-score',
      summary: 'The wait was long and nobody said why',
    });
    expect(opened?.history.filter((entry) => entry.kind === 'note')).toHaveLength(1);
    expect(await inbound.get(clinicId, words.inboundMessageId)).toMatchObject({
      outcome: 'survey-comment',
      state: 'open',
    });

    const later = await handleInbound(
      deps(),
      text('Also, parking?', { receivedAt: '2026-12-07T16:10:00.000Z' }),
    );
    expect(later.outcome).toBe('free-text');
    expect((await repos.messages.get(surveyKey()))?.surveyAnswer?.comment?.text).toBe(
      'The wait was long and nobody said why',
    );
    expect(logger.lines.some((line) => JSON.stringify(line).includes('wait was long'))).toBe(false);
  });

  it('keeps the first score: a second one goes to staff as free text and changes nothing on the survey', async () => {
    await sendSurvey();
    await handleInbound(deps(), text('9'));
    const second = text('3', { receivedAt: '2026-12-07T16:20:00.000Z' });
    expect(await handleInbound(deps(), second)).toMatchObject({ outcome: 'free-text', state: 'open' });
    expect(await inbound.get(clinicId, second.inboundMessageId)).toMatchObject({
      outcomeReason: 'survey-answered-before',
    });
    expect((await repos.messages.get(surveyKey()))?.surveyAnswer).toMatchObject({
      score: 9,
      class: 'promoter',
    });
    expect(await cases.listUnresolved(clinicId)).toEqual([]);
  });

  it('sends "8 or 9" to staff as free text and records no answer', async () => {
    await sendSurvey();
    expect(await handleInbound(deps(), text('8 or 9'))).toMatchObject({
      outcome: 'free-text',
      state: 'open',
    });
    expect((await repos.messages.get(surveyKey()))?.surveyAnswer).toBeUndefined();
  });

  it('keeps an answer after the answer window, flagged late', async () => {
    await sendSurvey({ finishedAt: '2026-11-29T15:50:00.000Z' });
    await handleInbound(deps(), text('8', { previousPublishedMessageId: 'provider-s' }));
    expect((await repos.messages.get(surveyKey()))?.surveyAnswer).toMatchObject({
      score: 8,
      class: 'passive',
      late: true,
    });
  });

  it('reads a CSAT clinic’s scores on 1–5: 2 is a detractor with a case, 6 is free text', async () => {
    await withPolicy({ scale: 'csat' });
    await sendSurvey();
    expect(await handleInbound(deps(), text('6'))).toMatchObject({ outcome: 'free-text' });
    const two = await handleInbound(deps(), text('2', { receivedAt: '2026-12-07T16:01:00.000Z' }));
    expect(two).toMatchObject({ outcome: 'score-recorded', caseId: 'survey-a-1:survey:2h:v1' });
    expect((await repos.messages.get(surveyKey()))?.surveyAnswer).toMatchObject({
      scale: 'csat',
      score: 2,
      class: 'detractor',
    });
  });

  it('opens no case for a CSAT 4, and sends a promoter the clinic’s review link', async () => {
    await withPolicy({ scale: 'csat', followUp: { askPassives: false, reviewLink: 'https://g.page/r/abc' } });
    await sendSurvey();
    expect(await handleInbound(deps(), text('4'))).toMatchObject({ outcome: 'score-recorded' });
    expect(replies[0]?.reply).toEqual({ reply: 'survey-review' });
    expect(await cases.listUnresolved(clinicId)).toEqual([]);
  });

  it('asks a passive when the clinic wants it, and a comment that reads as a complaint opens the case', async () => {
    await withPolicy({ followUp: { askPassives: true } });
    await sendSurvey();
    await handleInbound(deps(), text('7'));
    expect(replies[0]?.reply).toEqual({ reply: 'survey-follow-up' });
    expect(await cases.listUnresolved(clinicId)).toEqual([]);
    const words = text('The receptionist was rude to my mother', { receivedAt: '2026-12-07T16:05:00.000Z' });
    const result = await handleInbound(deps(), words);
    expect(result).toMatchObject({ outcome: 'survey-comment', caseId: 'survey-a-1:survey:2h:v1' });
    expect(await cases.get(clinicId, 'survey-a-1:survey:2h:v1')).toMatchObject({
      source: 'complaint-wording',
      category: 'staff',
      summary: 'The receptionist was rude to my mother',
      links: { surveyId: SURVEY_ID, inboundMessageId: words.inboundMessageId },
    });
  });

  it('keeps a page comment over 1,600 characters truncated and flagged, and refuses a score off the scale naming score', async () => {
    await sendSurvey({ channel: 'email' });
    const clinic = makeClinic({ clinicId });
    const survey = (await repos.messages.get(surveyKey())) as Message;
    const answerDeps = { ...deps(), cases };
    await expect(
      recordSurveyAnswer(answerDeps, clinic, survey, { score: 11, answeredAt: TEST_NOW, via: 'email' }),
    ).rejects.toMatchObject({ issues: [{ path: 'score' }] });
    expect((await repos.messages.get(surveyKey()))?.surveyAnswer).toBeUndefined();
    const result = await recordSurveyAnswer(answerDeps, clinic, survey, {
      score: 9,
      answeredAt: '2026-12-07T18:00:00.000Z',
      via: 'email',
      comment: `Lovely staff. ${'Really. '.repeat(250)}`,
    });
    expect(result.outcome).toBe('recorded');
    expect(result.answer.comment?.text).toHaveLength(1600);
    expect(result.answer.comment?.truncated).toBe(true);
    expect((await repos.messages.get(surveyKey()))?.surveyAnswer).toEqual(result.answer);
  });
});

describe('handleInbound: a reply to a refill reminder', () => {
  it('opens an inbox item refill-requested for a YES, answers that staff will be in touch, and orders nothing, not even a visit confirmation', async () => {
    // Prepare: the refill reminder went out after the visit reminder, so the reply answers it.
    await repos.messages.create(
      sentReminder({
        messageId: '~care#rx-1#refill#2026-12-10#1d',
        appointmentId: undefined,
        kind: 'care-reminder',
        offset: '1d',
        priority: 'medium',
        providerMessageId: 'provider-2',
        finishedAt: '2026-12-07T15:30:00.000Z',
      }),
    );
    const reply = text('YES');

    // Act
    const result = await handleInbound(deps(), reply);

    // Assess
    expect(result).toMatchObject({ outcome: 'refill-requested', clinicId });
    expect(await inbound.get(clinicId, reply.inboundMessageId)).toMatchObject({
      outcome: 'refill-requested',
      state: 'open',
      answeredMessageId: '~care#rx-1#refill#2026-12-10#1d',
      intent: { kind: 'confirm' },
    });
    expect((await repos.appointments.get(clinicId, 'a-1'))?.confirmation).toBeUndefined();
    // The patient hears the request was received (found from outside: the YES went unanswered).
    expect(replies.map((request) => [request.reply, request.purpose])).toEqual([
      [{ reply: 'refill-requested' }, 'answer'],
    ]);
  });
});
