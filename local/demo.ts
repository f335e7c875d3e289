/**
 * `npm run demo`: a scripted week at a demo clinic, in seconds.
 *
 * Starts local mode in memory, creates patients in several zones and
 * languages and a week of appointments through the staff API's own route
 * handlers, moves, cancels and completes some of them as the week goes on,
 * runs the clock through the week, and prints a timeline of every planned
 * message — sent, moved for quiet hours, skipped or withdrawn, and why —
 * with a summary table. Patients text back through the same path as
 * `POST /local/inbound` (a confirm, HELP, STOP then START, a reschedule
 * request, a question for staff) and a carrier blocks a text, through the
 * path of `POST /local/receipts`, so its email copy goes out. After their
 * visits, patients answer the survey: a promoter and a passive by text, a
 * detractor whose comment lands on the feedback case that staff acknowledge
 * and resolve, and an email survey answered through its signed link's page.
 */
import { DateTime } from 'luxon';
import type { Message } from '../shared/domain/model';
import { fallbackIdFor } from '../shared/domain/planning/ids';
import { toApiEvent } from '../shared/http/events';
import { serveStaffApi } from '../shared/http/staff-api';
import {
  legendLines,
  type ReportPatient,
  type ReportReceipt,
  type ReportReply,
  type ReportVisit,
  type SurveyFigures,
  summaryLines,
  surveyLines,
  timelineLines,
  twoWayLines,
  twoWaySummaryLines,
} from './demo-report';
import { DEMO_CLINIC_ID, LocalRuntime } from './runtime';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Monday 7 December 2026, 08:00 in New York (the clinic's zone). */
const CLINIC_ZONE = 'America/New_York';
const WEEK_START = DateTime.fromISO('2026-12-07T08:00', { zone: CLINIC_ZONE });
const ny = (text: string) => DateTime.fromISO(text, { zone: CLINIC_ZONE }).toUTC();

interface DemoPatient {
  id: string;
  body: Record<string, unknown>;
}

const PATIENTS: DemoPatient[] = [
  {
    id: 'p-ana',
    body: {
      firstName: 'Ana',
      phone: '+14155552671',
      email: 'ana@example.com',
      channels: ['sms', 'email'],
      language: 'en',
    },
  },
  { id: 'p-lucia', body: { firstName: 'Lucía', phone: '+13055550187', channels: ['sms'], language: 'es' } },
  {
    id: 'p-priya',
    body: {
      firstName: 'Priya',
      email: 'priya@example.in',
      channels: ['email'],
      language: 'en',
      timeZone: 'Asia/Kolkata',
    },
  },
  {
    id: 'p-tom',
    body: {
      firstName: 'Tom',
      phone: '+447911123456',
      email: 'tom@example.co.uk',
      channels: ['sms', 'email'],
      language: 'en',
      timeZone: 'Europe/London',
    },
  },
  { id: 'p-mele', body: { firstName: 'Mele', phone: '+12125551234', channels: ['sms'], language: 'en' } },
  {
    id: 'p-james',
    body: {
      firstName: 'James',
      phone: '+13105550123',
      email: 'james@example.com',
      channels: ['sms', 'email'],
      language: 'en',
      timeZone: 'America/Los_Angeles',
      optOuts: { sms: true },
    },
  },
];

const APPOINTMENTS = [
  {
    id: 'a-101',
    patientId: 'p-ana',
    startAt: ny('2026-12-09T10:00'),
    location: '12 River Road, Suite 3',
    note: 'completed, then a survey',
  },
  {
    id: 'a-102',
    patientId: 'p-lucia',
    startAt: ny('2026-12-08T08:30'),
    location: '12 River Road, Suite 3',
    note: 'early visit: 2 h reminder falls in quiet hours',
  },
  {
    id: 'a-103',
    patientId: 'p-priya',
    startAt: ny('2026-12-10T09:00'),
    videoLink: 'https://video.example.com/r/a-103',
    note: 'video visit, patient in Kolkata',
  },
  {
    id: 'a-104',
    patientId: 'p-tom',
    startAt: ny('2026-12-11T11:00'),
    location: '12 River Road, Suite 3',
    note: 'patient in London',
  },
  {
    id: 'a-105',
    patientId: 'p-mele',
    startAt: ny('2026-12-10T14:00'),
    location: '12 River Road, Suite 3',
    note: 'moved to Friday on Tuesday',
  },
  {
    id: 'a-106',
    patientId: 'p-james',
    startAt: ny('2026-12-11T16:00'),
    location: '12 River Road, Suite 3',
    note: 'opted out of SMS; cancelled by the clinic',
  },
  {
    id: 'a-107',
    patientId: 'p-lucia',
    startAt: ny('2026-12-11T09:00'),
    location: '12 River Road, Suite 3',
    note: 'no-show',
  },
];

interface FeedbackCaseView {
  caseId: string;
  source: string;
  version: number;
  links: { surveyId?: string };
}

/**
 * The patient's browser on the survey email's link: the link is read from
 * the local outbox (the email as sent) and its page's form is POSTed as a
 * browser without JavaScript posts it, through the staff API's public route.
 */
async function answerByLink(runtime: LocalRuntime, appointmentId: string, form: Record<string, string>) {
  const email = runtime.outbox.entries.find(
    (entry) => entry.channel === 'email' && entry.messageId.startsWith(`${appointmentId}#survey#`),
  );
  const link = /(https?:\/\/\S+\/survey\/\S+)/.exec(email?.text ?? '')?.[1];
  if (!link) throw new Error(`no survey email with a link for ${appointmentId}`);
  const path = new URL(link).pathname;
  for (const method of ['GET', 'POST'] as const) {
    const result = await serveStaffApi(
      runtime.staffApiDeps(),
      toApiEvent({
        method,
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        ...(method === 'POST' ? { body: new URLSearchParams(form).toString() } : {}),
      }),
    );
    if (result.statusCode !== 200) throw new Error(`${method} survey page → ${result.statusCode}`);
  }
}

/** The week's NPS, response rate and confirmation rate, as the metrics route answers them. */
async function figuresOf(
  api: (method: string, url: string) => Promise<Record<string, unknown>>,
  base: string,
): Promise<SurveyFigures> {
  const metrics = (await api('GET', `${base}/metrics?from=2026-12-07&to=2026-12-14`)) as Pick<
    SurveyFigures,
    'nps' | 'visits'
  > & { messages: { breakdown: { kind: string; outcome: string; count: number }[] } };
  const surveysSent = metrics.messages.breakdown
    .filter((row) => row.kind === 'survey' && row.outcome === 'sent')
    .reduce((sum, row) => sum + row.count, 0);
  return { nps: metrics.nps, visits: metrics.visits, surveysSent };
}

async function main() {
  const runtime = await LocalRuntime.start({ start: WEEK_START.toUTC() });
  try {
    const token = await runtime.staffToken();
    const claims = await runtime.verifyToken(token);
    const api = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
      const result = await serveStaffApi(
        runtime.staffApiDeps(),
        toApiEvent({
          method,
          url,
          headers: { 'content-type': 'application/json', ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          claims,
        }),
      );
      if ((result.statusCode ?? 500) >= 300)
        throw new Error(`${method} ${url} → ${result.statusCode}: ${result.body}`);
      return JSON.parse(result.body ?? '{}') as Record<string, unknown>;
    };
    const base = `/v1/clinics/${DEMO_CLINIC_ID}`;
    const say = (text: string) =>
      console.log(`${runtime.clock.now().setZone('America/New_York').toFormat('ccc dd LLL HH:mm')}  ${text}`);

    const replies: ReportReply[] = [];
    const cases: { caseId: string; source: string; status: string }[] = [];
    /** A patient texts the clinic's number: the path of POST /local/inbound. */
    const text = async (from: string, body: string) => {
      const at = runtime.clock.now().toUTC().toISO() ?? '';
      const report = await runtime.receiveText({ from, body });
      if (report.setAside || !report.inbound) throw new Error(`text set aside: ${report.setAside}`);
      replies.push({
        at,
        ...(report.inbound.patientId ? { patientId: report.inbound.patientId } : {}),
        text: body,
        outcome: report.inbound.outcome,
        ...(report.inbound.state ? { state: report.inbound.state } : {}),
        answered: report.sent.length > 0,
      });
    };
    const receipts: Omit<ReportReceipt, 'copy'>[] = [];
    /** The carrier's receipt for a text: the path of POST /local/receipts. */
    const receipt = async (patientId: string, messageId: string, event: string) => {
      const at = runtime.clock.now().toUTC().toISO() ?? '';
      await runtime.deliverReceipt({ messageId, event });
      receipts.push({ at, patientId, messageId, event });
    };
    const phoneOf = (patientId: string) =>
      String(PATIENTS.find((patient) => patient.id === patientId)?.body.phone);

    console.log('\nclinic-reminders demo: one week at Demo Family Clinic (America/New_York)\n');
    say(`staff register ${PATIENTS.length} patients and book ${APPOINTMENTS.length} appointments`);
    for (const patient of PATIENTS) await api('PUT', `${base}/patients/${patient.id}`, patient.body);
    for (const appointment of APPOINTMENTS) {
      await api('PUT', `${base}/appointments/${appointment.id}`, {
        patientId: appointment.patientId,
        startAt: appointment.startAt.toISO(),
        durationMinutes: 30,
        ...(appointment.location ? { location: appointment.location } : {}),
        ...(appointment.videoLink ? { videoLink: appointment.videoLink } : {}),
      });
    }

    await runtime.advanceTo(ny('2026-12-07T08:05'));
    say('the carrier blocks the confirmation text to Tom: his email gets a copy at the next sweep');
    await receipt('p-tom', 'a-104#confirmation#-#v1', 'TEXT_CARRIER_BLOCKED');

    await runtime.advanceTo(ny('2026-12-07T09:00'));
    say('Ana replies C to her confirmation, then asks about parking');
    await text(phoneOf('p-ana'), 'C');
    await runtime.advanceTo(ny('2026-12-07T09:10'));
    await text(phoneOf('p-ana'), 'Is there parking near the clinic?');
    await runtime.advanceTo(ny('2026-12-07T09:15'));
    say('Mele texts HELP, and at 10:00 STOP');
    await text(phoneOf('p-mele'), 'HELP');
    await runtime.advanceTo(ny('2026-12-07T10:00'));
    await text(phoneOf('p-mele'), 'STOP');
    await runtime.advanceTo(ny('2026-12-07T11:00'));
    say('Lucía asks to move her visit (CAMBIAR): the clinic will be in touch');
    await text(phoneOf('p-lucia'), 'CAMBIAR');

    await runtime.advanceTo(ny('2026-12-08T09:00'));
    say('Mele texts START: texts to Mele go out again');
    await text(phoneOf('p-mele'), 'START');

    await runtime.advanceTo(ny('2026-12-08T09:30'));
    say('a-102 (Lucía) is completed; her survey goes out two hours after the visit');
    await api('POST', `${base}/appointments/a-102/complete`, {});
    await runtime.advanceTo(ny('2026-12-08T11:30'));
    say('Lucía answers the survey: 8 (a passive)');
    await text(phoneOf('p-lucia'), '8');

    await runtime.advanceTo(ny('2026-12-08T12:00'));
    say('a-105 (Mele) moves from Thursday 14:00 to Friday 15:00');
    await api(
      'PUT',
      `${base}/appointments/a-105`,
      {
        patientId: 'p-mele',
        startAt: ny('2026-12-11T15:00').toISO(),
        durationMinutes: 30,
        location: '12 River Road, Suite 3',
      },
      { 'if-match': '"1"' },
    );

    await runtime.advanceTo(ny('2026-12-09T11:00'));
    say('a-101 (Ana) is completed; a-106 (James) is cancelled by the clinic');
    await api('POST', `${base}/appointments/a-101/complete`, {});
    await api('POST', `${base}/appointments/a-106/cancel`, { cancelledBy: 'clinic' });
    await runtime.advanceTo(ny('2026-12-09T13:00'));
    say('Ana answers the survey: 10! (a promoter)');
    await text(phoneOf('p-ana'), '10!');

    await runtime.advanceTo(ny('2026-12-10T10:00'));
    say('a-103 (Priya) is completed; her survey goes by email, with its signed link');
    await api('POST', `${base}/appointments/a-103/complete`, {});

    await runtime.advanceTo(ny('2026-12-11T08:00'));
    say('Priya opens the link in her survey email and answers 9 on the page (no login, no script)');
    await answerByLink(runtime, 'a-103', { score: '9', comment: 'Clear advice, thank you.' });

    await runtime.advanceTo(ny('2026-12-11T10:00'));
    say('a-107 (Lucía) did not come: marked no-show (no survey follows a no-show)');
    await api('POST', `${base}/appointments/a-107/no-show`, {});

    await runtime.advanceTo(ny('2026-12-11T15:40'));
    say('a-105 (Mele) is completed');
    await api('POST', `${base}/appointments/a-105/complete`, {});
    await runtime.advanceTo(ny('2026-12-11T18:00'));
    say(
      'Mele answers the survey: 3 (a detractor); a feedback case opens and Mele is asked what could be better',
    );
    await text(phoneOf('p-mele'), '3');
    await runtime.advanceTo(ny('2026-12-11T18:10'));
    await text(phoneOf('p-mele'), 'The wait was over an hour and nobody told us why');
    await runtime.advanceTo(ny('2026-12-11T18:30'));
    const listed = (await api('GET', `${base}/cases?status=open`)) as { items: FeedbackCaseView[] };
    const opened = listed.items.find((item) => item.links.surveyId?.startsWith('a-105#survey#'));
    if (!opened) throw new Error('the detractor’s survey opened no case');
    say(`staff acknowledge case ${opened.caseId} (its summary is Mele’s comment)`);
    const acknowledged = await api(
      'PATCH',
      `${base}/cases/${opened.caseId}`,
      { status: 'acknowledged' },
      { 'if-match': `"${opened.version}"` },
    );
    await runtime.advanceTo(ny('2026-12-12T10:00'));
    say('staff call Mele back and resolve the case with a note');
    const resolved = await api(
      'PATCH',
      `${base}/cases/${opened.caseId}`,
      { status: 'resolved', resolutionNote: 'Called back; apologised; front desk now announces delays.' },
      { 'if-match': `"${String(acknowledged.version)}"` },
    );
    cases.push({ caseId: opened.caseId, source: opened.source, status: String(resolved.status) });

    await runtime.advanceTo(ny('2026-12-13T23:59'));
    say('end of the week\n');

    // The timeline: every planned message, by patient, in the order each reads them.
    const messages: Message[] = [];
    const visits: ReportVisit[] = [];
    for (const appointment of APPOINTMENTS) {
      const stored = await runtime.repos.appointments.get(DEMO_CLINIC_ID, appointment.id);
      visits.push({
        appointmentId: appointment.id,
        patientId: appointment.patientId,
        startAt: stored?.startAt ?? appointment.startAt.toISO() ?? '',
        note: appointment.note,
      });
    }
    // Every message to each patient: the visits' and the answers to their texts.
    for (const patient of PATIENTS)
      messages.push(...(await runtime.repos.messages.listForPatient(DEMO_CLINIC_ID, patient.id)));
    const receiptsWithCopies: ReportReceipt[] = receipts.map((sent) => {
      const copy = messages.find((message) => message.messageId === fallbackIdFor(sent.messageId, 'email'));
      return copy
        ? { ...sent, copy: { messageId: copy.messageId, channel: copy.channel, status: copy.status } }
        : sent;
    });
    const patients: ReportPatient[] = PATIENTS.map((patient) => ({
      patientId: patient.id,
      name: String(patient.body.firstName),
      zone: String(patient.body.timeZone ?? CLINIC_ZONE),
      channels: (patient.body.channels as string[]).map((channel) =>
        (patient.body.optOuts as Record<string, boolean> | undefined)?.[channel]
          ? `${channel} (opted out)`
          : channel,
      ),
    }));
    for (const line of [
      ...timelineLines(patients, visits, messages),
      '',
      ...legendLines(patients, messages),
      '',
      ...twoWayLines(patients, replies, receiptsWithCopies, CLINIC_ZONE),
      '',
      ...summaryLines(messages),
      ...twoWaySummaryLines(replies, receiptsWithCopies),
      `outbox holds ${runtime.outbox.entries.length} messages`,
      '',
      ...surveyLines(patients, messages, await figuresOf(api, base)),
      ...cases.map((item) => `feedback case ${item.caseId} (${item.source}): ${item.status}`),
    ])
      console.log(line);
  } finally {
    await runtime.stop();
  }
}

await main();
