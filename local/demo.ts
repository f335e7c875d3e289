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
 * path of `POST /local/receipts`, so its email copy goes out.
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
  summaryLines,
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

    await runtime.advanceTo(ny('2026-12-11T10:00'));
    say('a-107 (Lucía) did not come: marked no-show');
    await api('POST', `${base}/appointments/a-107/no-show`, {});

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
    ])
      console.log(line);
  } finally {
    await runtime.stop();
  }
}

await main();
