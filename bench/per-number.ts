/**
 * `npm run bench -- --clinics 10 --per-number-rate 3` (issue 19): a group
 * of clinics, each on a number of its own, each booking a burst of
 * appointments at the same second, through the real handlers on DynamoDB
 * Local with the local outbox, on the simulated clock. Each booking's
 * confirmation is due at once, so every clinic has `--burst` texts due in
 * the same second: the planner sends what its number keeps for immediate
 * sends, the sweep paces the rest.
 *
 * Prints the highest parts a second any number carried in any second (from
 * the provider-call instants of the simulated clock), the total throughput
 * in parts a second, lag p50/p99 per clinic, and the due-index read units a
 * sweep costs an active and an idle number (`--idle-clinics` more clinics
 * with numbers of their own and nothing due).
 */
import { writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import type { makeDynamoClients } from '../shared/adapters/dynamodb/client';
import { PipelineDriver } from '../shared/adapters/local/pipeline-driver';
import { ClinicSchema, DEFAULT_POLICY, type Message, PatientSchema } from '../shared/domain/model';
import { countSegments } from '../shared/domain/templates/segments';
import { toUtcIso } from '../shared/domain/time';
import { INDEX } from '../shared/tables';
import { saveAppointment } from '../shared/use-cases/appointments';
import { fmt, inChunks, percentile } from './figures';
import { storedMessages, withBenchPipeline } from './rig';

export interface PerNumberOptions {
  clinics: number;
  perNumberRate: number;
  burst: number;
  idleClinics: number;
  json?: string | undefined;
}

const START = '2026-12-01T15:00:00.000Z'; // Tuesday 10:00 in New York
const VISIT = '2026-12-08T15:00:00.000Z';
/** Long enough for the slowest number to send its burst at 90 % of its rate, and a margin. */
const runMinutes = (options: PerNumberOptions) =>
  Math.ceil(options.burst / (options.perNumberRate * 0.9) / 60) + 5;

/** The lane a due-index partition belongs to: `sms@<clinicId>#<rank>` → the clinic id; else its channel. */
function laneOfPartition(partition: string): string {
  return partition.startsWith('sms@')
    ? partition.slice(4, partition.lastIndexOf('#'))
    : (partition.split('#')[0] ?? '');
}

/**
 * Read units of the due-index queries by lane, and how many queries, so the
 * idle cost can be priced at what DynamoDB bills an empty query (DynamoDB
 * Local reports 0 for those).
 */
class DueReads {
  readonly units = new Map<string, number>();
  readonly queries = new Map<string, number>();
  active = false;

  attach(client: ReturnType<typeof makeDynamoClients>['raw']): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const input = args.input as {
          IndexName?: string;
          ExpressionAttributeValues?: Record<string, string | { S?: string }>;
        };
        if (this.active && input.IndexName === INDEX.messagesDue) {
          const shard = input.ExpressionAttributeValues?.[':shard'];
          const lane = laneOfPartition(typeof shard === 'string' ? shard : (shard?.S ?? ''));
          const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
          this.units.set(lane, (this.units.get(lane) ?? 0) + (output.ConsumedCapacity?.CapacityUnits ?? 0));
          this.queries.set(lane, (this.queries.get(lane) ?? 0) + 1);
        }
        return result;
      },
      { step: 'initialize', name: 'dueReads' },
    );
  }
}

/**
 * Runs the per-number benchmark and prints its figures.
 *
 * @param options - clinics, their numbers' rate, the burst per clinic, idle clinics, JSON output
 */
export async function runPerNumberBench(options: PerNumberOptions): Promise<void> {
  const active = Array.from({ length: options.clinics }, (_, i) => `clinic-${String(i).padStart(2, '0')}`);
  const idle = Array.from({ length: options.idleClinics }, (_, i) => `idle-${String(i).padStart(2, '0')}`);
  const ownNumbers = new Map([...active, ...idle].map((clinicId) => [clinicId, options.perNumberRate]));
  const settings = { smsPerSecond: 20, emailPerSecond: 14, ownNumbers };
  await withBenchPipeline(
    { start: START, settings },
    async ({ dynamo, clients, meter, names, clock, repos, outbox, parts }) => {
      const dueReads = new DueReads();
      dueReads.attach(clients.raw);
      let sweeps = 0;
      const driver = new PipelineDriver({
        ...parts,
        drainStream: () => meter.during('plan', parts.drainStream),
        sweep: async () => {
          sweeps += 1;
          dueReads.active = true;
          try {
            await meter.during('dispatch', parts.sweep);
          } finally {
            dueReads.active = false;
          }
        },
        deliver: () => meter.during('send', parts.deliver),
      });

      // Prepare: each clinic on a toll-free number of its own, a patient per booking.
      const now = toUtcIso(clock.now());
      await Promise.all(
        [...active, ...idle].map((clinicId, n) =>
          repos.clinics.put(
            ClinicSchema.parse({
              clinicId,
              name: `Clinic ${n}`,
              timeZone: 'America/New_York',
              contactPhone: '+12025550143',
              // Confirmations only: the burst is what each booking sends at once.
              policy: { ...DEFAULT_POLICY, reminderOffsets: { default: [], byType: {} } },
              originationIdentity: {
                id: `phone-${String(n + 1).padStart(32, '0')}`,
                number: `+1888555${String(n + 1).padStart(4, '0')}`,
                numberType: 'toll-free',
                partsPerSecond: options.perNumberRate,
              },
              version: 1,
              createdAt: now,
              updatedAt: now,
            }),
            null,
          ),
        ),
      );
      const bookings = active.flatMap((clinicId) =>
        Array.from({ length: options.burst }, (_, i) => ({ clinicId, i })),
      );
      await inChunks(bookings, 50, ({ clinicId, i }) =>
        repos.patients.put(
          PatientSchema.parse({
            clinicId,
            patientId: `p-${i}`,
            firstName: 'Pat',
            phone: '+14155552671',
            channels: ['sms'],
            version: 1,
            createdAt: now,
            updatedAt: now,
          }),
          null,
        ),
      );
      // Every clinic books its burst in the same second: the confirmations are all due then.
      const deps = { appointments: repos.appointments, patients: repos.patients, clock };
      await meter.during('appointments', () =>
        inChunks(bookings, 50, ({ clinicId, i }) =>
          saveAppointment(
            deps,
            { clinicId, appointmentId: `a-${i}` },
            { patientId: `p-${i}`, startAt: VISIT, durationMinutes: 30, location: 'Room 1' },
            undefined,
          ),
        ),
      );

      // Act: plan, send at once what the numbers keep, sweep the rest, on the simulated clock.
      const started = performance.now();
      const end = DateTime.fromISO(START, { zone: 'utc' }).plus({ minutes: runMinutes(options) });
      await driver.advanceTo(end);
      const wallSeconds = (performance.now() - started) / 1000;

      // Assess, from the stored items and the provider calls (not metered).
      const messages = (await storedMessages({ clients, names })).filter(
        (item) => item.kind === 'confirmation',
      );
      const sent = messages.filter((m) => m.status === 'sent');
      const calls = outbox.entries.filter((entry) => entry.channel === 'sms');
      const startSecond = Math.floor(DateTime.fromISO(START).toSeconds());
      const perNumberSecond = new Map<string, Map<number, number>>();
      let totalParts = 0;
      let lastSecond = startSecond;
      for (const call of calls) {
        const second = Math.floor(DateTime.fromISO(call.at).toSeconds());
        const parts = countSegments(call.text).segments;
        const seconds = perNumberSecond.get(call.clinicId) ?? new Map<number, number>();
        seconds.set(second, (seconds.get(second) ?? 0) + parts);
        perNumberSecond.set(call.clinicId, seconds);
        totalParts += parts;
        lastSecond = Math.max(lastSecond, second);
      }
      let highest = { rate: 0, clinicId: '', at: '' };
      for (const [clinicId, seconds] of perNumberSecond)
        for (const [second, parts] of seconds)
          if (parts > highest.rate)
            highest = { rate: parts, clinicId, at: toUtcIso(DateTime.fromSeconds(second, { zone: 'utc' })) };
      const spanSeconds = lastSecond - startSecond + 1;
      const lagOf = (m: Message) =>
        DateTime.fromISO(m.finishedAt ?? m.updatedAt)
          .diff(DateTime.fromISO(m.dueAt))
          .as('seconds');
      const perClinic = active.map((clinicId) => {
        const lags = sent
          .filter((m) => m.clinicId === clinicId)
          .map(lagOf)
          .sort((a, b) => a - b);
        return { clinicId, sent: lags.length, p50: percentile(lags, 50), p99: percentile(lags, 99) };
      });
      // Due-index reads a sweep, per number: measured (DynamoDB Local), and what DynamoDB bills at least
      // (0.5 read units for each eventually consistent query, empty or not).
      const readsPerSweep = (lanes: string[]) => {
        const units = lanes.reduce((sum, lane) => sum + (dueReads.units.get(lane) ?? 0), 0);
        const queries = lanes.reduce((sum, lane) => sum + (dueReads.queries.get(lane) ?? 0), 0);
        const perSweep = (value: number) => value / Math.max(1, sweeps) / Math.max(1, lanes.length);
        return {
          measured: perSweep(units),
          queries: perSweep(queries),
          billedMinimum: perSweep(queries) * 0.5,
        };
      };
      const results = {
        clinics: options.clinics,
        idleClinics: options.idleClinics,
        perNumberRate: options.perNumberRate,
        burstPerClinic: options.burst,
        confirmations: messages.length,
        sent: sent.length,
        notSent: messages.length - sent.length,
        highestRate: highest,
        totalThroughput: totalParts / spanSeconds,
        totalParts,
        spanSeconds,
        lagSecondsPerClinic: perClinic,
        sweeps,
        dueIndexReadsPerSweep: { active: readsPerSweep(active), idle: readsPerSweep(idle) },
        dispatchReadUnitsPerSweep: meter.total(['dispatch']).readUnits / Math.max(1, sweeps),
        writeUnitsPerConfirmation:
          meter.total(['plan', 'dispatch', 'send']).writeUnits / Math.max(1, sent.length),
        wallSeconds,
        dynamoDbLocalStartMs: dynamo.startMs,
      };

      const goal = (ok: boolean) => (ok ? 'met' : 'NOT met');
      console.log(`\nclinic-reminders per-number benchmark (DynamoDB Local ${dynamo.startMs} ms to start)`);
      console.log(
        `${options.clinics} clinics, each its own number at ${options.perNumberRate} parts/s, each ${options.burst} SMS due at ${START}; ${options.idleClinics} idle clinics with numbers of their own`,
      );
      console.log(
        `confirmations ${messages.length}, sent ${sent.length}, not sent ${results.notSent}; ${sweeps} sweeps over ${runMinutes(options)} simulated minutes, ${fmt(wallSeconds, 1)} s wall`,
      );
      console.log(
        `highest rate on any number in any second: ${highest.rate} parts/s (${highest.clinicId} at ${highest.at}; goal ≤ ${options.perNumberRate}: ${goal(highest.rate <= options.perNumberRate)})`,
      );
      const sum = options.clinics * options.perNumberRate;
      console.log(
        `total throughput: ${fmt(results.totalThroughput)} parts/s (${totalParts} parts in ${spanSeconds} s; goal ≥ ${fmt(sum * 0.9, 1)}, 90 % of ${sum}: ${goal(results.totalThroughput >= sum * 0.9 - 1e-9)})`,
      );
      console.log('lag (sent − due) per clinic:');
      for (const clinic of perClinic)
        console.log(
          `  ${clinic.clinicId}  sent ${clinic.sent}  p50 ${fmt(clinic.p50, 1)} s  p99 ${fmt(clinic.p99, 1)} s`,
        );
      const { active: a, idle: i } = results.dueIndexReadsPerSweep;
      console.log(
        `due-index read units per sweep per number: active ${fmt(a.measured)} (${fmt(a.queries, 1)} queries), idle ${fmt(i.measured)} measured (${fmt(i.queries, 1)} queries: at DynamoDB's 0.5-unit minimum ${fmt(i.billedMinimum)})`,
      );
      console.log(
        `dispatch read units per sweep in all: ${fmt(results.dispatchReadUnitsPerSweep)}; write units per sent confirmation (plan + dispatch + send): ${fmt(results.writeUnitsPerConfirmation)}`,
      );
      if (options.json) writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
    },
  );
}
