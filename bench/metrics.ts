/**
 * `npm run bench:metrics`: GET …/metrics for a clinic with 50,000
 * appointments in 92 days, answered from the daily counters, against the
 * per-request scan of the period it replaced (bench/metrics-scan.ts), in the
 * same run on DynamoDB Local.
 *
 * Seeds one clinic: patients, appointments spread over 92 local days
 * (completed, no-shows, some confirmed by reply), one sent reminder per
 * appointment, a few opt-outs. The counters are what the counting sites
 * would have left: recountFromRaw over the seeded items (the same builders
 * the sites use), written as one day item per day. Then it times each path
 * (median and worst of `--runs`), counts the DynamoDB requests and read
 * units of each, and checks that the two agree where they count the same
 * thing (completed visits and no-shows, both on the visit's start day).
 *
 * Options: --appointments 50000 --patients 5000 --runs 5 --scan-runs 1 --json <file>
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { DynamoCaseRepository } from '../shared/adapters/dynamodb/case-repository';
import { makeDynamoClients } from '../shared/adapters/dynamodb/client';
import { createTables } from '../shared/adapters/dynamodb/create-tables';
import { daysPartitionOf } from '../shared/adapters/dynamodb/daily-counters';
import { makeRepositories } from '../shared/adapters/dynamodb/repositories';
import { recountFromRaw } from '../shared/domain/counters';
import {
  type Appointment,
  AppointmentSchema,
  ClinicSchema,
  DEFAULT_POLICY,
  type Message,
  MessageSchema,
  type Patient,
  PatientSchema,
} from '../shared/domain/model';
import { fixedClock, toUtcIso } from '../shared/domain/time';
import { prefixedTableNames } from '../shared/tables';
import { clinicMetrics } from '../shared/use-cases/staff/metrics';
import { CapacityMeter } from './capacity-meter';
import { scanPeriod } from './metrics-scan';
import { batchWriteAll, collectingDoc } from './seed';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values: args } = parseArgs({
  options: {
    appointments: { type: 'string', default: '50000' },
    patients: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '5' },
    'scan-runs': { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});
const APPOINTMENTS = Number(args.appointments);
const PATIENTS = Number(args.patients);
const RUNS = Number(args.runs);
const SCAN_RUNS = Number(args['scan-runs']);
const ZONE = 'America/New_York';
const CLINIC = 'bench-clinic';
// 92 local days across the November DST change (92 days and an hour in UTC): the period a
// clinic reads in autumn, which resolvePeriod refused until it counted local days (0f294ef).
const FIRST_DAY = DateTime.fromISO('2026-09-01', { zone: ZONE });
const DAYS = 92;
const NOW = FIRST_DAY.plus({ days: DAYS, hours: 12 });
const CREATED = toUtcIso(FIRST_DAY.minus({ days: 30 }));
/** Batch writes (25 items each) in flight while seeding. */
const WRITES_IN_FLIGHT = 8;

const fmt = (n: number, digits = 1) => n.toFixed(digits);

function seedRecords() {
  const patients: Patient[] = Array.from({ length: PATIENTS }, (_, index) =>
    PatientSchema.parse({
      clinicId: CLINIC,
      patientId: `p-${index}`,
      firstName: 'Sam',
      lastName: 'Bench',
      phone: `+1415${String(5_000_000 + index).padStart(7, '0')}`,
      channels: ['sms'],
      language: 'en',
      ...(index % 97 === 0
        ? {
            optOuts: {
              sms: {
                at: toUtcIso(FIRST_DAY.plus({ days: index % DAYS, hours: 14 })),
                source: 'patient-keyword',
              },
            },
          }
        : {}),
      version: 1,
      createdAt: CREATED,
      updatedAt: CREATED,
    }),
  );
  const appointments: Appointment[] = [];
  const messages: Message[] = [];
  for (let index = 0; index < APPOINTMENTS; index++) {
    const start = FIRST_DAY.plus({ days: index % DAYS, hours: 8 + (index % 9), minutes: (index % 4) * 15 });
    const startAt = toUtcIso(start);
    const reminderAt = toUtcIso(start.minus({ days: 1 }));
    const confirmed = index % 3 !== 0;
    const status = index % 11 === 0 ? 'no-show' : 'completed';
    const appointmentId = `a-${index}`;
    const patientId = `p-${index % PATIENTS}`;
    const reminderId = `${appointmentId}#reminder#1d#v1`;
    appointments.push(
      AppointmentSchema.parse({
        clinicId: CLINIC,
        appointmentId,
        patientId,
        startAt,
        durationMinutes: 30,
        type: 'default',
        status,
        ...(confirmed
          ? {
              confirmation: {
                at: toUtcIso(start.minus({ hours: 20 })),
                via: 'sms',
                messageId: reminderId,
                inboundMessageId: `in-${index}`,
                scheduleVersion: 1,
              },
            }
          : {}),
        version: 1,
        scheduleVersion: 1,
        createdAt: CREATED,
        updatedAt: startAt,
      }),
    );
    messages.push(
      MessageSchema.parse({
        clinicId: CLINIC,
        patientId,
        appointmentId,
        messageId: reminderId,
        kind: 'reminder',
        offset: '1d',
        priority: 'high',
        channel: 'sms',
        language: 'en',
        dueAt: reminderAt,
        plannedAt: reminderAt,
        notAfter: startAt,
        status: 'delivered',
        attempts: 1,
        planVersion: 1,
        rev: 3,
        providerMessageId: `sns-${index}`,
        createdAt: CREATED,
        updatedAt: reminderAt,
        sendingAt: reminderAt,
        finishedAt: toUtcIso(start.minus({ days: 1 }).plus({ seconds: 2 })),
      }),
    );
  }
  return { patients, appointments, messages };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

async function main() {
  // A generous start-up timeout: on a busy build machine the JVM takes minutes to answer.
  const dynamo = await startDynamoDbLocal({ sharedDb: true, timeoutMs: 300_000 });
  try {
    const clients = makeDynamoClients({ endpoint: dynamo.endpoint });
    const meter = new CapacityMeter();
    meter.attach(clients.raw);
    const names = prefixedTableNames(`bench-metrics-${Date.now()}-`);
    await createTables(clients.raw, names);
    const repos = makeRepositories(clients.doc, names);

    const seedStarted = performance.now();
    const { patients, appointments, messages } = seedRecords();
    await repos.clinics.put(
      ClinicSchema.parse({
        clinicId: CLINIC,
        name: 'Bench Family Clinic',
        smsName: 'Bench Clinic',
        timeZone: ZONE,
        country: 'US',
        contactPhone: '+12025550143',
        policy: DEFAULT_POLICY,
        version: 1,
        createdAt: CREATED,
        updatedAt: CREATED,
      }),
      null,
    );
    // The repositories' own items (keys and index attributes as they store them), written in
    // batches of 25 (one PutItem each took 105,000 round trips for the default size).
    const collected = collectingDoc();
    const seedRepos = makeRepositories(collected.doc, names);
    for (const patient of patients) await seedRepos.patients.put(patient, null);
    for (const appointment of appointments) await seedRepos.appointments.put(appointment, null);
    for (const message of messages) await seedRepos.messages.create(message);
    await batchWriteAll(clients.doc, collected.items, WRITES_IN_FLIGHT);
    // The counters as the sites would have left them: one day item per local day.
    const days = recountFromRaw({ messages, appointments, patients }, ZONE);
    for (const [day, counts] of days) {
      const counterNames = Object.keys(counts);
      await clients.doc.send(
        new UpdateCommand({
          TableName: names.messages,
          Key: { pk: daysPartitionOf(CLINIC), sk: day },
          UpdateExpression: `ADD ${counterNames.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(counterNames.map((name, i) => [`#c${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(
            counterNames.map((name, i) => [`:c${i}`, counts[name]]),
          ),
        }),
      );
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const from = FIRST_DAY.toISODate() as string;
    const to = FIRST_DAY.plus({ days: DAYS }).toISODate() as string;
    const period = { from: toUtcIso(FIRST_DAY), to: toUtcIso(FIRST_DAY.plus({ days: DAYS })) };
    const deps = {
      clinics: repos.clinics,
      counters: repos.counters,
      cases: new DynamoCaseRepository(clients.doc, names.inbound),
      clock: fixedClock(toUtcIso(NOW)),
    };

    const counterRuns: number[] = [];
    let counted: Awaited<ReturnType<typeof clinicMetrics>> | undefined;
    for (let run = 0; run < RUNS; run++) {
      const { ms, result } = await meter.during(`counters-${run}`, () =>
        timed(() => clinicMetrics(deps, CLINIC, { from, to })),
      );
      counterRuns.push(ms);
      counted = result;
    }
    const scanRuns: number[] = [];
    let scanned: Awaited<ReturnType<typeof scanPeriod>> | undefined;
    for (let run = 0; run < SCAN_RUNS; run++) {
      const { ms, result } = await meter.during(`scan-${run}`, () =>
        timed(() => scanPeriod(repos, CLINIC, period)),
      );
      scanRuns.push(ms);
      scanned = result;
    }
    if (!counted || !scanned) throw new Error('no run');
    const counterUse = meter.total(['counters-0']);
    const scanUse = meter.total(['scan-0']);
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const agree =
      counted.visits.completed === scanned.completed &&
      counted.visits.noShows.confirmed + counted.visits.noShows.unconfirmed === scanned.noShows;
    const report = {
      appointments: APPOINTMENTS,
      patients: PATIENTS,
      messages: messages.length,
      days: DAYS,
      seedSeconds: Number(fmt(seedSeconds)),
      counters: {
        counterItemsRead: counted.days.counterItemsRead,
        requests: counterUse.requests,
        readUnits: Number(fmt(counterUse.readUnits, 2)),
        medianMs: Number(fmt(median(counterRuns))),
        worstMs: Number(fmt(Math.max(...counterRuns))),
        runs: counterRuns.length,
      },
      scan: {
        requests: scanUse.requests,
        readUnits: Number(fmt(scanUse.readUnits, 2)),
        medianMs: Number(fmt(median(scanRuns))),
        worstMs: Number(fmt(Math.max(...scanRuns))),
        runs: scanRuns.length,
      },
      speedup: Number(fmt(median(scanRuns) / median(counterRuns))),
      agree: {
        completed: [counted.visits.completed, scanned.completed],
        noShows: [counted.visits.noShows, scanned.noShows],
        ok: agree,
      },
      figures: {
        confirmationRate: counted.visits.confirmationRate,
        noShowRate: counted.visits.noShowRate,
        messagesSent: counted.messages.byOutcome.sent,
        weeks: counted.weeks.length,
      },
    };
    console.log(JSON.stringify(report, null, 2));
    console.log(
      `\nmetrics for ${APPOINTMENTS} appointments in ${DAYS} days: counters ${report.counters.counterItemsRead} items, ` +
        `${report.counters.medianMs} ms (median of ${RUNS}); per-request scan ${JSON.stringify(report.scan.requests)}, ` +
        `${report.scan.medianMs} ms (median of ${scanRuns.length}); ${report.speedup}x; figures agree: ${agree}`,
    );
    if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
    if (!agree || counted.days.counterItemsRead > DAYS) process.exitCode = 1;
  } finally {
    await dynamo.stop();
  }
}

await main();
