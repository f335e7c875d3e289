/**
 * `npm run demo`: a scripted week at a demo clinic, in seconds.
 *
 * Starts local mode in memory, creates patients in several zones and
 * languages and a week of appointments through the staff API's own route
 * handlers, moves, cancels and completes some of them as the week goes on,
 * runs the clock through the week, and prints a timeline of every planned
 * message — sent, moved for quiet hours, skipped or withdrawn, and why —
 * with a summary table.
 */
import { DateTime } from 'luxon';
import type { Message } from '../shared/domain/model';
import { toApiEvent } from '../shared/http/events';
import { serveStaffApi } from '../shared/http/staff-api';
import { DEMO_CLINIC_ID, LocalRuntime } from './runtime';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Monday 7 December 2026, 08:00 in New York (the clinic's zone). */
const WEEK_START = DateTime.fromISO('2026-12-07T08:00', { zone: 'America/New_York' });
const ny = (text: string) => DateTime.fromISO(text, { zone: 'America/New_York' }).toUTC();

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

    // The timeline: every planned message, in the order it went out (or would have).
    const rows: { at: DateTime; message: Message; zone: string }[] = [];
    for (const appointment of APPOINTMENTS) {
      const patient = await runtime.repos.patients.get(DEMO_CLINIC_ID, appointment.patientId);
      const zone = patient?.timeZone ?? 'America/New_York';
      for (const message of await runtime.repos.messages.listForAppointment(
        DEMO_CLINIC_ID,
        appointment.patientId,
        appointment.id,
      )) {
        const at = DateTime.fromISO(
          message.status === 'sent' ? (message.finishedAt ?? message.dueAt) : message.dueAt,
          { zone: 'utc' },
        );
        rows.push({ at, message, zone });
      }
    }
    rows.sort((a, b) => a.at.toMillis() - b.at.toMillis());
    const name = Object.fromEntries(PATIENTS.map((p) => [p.id, String(p.body.firstName)]));
    console.log('Timeline (times in each patient’s own zone)');
    console.log(
      `${'when'.padEnd(28)}${'who'.padEnd(8)}${'appt'.padEnd(7)}${'message'.padEnd(16)}${'channel'.padEnd(8)}${'status'.padEnd(9)}why`,
    );
    for (const { at, message, zone } of rows) {
      const planned = DateTime.fromISO(message.plannedAt, { zone: 'utc' });
      // The stored reason says why it moved (quiet-hours); the planned time says from where.
      const moved = !planned.equals(DateTime.fromISO(message.dueAt, { zone: 'utc' }))
        ? `planned ${planned.setZone(zone).toFormat('ccc HH:mm')}`
        : '';
      const why = [message.reason, moved].filter(Boolean).join(', ');
      console.log(
        `${at.setZone(zone).toFormat('ccc dd LLL HH:mm ZZZZ').padEnd(28)}${name[message.patientId]?.padEnd(8)}${message.appointmentId?.padEnd(7)}${`${message.kind}${message.offset ? ` ${message.offset}` : ''}`.padEnd(16)}${message.channel.padEnd(8)}${message.status.padEnd(9)}${why}`,
      );
    }

    const kinds = [...new Set(rows.map((r) => r.message.kind))];
    const statuses = ['sent', 'skipped', 'failed', 'unknown', 'pending', 'queued'] as const;
    console.log('\nSummary');
    console.log(`${'kind'.padEnd(14)}${statuses.map((s) => s.padStart(9)).join('')}`);
    for (const kind of kinds) {
      const counts = statuses.map(
        (status) => rows.filter((r) => r.message.kind === kind && r.message.status === status).length,
      );
      console.log(`${kind.padEnd(14)}${counts.map((c) => String(c).padStart(9)).join('')}`);
    }
    const sentBy = (channel: string) =>
      rows.filter((r) => r.message.status === 'sent' && r.message.channel === channel).length;
    console.log(
      `\nsent by SMS ${sentBy('sms')}, by email ${sentBy('email')}; outbox holds ${runtime.outbox.entries.length} messages`,
    );
    console.log('Appointments:');
    for (const appointment of APPOINTMENTS)
      console.log(`  ${appointment.id}  ${name[appointment.patientId]?.padEnd(7)} ${appointment.note}`);
  } finally {
    await runtime.stop();
  }
}

await main();
