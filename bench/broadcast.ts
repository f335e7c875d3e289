/**
 * `npm run bench:broadcast` (issue 14, Must show 2): a broadcast to 10,000
 * patients planned in the same minute as a burst of 2,000 visit reminders,
 * through the real handlers (plan-messages from DynamoDB Local's stream,
 * dispatch-due on the minute schedule with the broadcast fan-out after each
 * sweep, send-message from the in-process queue) with the local outbox as
 * the recording sender, on the simulated clock.
 *
 * Prints: the fan-out's wall time, pages and DynamoDB units per recipient
 * (bench/capacity-meter.ts, every request with ReturnConsumedCapacity);
 * whether every high-priority reminder reached the provider before the first
 * broadcast message; the most texts the provider got in any second and the
 * broadcast's own rate against the configured one; units per delivered
 * broadcast message for dispatch and send.
 *
 * Options: --recipients N (default 10000), --reminders N (default 2000),
 *          --sms-rate R (parts a second, default 20), --json FILE.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { PipelineDriver } from '../shared/adapters/local/pipeline-driver';
import { BroadcastSchema, FAN_OUT_LEAD_MINUTES } from '../shared/domain/broadcasts';
import { ClinicSchema, DEFAULT_POLICY, PatientSchema } from '../shared/domain/model';
import { toUtcIso } from '../shared/domain/time';
import { saveAppointment } from '../shared/use-cases/appointments';
import { DEFAULT_FAN_OUT_CONFIG } from '../shared/use-cases/fan-out-broadcasts';
import { fmt, inChunks } from './figures';
import { withBenchPipeline } from './rig';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values: args } = parseArgs({
  options: {
    recipients: { type: 'string', default: '10000' },
    reminders: { type: 'string', default: '2000' },
    'sms-rate': { type: 'string', default: '20' },
    json: { type: 'string' },
  },
});
const RECIPIENTS = Number(args.recipients);
const REMINDERS = Number(args.reminders);
const SMS_RATE = Number(args['sms-rate']);
const CLINIC = 'bench-clinic';
/** Booked at 09:30 New York; the visits at 12:00, so the 2 h reminders are due at 10:00 (15:00 UTC). */
const START = '2026-12-08T14:30:00.000Z';
const SEND_AT = '2026-12-08T15:00:00.000Z';
const VISIT = '2026-12-08T17:00:00.000Z';

async function main() {
  // A generous start-up timeout: on a busy build machine the JVM takes minutes to answer.
  const options = {
    start: START,
    settings: { smsPerSecond: SMS_RATE, emailPerSecond: 14 },
    dynamoTimeoutMs: 300_000,
  };
  await withBenchPipeline(options, async ({ dynamo, meter, clock, repos, outbox, parts }) => {
    // The broadcast's fan-out runs in the sweeps from 14:45 (15 minutes ahead of its send
    // time); nothing is due before 14:59, so those sweeps are the fan-out's cost alone.
    const firstDueSweep = DateTime.fromISO(SEND_AT, { zone: 'utc' }).minus({ minutes: 1 });
    const fanOutSweeps: { at: string; ms: number; pages: number }[] = [];
    // Where the run's wall time goes, by the driver's part (calls and milliseconds).
    const partTimes = new Map<string, { calls: number; ms: number }>();
    const timed =
      <T>(part: string, work: () => Promise<T>) =>
      async (): Promise<T> => {
        const started = performance.now();
        try {
          return await work();
        } finally {
          const entry = partTimes.get(part) ?? { calls: 0, ms: 0 };
          entry.calls += 1;
          entry.ms += performance.now() - started;
          partTimes.set(part, entry);
        }
      };
    const driver = new PipelineDriver({
      ...parts,
      earliestDueAt: timed('earliestDueAt', () => meter.during('driver', parts.earliestDueAt)),
      drainStream: timed('drainStream', () => meter.during('plan', parts.drainStream)),
      deliver: timed('deliver', () => meter.during('send', parts.deliver)),
      sweep: async () => {
        if (clock.now() >= firstDueSweep)
          return timed('sweep', () => meter.during('dispatch', parts.sweep))();
        const started = performance.now();
        const summary = (await meter.during('fan-out', parts.sweep)) as { fanOut?: { pages?: number } };
        const pages = summary.fanOut?.pages ?? 0;
        fanOutSweeps.push({ at: toUtcIso(clock.now()), ms: performance.now() - started, pages });
      },
    });

    // Prepare: one clinic on the shared number; every patient consented to updates, SMS only.
    // Reminders at 2 h only and no booking confirmation, so the burst is the 2,000 reminders;
    // broadcasts may take one part (their text does), as the reminders do.
    const now = toUtcIso(clock.now());
    await repos.clinics.put(
      ClinicSchema.parse({
        clinicId: CLINIC,
        name: 'Benchmark Clinic',
        timeZone: 'America/New_York',
        contactPhone: '+12025550143',
        policy: {
          ...DEFAULT_POLICY,
          reminderOffsets: { default: ['2h'], byType: {} },
          confirmation: { enabled: false, minLeadMinutes: 60 },
          segmentBudget: { exempt: 1, other: 1 },
        },
        version: 1,
        createdAt: now,
        updatedAt: now,
      }),
      null,
    );
    const ids = Array.from({ length: RECIPIENTS }, (_, i) => i);
    await meter.during('setup', () =>
      inChunks(ids, 25, (i) =>
        repos.patients.put(
          PatientSchema.parse({
            clinicId: CLINIC,
            patientId: `p-${String(i).padStart(5, '0')}`,
            firstName: 'Pat',
            phone: '+14155552671',
            channels: ['sms'],
            consent: { updates: { at: now, source: 'written' } },
            version: 1,
            createdAt: now,
            updatedAt: now,
          }),
          null,
        ),
      ),
    );
    const deps = { appointments: repos.appointments, patients: repos.patients, clock };
    await meter.during('setup', () =>
      inChunks(ids.slice(0, REMINDERS), 25, (i) =>
        saveAppointment(
          deps,
          { clinicId: CLINIC, appointmentId: `a-${i}` },
          { patientId: `p-${String(i).padStart(5, '0')}`, startAt: VISIT, durationMinutes: 30 },
          undefined,
        ),
      ),
    );
    await repos.broadcasts.put(
      BroadcastSchema.parse({
        clinicId: CLINIC,
        broadcastId: 'flu-2026',
        text: { en: 'Hi {{firstName}}, flu shots are in at {{clinicName}}. Call {{clinicPhone}} to book.' },
        audience: { topic: 'updates' },
        sendAt: SEND_AT,
        priority: 'medium',
        status: 'scheduled',
        createdBy: 'bench',
        fanOut: { pages: 0 },
        planned: 0,
        sent: 0,
        failed: 0,
        skipped: {},
        version: 1,
        createdAt: now,
        updatedAt: now,
      }),
      null,
    );

    // Act: from 09:30 New York until every text is out (12,000 at the rate, and a margin).
    // The driver skips minutes in which no message is due, but in AWS the sweep runs every
    // minute, and from 14:45 each sweep fans out the broadcast's pages: so those minutes'
    // sweeps are run one by one (without them the whole fan-out fell into the 14:59 sweep
    // and the bench measured none of it as fan-out).
    const runMinutes = Math.ceil((RECIPIENTS + REMINDERS) / (SMS_RATE * 0.8) / 60) + 35;
    const started = performance.now();
    const fanOutFrom = DateTime.fromISO(SEND_AT, { zone: 'utc' }).minus({ minutes: FAN_OUT_LEAD_MINUTES });
    for (let minute = fanOutFrom; minute < firstDueSweep; minute = minute.plus({ minutes: 1 })) {
      await driver.advanceTo(minute);
      await driver.sweepNow();
    }
    await driver.advanceTo(DateTime.fromISO(START, { zone: 'utc' }).plus({ minutes: runMinutes }));
    const wallSeconds = (performance.now() - started) / 1000;

    // Assess, from the provider's side (the outbox, in the order the provider got them).
    const broadcast = await repos.broadcasts.get(CLINIC, 'flu-2026');
    const sms = outbox.entries.filter((entry) => entry.channel === 'sms');
    const isBroadcast = (messageId: string) => messageId.startsWith('~broadcast#');
    const reminders = sms.filter((entry) => entry.messageId.includes('#reminder#'));
    const broadcastSms = sms.filter((entry) => isBroadcast(entry.messageId));
    const firstBroadcast = sms.findIndex((entry) => isBroadcast(entry.messageId));
    const lastReminder = sms.findLastIndex((entry) => entry.messageId.includes('#reminder#'));
    const perSecond = new Map<string, number>();
    for (const entry of sms)
      perSecond.set(entry.at.slice(0, 19), (perSecond.get(entry.at.slice(0, 19)) ?? 0) + 1);
    const seconds = (a: string, b: string) => DateTime.fromISO(b).diff(DateTime.fromISO(a)).as('seconds');
    const broadcastSpan =
      broadcastSms.length > 1 ? seconds(broadcastSms[0]?.at ?? '', broadcastSms.at(-1)?.at ?? '') + 1 : 1;
    const fanOut = meter.total(['fan-out']);
    const planned = broadcast?.planned ?? 0;
    const dispatch = meter.total(['dispatch']);
    const send = meter.total(['send']);
    const delivered = sms.length;
    const results = {
      recipients: RECIPIENTS,
      reminders: REMINDERS,
      smsPartsPerSecond: SMS_RATE,
      broadcast: {
        status: broadcast?.status,
        planned,
        sent: broadcast?.sent,
        skipped: broadcast?.skipped,
        pages: broadcast?.fanOut.pages,
      },
      fanOut: {
        sweeps: fanOutSweeps.filter((sweep) => sweep.pages > 0).length,
        pagesBySweep: fanOutSweeps
          .filter((sweep) => sweep.pages > 0)
          .map((sweep) => `${sweep.at} ${sweep.pages}`),
        pageSize: DEFAULT_FAN_OUT_CONFIG.pageSize,
        maxPagesPerRun: DEFAULT_FAN_OUT_CONFIG.maxPagesPerRun,
        wallSeconds: fanOutSweeps.reduce((total, sweep) => total + sweep.ms, 0) / 1000,
        slowestSweepSeconds: Math.max(0, ...fanOutSweeps.map((sweep) => sweep.ms)) / 1000,
        perRecipient: {
          writeUnits: fanOut.writeUnits / Math.max(1, planned),
          readUnits: fanOut.readUnits / Math.max(1, planned),
          requests: Object.values(fanOut.requests).reduce((a, b) => a + b, 0) / Math.max(1, planned),
        },
        requests: fanOut.requests,
      },
      order: {
        remindersAtProvider: reminders.length,
        broadcastAtProvider: broadcastSms.length,
        everyReminderBeforeFirstBroadcast: firstBroadcast === -1 || lastReminder < firstBroadcast,
        // The provider's order within one second is the order parallel deliveries finished in
        // (SQS delays are whole seconds, and Lambda runs batches side by side): so also by second.
        broadcastTextsBeforeLastReminder: sms
          .slice(0, Math.max(0, lastReminder))
          .filter((entry) => isBroadcast(entry.messageId)).length,
        noBroadcastInAnEarlierSecond:
          firstBroadcast === -1 || (sms[firstBroadcast]?.at ?? '') >= (sms[lastReminder]?.at ?? ''),
        lastReminderAt: reminders.at(-1)?.at,
        firstBroadcastAt: broadcastSms[0]?.at,
        lastBroadcastAt: broadcastSms.at(-1)?.at,
      },
      rate: {
        maxTextsInAnySecond: Math.max(0, ...perSecond.values()),
        broadcastMessagesPerSecond: broadcastSms.length / broadcastSpan,
      },
      perDeliveredText: {
        dispatchWriteUnits: dispatch.writeUnits / Math.max(1, delivered),
        dispatchReadUnits: dispatch.readUnits / Math.max(1, delivered),
        sendWriteUnits: send.writeUnits / Math.max(1, delivered),
        sendReadUnits: send.readUnits / Math.max(1, delivered),
      },
      lostConditionalWrites: meter.total(['fan-out', 'dispatch', 'send']).failedConditions,
      wallSeconds,
      dynamoDbLocalStartMs: dynamo.startMs,
    };

    console.log(`\nbroadcast benchmark (DynamoDB Local ${dynamo.startMs} ms to start)`);
    console.log(
      `${RECIPIENTS} recipients (updates topic) and ${REMINDERS} visit reminders due at the same minute, SMS ${SMS_RATE} parts/s`,
    );
    console.log(
      `broadcast: ${results.broadcast.status}, planned ${planned}, sent ${results.broadcast.sent}, pages ${results.broadcast.pages}`,
    );
    console.log(
      `fan-out: ${fmt(results.fanOut.wallSeconds, 1)} s wall over ${results.fanOut.sweeps} sweeps (slowest ${fmt(results.fanOut.slowestSweepSeconds, 1)} s); per recipient write ${fmt(results.fanOut.perRecipient.writeUnits)} read ${fmt(results.fanOut.perRecipient.readUnits)} requests ${fmt(results.fanOut.perRecipient.requests)}`,
    );
    console.log(
      `  fan-out requests: ${JSON.stringify(fanOut.requests)}; pages by sweep: ${results.fanOut.pagesBySweep.join(', ')}`,
    );
    console.log(
      `order: ${reminders.length} reminders, ${broadcastSms.length} broadcast texts at the provider; every reminder before the first broadcast text: ${results.order.everyReminderBeforeFirstBroadcast} (last reminder ${results.order.lastReminderAt}, first broadcast ${results.order.firstBroadcastAt}); broadcast texts ahead of the last reminder ${results.order.broadcastTextsBeforeLastReminder}; no broadcast in a second before a reminder's: ${results.order.noBroadcastInAnEarlierSecond}`,
    );
    console.log(
      `rate: at most ${results.rate.maxTextsInAnySecond} texts in any second (configured ${SMS_RATE}); broadcast ${fmt(results.rate.broadcastMessagesPerSecond)} texts/s from ${results.order.firstBroadcastAt} to ${results.order.lastBroadcastAt}`,
    );
    console.log(
      `per delivered text: dispatch write ${fmt(results.perDeliveredText.dispatchWriteUnits)} read ${fmt(results.perDeliveredText.dispatchReadUnits)}; send write ${fmt(results.perDeliveredText.sendWriteUnits)} read ${fmt(results.perDeliveredText.sendReadUnits)}; lost conditional writes ${results.lostConditionalWrites}`,
    );
    console.log(`wall: ${fmt(wallSeconds, 1)} s for the whole run`);
    for (const [part, { calls, ms }] of partTimes)
      console.log(`  ${part}: ${calls} calls, ${fmt(ms / 1000, 1)} s`);
    console.log(`  driver requests: ${JSON.stringify(meter.total(['driver']).requests)}`);
    if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
  });
}

await main();
