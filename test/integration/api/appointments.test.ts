import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCaseRepository } from '../../../shared/adapters/dynamodb/case-repository';
import { CapturingLogger, RecordingTelemetry } from '../../../shared/adapters/local/recorders';
import { AppointmentPageSchema, AppointmentViewSchema, TimelineSchema } from '../../../shared/api/schemas';
import { fixedClock } from '../../../shared/domain/time';
import { recordSurveyAnswer } from '../../../shared/use-cases/record-survey-answer';
import { makeAppointment, makeClinic, makeMessage, makePatient, TEST_NOW } from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

const api = useStaffApi();
const BASE = '/v1/clinics/demo-clinic/appointments';

beforeAll(() =>
  api.seed({
    clinics: [makeClinic()],
    patients: [makePatient(), makePatient({ patientId: 'p-2', timeZone: 'America/Los_Angeles' })],
  }),
);

const booking = (overrides: Record<string, unknown> = {}) => ({
  patientId: 'p-1',
  startAt: '2026-12-10T15:30:00Z',
  durationMinutes: 30,
  type: 'follow-up',
  location: '12 River Road, Suite 3',
  ...overrides,
});

describe('PUT and GET /v1/clinics/{clinicId}/appointments/{appointmentId}', () => {
  it('books a new appointment: 201, ETag "1", start on the clinic clock', async () => {
    // Act
    const booked = await api.call({ method: 'PUT', url: `${BASE}/book-1`, body: booking() });
    const read = await api.call({ method: 'GET', url: `${BASE}/book-1` });

    // Assess
    expect(booked.status).toBe(201);
    expect(booked.headers.etag).toBe('"1"');
    expect(AppointmentViewSchema.parse(read.body)).toMatchObject({
      status: 'booked',
      startAt: '2026-12-10T15:30:00.000Z',
      startLocal: '2026-12-10T10:30:00.000-05:00',
      timeZone: 'America/New_York',
    });
    expect(read.headers.etag).toBe('"1"');
  });

  it('moves a booked appointment with If-Match and bumps the schedule version', async () => {
    // Prepare
    await api.seed({ appointments: [makeAppointment({ appointmentId: 'move-1' })] });

    // Act
    const moved = await api.call({
      method: 'PUT',
      url: `${BASE}/move-1`,
      body: booking({ startAt: '2026-12-09T14:00:00Z', type: 'default' }),
      headers: { 'if-match': '"1"' },
    });

    // Assess
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ version: 2, scheduleVersion: 2, startAt: '2026-12-09T14:00:00.000Z' });
    expect(moved.headers.etag).toBe('"2"');
  });

  it('refuses a change without If-Match (400), with a stale one (409), and a new booking in the past (400)', async () => {
    // Prepare
    await api.seed({ appointments: [makeAppointment({ appointmentId: 'guarded-1' })] });
    const before = await api.snapshot();

    // Act
    const noVersion = await api.call({ method: 'PUT', url: `${BASE}/guarded-1`, body: booking() });
    const stale = await api.call({
      method: 'PUT',
      url: `${BASE}/guarded-1`,
      body: booking(),
      headers: { 'if-match': '"3"' },
    });
    const past = await api.call({
      method: 'PUT',
      url: `${BASE}/past-1`,
      body: booking({ startAt: '2026-11-30T15:00:00Z' }),
    });

    // Assess
    expect(noVersion.status).toBe(400);
    expect(issuePaths(noVersion)).toEqual(['If-Match']);
    expect(stale.status).toBe(409);
    expect(stale.body.error.currentVersion).toBe(1);
    expect(past.status).toBe(400);
    expect(issuePaths(past)).toEqual(['startAt']);
    expect(await api.snapshot()).toBe(before);
  });

  it('names unknown fields, a start that is not UTC and a patient that does not exist', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const fields = await api.call({
      method: 'PUT',
      url: `${BASE}/bad-1`,
      body: booking({ startAt: '2026-12-10T10:30:00-05:00', room: '4' }),
    });
    const patient = await api.call({
      method: 'PUT',
      url: `${BASE}/bad-2`,
      body: booking({ patientId: 'ghost' }),
    });

    // Assess
    expect(issuePaths(fields).sort()).toEqual(['room', 'startAt']);
    expect(issuePaths(patient)).toEqual(['patientId']);
    expect(await api.snapshot()).toBe(before);
  });

  it('answers 404 for an appointment that does not exist, and 400 for an id with a #', async () => {
    const missing = await api.call({ method: 'GET', url: `${BASE}/nope` });
    const badId = await api.call({ method: 'GET', url: `${BASE}/a%23b` });

    expect(missing.status).toBe(404);
    expect(badId.status).toBe(400);
    expect(issuePaths(badId)).toEqual(['appointmentId']);
  });

  it("shows the patient's confirmation by reply beside the status, which staff cannot write, and documents it", async () => {
    // Prepare: the patient texted C to the 1-day reminder.
    const confirmation = {
      at: '2026-12-01T14:10:00.000Z',
      via: 'sms' as const,
      messageId: 'conf-1#reminder#1d#v1',
      inboundMessageId: 'in-conf-1',
      scheduleVersion: 1,
    };
    await api.seed({ appointments: [makeAppointment({ appointmentId: 'conf-1', confirmation })] });

    // Act
    const read = await api.call({ method: 'GET', url: `${BASE}/conf-1`, groups: ['staff'] });
    const written = await api.call({
      method: 'PUT',
      url: `${BASE}/conf-1`,
      headers: { 'if-match': '"1"' },
      body: booking({ startAt: '2026-12-08T15:00:00Z', confirmation }),
    });
    const openapi = await api.call({ method: 'GET', url: '/openapi.json', clinics: null });

    // Assess
    expect(read.status).toBe(200);
    expect(AppointmentViewSchema.parse(read.body)).toMatchObject({ status: 'booked', confirmation });
    expect(written.status).toBe(400);
    expect(issuePaths(written)).toEqual(['confirmation']);
    const documented = openapi.body.components.schemas.Appointment.properties.confirmation;
    expect(Object.keys(documented.properties).sort()).toEqual(
      ['at', 'inboundMessageId', 'messageId', 'scheduleVersion', 'via'].sort(),
    );
  });
});

describe('GET /v1/clinics/{clinicId}/appointments?from=&to=', () => {
  beforeAll(() =>
    api.seed({
      appointments: [
        // 2027-01-04 23:30 in New York is already the 5th in UTC.
        makeAppointment({ appointmentId: 'list-1', startAt: '2027-01-04T14:00:00.000Z' }),
        makeAppointment({ appointmentId: 'list-2', startAt: '2027-01-04T20:00:00.000Z' }),
        makeAppointment({ appointmentId: 'list-3', startAt: '2027-01-05T04:30:00.000Z' }),
        makeAppointment({ appointmentId: 'list-4', startAt: '2027-01-05T06:00:00.000Z' }),
      ],
    }),
  );

  it('reads local dates as whole days in the clinic zone and pages with a cursor', async () => {
    // Act
    const first = await api.call({ method: 'GET', url: `${BASE}?from=2027-01-04&to=2027-01-05&limit=2` });
    const second = await api.call({
      method: 'GET',
      url: `${BASE}?from=2027-01-04&to=2027-01-05&limit=2&cursor=${first.body.cursor}`,
    });

    // Assess
    const page = AppointmentPageSchema.parse(first.body);
    expect(page).toMatchObject({ from: '2027-01-04T05:00:00.000Z', to: '2027-01-05T05:00:00.000Z' });
    expect(page.items.map((item) => item.appointmentId)).toEqual(['list-1', 'list-2']);
    const ids = second.body.items.map((item: { appointmentId: string }) => item.appointmentId);
    expect(ids).toEqual(['list-3']);
    expect(second.body.cursor).toBeUndefined();
  });

  it('takes UTC instants as they are', async () => {
    const answer = await api.call({
      method: 'GET',
      url: `${BASE}?from=2027-01-05T00:00:00Z&to=2027-01-05T06:00:00Z`,
    });

    expect(answer.body.items.map((item: { appointmentId: string }) => item.appointmentId)).toEqual([
      'list-3',
    ]);
  });

  it('refuses a bad bound, a reversed period and a cursor of another period', async () => {
    // Prepare
    const first = await api.call({ method: 'GET', url: `${BASE}?from=2027-01-04&to=2027-01-05&limit=1` });

    // Act
    const bad = await api.call({ method: 'GET', url: `${BASE}?from=yesterday&to=2027-02-30` });
    const reversed = await api.call({ method: 'GET', url: `${BASE}?from=2027-01-05&to=2027-01-04` });
    const foreign = await api.call({
      method: 'GET',
      url: `${BASE}?from=2027-01-03&to=2027-01-05&cursor=${first.body.cursor}`,
    });
    const unknown = await api.call({ method: 'GET', url: `${BASE}?from=2027-01-03&to=2027-01-05&sort=desc` });

    // Assess
    expect(issuePaths(bad).sort()).toEqual(['from', 'to']);
    expect(issuePaths(reversed)).toEqual(['to']);
    expect(issuePaths(foreign)).toEqual(['cursor']);
    expect(issuePaths(unknown)).toEqual(['sort']);
  });
});

describe('POST …/cancel, /complete, /no-show', () => {
  it('cancels for the clinic by default, and a repeated cancel changes nothing', async () => {
    // Prepare
    await api.seed({ appointments: [makeAppointment({ appointmentId: 'cancel-1' })] });

    // Act
    const cancelled = await api.call({ method: 'POST', url: `${BASE}/cancel-1/cancel` });
    const again = await api.call({ method: 'POST', url: `${BASE}/cancel-1/cancel` });

    // Assess
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelledBy: 'clinic', version: 2 });
    expect(again.body.version).toBe(2);
    expect((await api.repos().appointments.get('demo-clinic', 'cancel-1'))?.version).toBe(2);
  });

  it('records a cancellation by the patient when the body says so', async () => {
    await api.seed({ appointments: [makeAppointment({ appointmentId: 'cancel-2' })] });

    const answer = await api.call({
      method: 'POST',
      url: `${BASE}/cancel-2/cancel`,
      body: { cancelledBy: 'patient' },
    });

    expect(answer.body.cancelledBy).toBe('patient');
  });

  it('marks a past visit completed or a no-show, and refuses either before the visit', async () => {
    // Prepare
    await api.seed({
      appointments: [
        makeAppointment({ appointmentId: 'done-1', startAt: '2026-12-01T13:00:00.000Z' }),
        makeAppointment({ appointmentId: 'missed-1', startAt: '2026-12-01T14:00:00.000Z' }),
        makeAppointment({ appointmentId: 'future-1' }),
      ],
    });

    // Act
    const completed = await api.call({ method: 'POST', url: `${BASE}/done-1/complete` });
    const noShow = await api.call({ method: 'POST', url: `${BASE}/missed-1/no-show`, body: {} });
    const early = await api.call({ method: 'POST', url: `${BASE}/future-1/no-show` });

    // Assess
    expect(completed.body.status).toBe('completed');
    expect(noShow.body.status).toBe('no-show');
    expect(early.status).toBe(400);
    expect(issuePaths(early)).toEqual(['status']);
  });

  it('refuses to change a cancelled visit (409), a stale If-Match (409), a missing one (404) and unknown body fields (400)', async () => {
    // Prepare
    await api.seed({
      appointments: [
        makeAppointment({ appointmentId: 'gone-1', status: 'cancelled', cancelledBy: 'clinic', version: 2 }),
        makeAppointment({ appointmentId: 'versioned-1' }),
      ],
    });
    const before = await api.snapshot();

    // Act
    const cancelled = await api.call({ method: 'POST', url: `${BASE}/gone-1/complete` });
    const stale = await api.call({
      method: 'POST',
      url: `${BASE}/versioned-1/cancel`,
      headers: { 'if-match': '"5"' },
    });
    const missing = await api.call({ method: 'POST', url: `${BASE}/nobody/cancel` });
    const unknown = await api.call({
      method: 'POST',
      url: `${BASE}/versioned-1/cancel`,
      body: { reason: 'flu' },
    });

    // Assess
    expect(cancelled.status).toBe(409);
    expect(stale.status).toBe(409);
    expect(missing.status).toBe(404);
    expect(unknown.status).toBe(400);
    expect(issuePaths(unknown)).toEqual(['reason']);
    expect(await api.snapshot()).toBe(before);
  });

  it('answers 405 with Allow for a method the path does not take', async () => {
    const answer = await api.call({ method: 'GET', url: `${BASE}/x/cancel` });

    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
  });
});

describe('GET …/appointments/{appointmentId}/messages', () => {
  it('lists every message in due order with status, reason and times in UTC, the patient zone and the clinic zone', async () => {
    // Prepare
    await api.seed({
      appointments: [
        makeAppointment({ appointmentId: 'tl-1', patientId: 'p-2', version: 2, scheduleVersion: 2 }),
      ],
      messages: [
        makeMessage({
          patientId: 'p-2',
          appointmentId: 'tl-1',
          messageId: 'tl-1#reminder#1d#v2',
          dueAt: '2026-12-07T15:00:00.000Z',
        }),
        makeMessage({
          patientId: 'p-2',
          appointmentId: 'tl-1',
          messageId: 'tl-1#reminder#1d#v1',
          status: 'skipped',
          reason: 'appointment-moved',
          dueAt: '2026-12-06T15:00:00.000Z',
          finishedAt: '2026-12-01T15:00:00.000Z',
        }),
        makeMessage({
          patientId: 'p-2',
          appointmentId: 'tl-1',
          messageId: 'tl-1#confirmation#v1',
          kind: 'confirmation',
          offset: undefined,
          status: 'sent',
          dueAt: '2026-11-30T15:00:00.000Z',
          finishedAt: '2026-11-30T15:00:04.000Z',
          providerMessageId: 'sns-1',
        }),
        makeMessage({ patientId: 'p-2', appointmentId: 'tl-10', messageId: 'tl-10#reminder#1d#v1' }),
      ],
    });

    // Act
    const answer = await api.call({ method: 'GET', url: `${BASE}/tl-1/messages` });

    // Assess
    const timeline = TimelineSchema.parse(answer.body);
    expect(timeline).toMatchObject({ timeZone: 'America/Los_Angeles', clinicTimeZone: 'America/New_York' });
    expect(timeline.messages.map((m) => [m.messageId, m.status, m.reason])).toEqual([
      ['tl-1#confirmation#v1', 'sent', undefined],
      ['tl-1#reminder#1d#v1', 'skipped', 'appointment-moved'],
      ['tl-1#reminder#1d#v2', 'pending', undefined],
    ]);
    const sent = timeline.messages[0];
    expect(sent?.sentAt).toBe('2026-11-30T15:00:04.000Z');
    expect(sent?.local).toMatchObject({
      dueAt: '2026-11-30T07:00:00.000-08:00',
      sentAt: '2026-11-30T07:00:04.000-08:00',
    });
    expect(sent?.clinicLocal.dueAt).toBe('2026-11-30T10:00:00.000-05:00');
  });

  it('shows a survey’s answer on its message once answered, comment included, and logs none of its words', async () => {
    // Prepare: a sent survey, answered on the email page with a comment, through the survey answer use case.
    const survey = makeMessage({
      appointmentId: 'tl-survey',
      messageId: 'tl-survey#survey#2h#v1',
      kind: 'survey',
      offset: '2h',
      priority: 'medium',
      channel: 'email',
      status: 'sent',
      attempts: 1,
      providerMessageId: 'ses-1',
      finishedAt: '2026-12-01T14:00:00.000Z',
    });
    await api.seed({
      appointments: [makeAppointment({ appointmentId: 'tl-survey', status: 'completed' })],
      messages: [survey],
    });
    const repos = api.repos();
    const recorded = await recordSurveyAnswer(
      {
        ...repos,
        cases: new DynamoCaseRepository(api.tables.clients.doc, api.tables.names.inbound),
        clock: fixedClock(TEST_NOW),
        logger: new CapturingLogger(),
        telemetry: new RecordingTelemetry(),
      },
      makeClinic(),
      survey,
      { score: 4, answeredAt: '2026-12-01T16:00:00.000Z', via: 'email', comment: 'The wait was long' },
    );
    expect(recorded.outcome).toBe('recorded');

    // Act
    const answer = await api.call({ method: 'GET', url: `${BASE}/tl-survey/messages` });

    // Assess
    expect(answer.status).toBe(200);
    const [message] = TimelineSchema.parse(answer.body).messages;
    expect(message?.surveyAnswer).toEqual({
      scale: 'nps',
      score: 4,
      class: 'detractor',
      answeredAt: '2026-12-01T16:00:00.000Z',
      via: 'email',
      late: false,
      followUp: 'survey-follow-up',
      comment: { text: 'The wait was long', truncated: false, at: '2026-12-01T16:00:00.000Z' },
    });
    expect(answer.body.messages[0].surveyAnswer).toEqual(recorded.answer);
    expect(JSON.stringify(api.logs)).not.toContain('The wait was long');
  });

  it('answers 404 for the messages of an appointment that does not exist', async () => {
    const answer = await api.call({ method: 'GET', url: `${BASE}/nothing-here/messages` });

    expect(answer.status).toBe(404);
  });
});
