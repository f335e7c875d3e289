/**
 * `npm run bench:inbound` (issue 12, Must show): 1,000 patients' replies to
 * their booking confirmations, each run through local mode's inbound path
 * (the SQS/SNS record `POST /local/inbound` builds, local/inbound.ts, into
 * the shipped handle-inbound handler composed by its own composition root)
 * on DynamoDB Local, with every answer sent by the shipped send-message
 * handler to a recorded provider, on the simulated clock.
 *
 * Prints, per reply: receipt → state applied (the handler's return: the
 * effect stored and the text recorded, its answer queued) and receipt →
 * auto-reply at the provider call, p50 / p99 / max; and DynamoDB units per
 * reply, reported apart: applying it (handle-inbound's own writes and the
 * replanning its change starts) and its auto-reply's lifecycle (the answer's
 * message created and claimed with its immediate-send slot, then sent).
 *
 * Time: the simulated clock carries what AWS makes a reply wait (the SQS
 * delay to its number's kept part); the wall clock carries the work (the
 * handle-inbound call, then the queue's delivery up to the provider call).
 * A reply's latency is the sum: handler wall + simulated wait + sender
 * wall. The replanning its change starts runs in plan-messages, beside it,
 * and is not on the path. SQS's own hand-over (tens of ms) is not modelled.
 *
 * Options: --replies N (default 1000), --every S (seconds between replies,
 * default 1), --number-rate R (parts a second of the clinic's number,
 * default 20 as in local mode), --json FILE.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Context } from 'aws-lambda';
import { DateTime } from 'luxon';
import { inboundEvent } from '../local/inbound';
import { DEMO_CLINIC_IDENTITY } from '../local/runtime';
import type { SimulatedClock } from '../shared/adapters/clock';
import { SEND_NOW_PARTITION } from '../shared/adapters/dynamodb/send-now-budget';
import type { LocalOutbox } from '../shared/adapters/local/local-outbox';
import { PipelineDriver } from '../shared/adapters/local/pipeline-driver';
import { ClinicSchema, DEFAULT_POLICY, PatientSchema } from '../shared/domain/model';
import { toUtcIso } from '../shared/domain/time';
import { saveAppointment } from '../shared/use-cases/appointments';
import { KEYWORD_REPLY_ID_PREFIX } from '../shared/use-cases/queue-auto-reply';
import { CapacityMeter, type PhaseSplit } from './capacity-meter';
import { fmt, inChunks, percentile } from './figures';
import { withBenchPipeline } from './rig';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values: args } = parseArgs({
  options: {
    replies: { type: 'string', default: '1000' },
    every: { type: 'string', default: '1' },
    'number-rate': { type: 'string', default: '20' },
    json: { type: 'string' },
  },
});
const REPLIES = Number(args.replies);
const EVERY_SECONDS = Number(args.every);
const NUMBER_RATE = Number(args['number-rate']);
const CLINIC_ID = 'bench-clinic';
const START = '2026-12-01T15:00:00.000Z'; // Tuesday 10:00 in New York
const VISIT = '2026-12-08T15:00:00.000Z';
/** The replies start once every confirmation has gone (1,000 at 20 parts/s take under two minutes). */
const REPLIES_FROM = '2026-12-01T15:30:00.000Z';

/** What patients answer, in turn: mostly C, as after a reminder; each answer kind is a different write. */
const MIX = [
  { body: 'C', intent: 'confirm' },
  { body: 'yes', intent: 'confirm' },
  { body: 'C', intent: 'confirm' },
  { body: 'Confirm', intent: 'confirm' },
  { body: 'C', intent: 'confirm' },
  { body: 'R', intent: 'reschedule' },
  { body: 'HELP', intent: 'help' },
  { body: 'Is there parking near the clinic?', intent: 'free text' },
  { body: 'STOP', intent: 'opt-out' },
  { body: 'C', intent: 'confirm' },
] as const;

const PHASE = {
  apply: 'apply',
  replan: 'replan',
  reply: 'auto-reply',
  /** The sweep's claim of an answer that found no kept part (nothing else is due meanwhile). */
  dispatch: 'dispatch',
  send: 'send',
} as const;
/** The suffix of the phase that holds the daily counters' writes of a phase. */
const COUNTS = ':counts';
const withCounts = (phases: string[]) => phases.flatMap((phase) => [phase, `${phase}${COUNTS}`]);

/** A key attribute as the document client or the raw client holds it. */
function keyPart(value: unknown): string {
  if (typeof value === 'string') return value;
  const s = (value as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : '';
}

/** Where the daily counters live (the messages table): their day items and their event markers. */
const isCounterKey = (pk: string) => pk.endsWith('#~days') || pk.endsWith('#~counted');

/**
 * handle-inbound applies a text and queues its answer in one call: the
 * answer's writes (its keyword-reply message and the immediate-send slot
 * cursor) belong to the answer's lifecycle, every other write to applying.
 * The daily counters' transactions (issue 13: marker and day item) go to a
 * phase of their own beside the phase they ran in, so that the figures can
 * be given both ways: with the counts, and without them as the pipeline's
 * "6 write units a message" is (docs/architecture.md, "Daily counters", Cost).
 */
const splitAnswerWrites: PhaseSplit = (phase, command, input) => {
  if (command.startsWith('TransactWrite')) {
    const items = (input.TransactItems ?? []) as Record<string, { Key?: Record<string, unknown> }>[];
    const keys = items.map((item) => Object.values(item)[0]?.Key);
    if (keys.length > 0 && keys.every((key) => isCounterKey(keyPart(key?.pk)))) return `${phase}${COUNTS}`;
    return undefined;
  }
  if (phase !== PHASE.apply || !/Put|Update|Delete|Write/.test(command)) return undefined;
  const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  const pk = keyPart(key?.pk);
  const sk = keyPart(key?.sk);
  return pk === SEND_NOW_PARTITION || sk.startsWith(KEYWORD_REPLY_ID_PREFIX) ? PHASE.reply : undefined;
};

async function main() {
  // The provider call of each answer: the simulated instant, and the wall time since the queue began
  // the delivery that sent it (the sender's own work, whatever else the run did while it waited).
  const providerCalls = new Map<string, { sendMs: number; at: DateTime }>();
  let deliveryStarted = 0;
  const timedSms = (outbox: LocalOutbox, clock: SimulatedClock) => ({
    send: (request: Parameters<LocalOutbox['sms']['send']>[0]) => {
      if (request.messageId.startsWith(KEYWORD_REPLY_ID_PREFIX))
        providerCalls.set(request.messageId, {
          sendMs: performance.now() - deliveryStarted,
          at: clock.now(),
        });
      return outbox.sms.send(request);
    },
  });
  // As local mode composes it (local/runtime.ts): the clinic texts from its own two-way number.
  const settings = {
    smsPerSecond: 20,
    emailPerSecond: 14,
    ownNumbers: new Map([[CLINIC_ID, NUMBER_RATE]]),
    inboundNumbers: new Map([[DEMO_CLINIC_IDENTITY.number, CLINIC_ID]]),
  };
  const options = {
    start: START,
    settings,
    meter: new CapacityMeter(splitAnswerWrites),
    queueConcurrency: 4,
    sms: timedSms,
  };
  await withBenchPipeline(options, async ({ dynamo, meter, clock, repos, outbox, handlers, parts }) => {
    // Setup sends the confirmations; from the first reply on, what the stream plans is the reply's
    // replanning and what the queue sends is its answer.
    let replying = false;
    const driver = new PipelineDriver({
      ...parts,
      drainStream: () => (replying ? meter.during(PHASE.replan, parts.drainStream) : parts.drainStream()),
      sweep: () => (replying ? meter.during(PHASE.dispatch, parts.sweep) : parts.sweep()),
      deliver: () => {
        deliveryStarted = performance.now();
        return replying ? meter.during(PHASE.send, parts.deliver) : parts.deliver();
      },
    });

    // Prepare: one clinic on its own number, one patient per reply with a number of their own
    // (the hourly cap is per number) and a visit in a week, whose booking confirmation is sent.
    const now = toUtcIso(clock.now());
    await repos.clinics.put(
      ClinicSchema.parse({
        clinicId: CLINIC_ID,
        name: 'Benchmark Clinic',
        timeZone: 'America/New_York',
        country: 'US',
        contactPhone: '+12025550143',
        // Confirmations only: nothing else is due while the replies come in.
        policy: { ...DEFAULT_POLICY, reminderOffsets: { default: [], byType: {} } },
        originationIdentity: { ...DEMO_CLINIC_IDENTITY, partsPerSecond: NUMBER_RATE },
        version: 1,
        createdAt: now,
        updatedAt: now,
      }),
      null,
    );
    const ids = Array.from({ length: REPLIES }, (_, i) => i);
    const phoneOf = (i: number) => `+1415555${String(i).padStart(4, '0')}`;
    await inChunks(ids, 25, (i) =>
      repos.patients.put(
        PatientSchema.parse({
          clinicId: CLINIC_ID,
          patientId: `p-${i}`,
          firstName: 'Pat',
          phone: phoneOf(i),
          channels: ['sms'],
          version: 1,
          createdAt: now,
          updatedAt: now,
        }),
        null,
      ),
    );
    const deps = { appointments: repos.appointments, patients: repos.patients, clock };
    await inChunks(ids, 25, (i) =>
      saveAppointment(
        deps,
        { clinicId: CLINIC_ID, appointmentId: `a-${i}` },
        { patientId: `p-${i}`, startAt: VISIT, durationMinutes: 30, location: 'Room 1' },
        undefined,
      ),
    );
    await driver.advanceTo(DateTime.fromISO(REPLIES_FROM, { zone: 'utc' }));
    const confirmationsSent = outbox.entries.length;

    // Act: one reply every EVERY_SECONDS, each through the inbound handler, then the clock runs
    // on to the next reply, delivering each answer when its SQS delay ends.
    replying = true;
    const context = {} as Context;
    const replies: {
      i: number;
      inboundMessageId: string;
      receivedAt: DateTime;
      t0: number;
      applied: number;
    }[] = [];
    // Applying a reply is done by the time the next one comes (its replanning drains at once); its
    // answer may go later (a kept part ahead, or the sweep), so answers are not split by intent.
    const byIntent = new Map<string, { replies: number; apply: number }>();
    const units = (phases: string[]) => meter.total(phases).writeUnits;
    const started = performance.now();
    for (const i of ids) {
      const intent = MIX[i % MIX.length]?.intent ?? 'confirm';
      const before = units(withCounts([PHASE.apply, PHASE.replan]));
      const receivedAt = clock.now();
      const inboundMessageId = `bench-in-${i}`;
      const event = inboundEvent({
        from: phoneOf(i),
        to: DEMO_CLINIC_IDENTITY.number,
        body: MIX[i % MIX.length]?.body ?? 'C',
        inboundMessageId,
        at: toUtcIso(receivedAt),
      });
      const t0 = performance.now();
      const { batchItemFailures } = await meter.during(PHASE.apply, () => handlers.inbound(event, context));
      const applied = performance.now();
      if (batchItemFailures.length > 0) throw new Error(`reply ${inboundMessageId} failed`);
      replies.push({ i, inboundMessageId, receivedAt, t0, applied });
      await driver.advanceTo(receivedAt.plus({ seconds: EVERY_SECONDS }));
      const sum = byIntent.get(intent) ?? { replies: 0, apply: 0 };
      sum.replies += 1;
      sum.apply += units(withCounts([PHASE.apply, PHASE.replan])) - before;
      byIntent.set(intent, sum);
    }
    await driver.advanceTo(clock.now().plus({ minutes: 5 }));
    const wallSeconds = (performance.now() - started) / 1000;
    replying = false;

    // Assess: the stored records and answers (not metered).
    const appliedMs: number[] = [];
    const providerMs: number[] = [];
    const waitedMs: number[] = [];
    let unanswered = 0;
    const outcomes: Record<string, number> = {};
    for (const reply of replies) {
      appliedMs.push(reply.applied - reply.t0);
      const stored = await repos.messages.get({
        clinicId: CLINIC_ID,
        patientId: `p-${reply.i}`,
        messageId: `${KEYWORD_REPLY_ID_PREFIX}${reply.inboundMessageId}`,
      });
      const status = stored ? `${stored.status}${stored.reason ? ` ${stored.reason}` : ''}` : 'none';
      outcomes[status] = (outcomes[status] ?? 0) + 1;
      const call = providerCalls.get(`${KEYWORD_REPLY_ID_PREFIX}${reply.inboundMessageId}`);
      if (!call) {
        unanswered += 1;
        continue;
      }
      const waited = call.at.diff(reply.receivedAt).as('milliseconds');
      waitedMs.push(waited);
      // The handler's work, the wait AWS imposes (simulated), the sender's work.
      providerMs.push(reply.applied - reply.t0 + waited + call.sendMs);
    }
    appliedMs.sort((a, b) => a - b);
    providerMs.sort((a, b) => a - b);
    waitedMs.sort((a, b) => a - b);
    const per = (phases: string[]) => {
      const usage = meter.total(phases);
      return { writeUnits: usage.writeUnits / REPLIES, readUnits: usage.readUnits / REPLIES, usage };
    };
    const applyingPhases = [PHASE.apply, PHASE.replan];
    const answeringPhases = [PHASE.reply, PHASE.dispatch, PHASE.send];
    const counts = (phases: string[]) =>
      meter.total(phases.map((phase) => `${phase}${COUNTS}`)).writeUnits / REPLIES;
    const applying = per(withCounts(applyingPhases));
    const answering = per(withCounts(answeringPhases));
    const results = {
      replies: REPLIES,
      everySeconds: EVERY_SECONDS,
      numberPartsPerSecond: NUMBER_RATE,
      confirmationsSentBefore: confirmationsSent,
      answers: outcomes,
      unanswered,
      receiptToAppliedMs: {
        p50: percentile(appliedMs, 50),
        p99: percentile(appliedMs, 99),
        max: appliedMs.at(-1) ?? 0,
      },
      receiptToProviderMs: {
        p50: percentile(providerMs, 50),
        p99: percentile(providerMs, 99),
        max: providerMs.at(-1) ?? 0,
      },
      queueWaitMs: {
        p50: percentile(waitedMs, 50),
        p99: percentile(waitedMs, 99),
        max: waitedMs.at(-1) ?? 0,
      },
      perReply: {
        applying: {
          writeUnits: applying.writeUnits,
          /** The goal's figure: without the daily counts, as the pipeline's per-message goal is. */
          withoutCounts: applying.writeUnits - counts(applyingPhases),
          counts: counts(applyingPhases),
          readUnits: applying.readUnits,
          handleInbound: meter.total([PHASE.apply]).writeUnits / REPLIES,
          replan: meter.total([PHASE.replan]).writeUnits / REPLIES,
        },
        autoReplyLifecycle: {
          writeUnits: answering.writeUnits,
          withoutCounts: answering.writeUnits - counts(answeringPhases),
          counts: counts(answeringPhases),
          readUnits: answering.readUnits,
          createAndClaim: meter.total([PHASE.reply]).writeUnits / REPLIES,
          sweepClaim: meter.total([PHASE.dispatch]).writeUnits / REPLIES,
          send: meter.total([PHASE.send]).writeUnits / REPLIES,
        },
      },
      writeUnitsByIntent: Object.fromEntries(
        [...byIntent].map(([intent, sum]) => [
          intent,
          { replies: sum.replies, applying: sum.apply / sum.replies },
        ]),
      ),
      requests: {
        apply: meter.total([PHASE.apply]).requests,
        replan: meter.total([PHASE.replan]).requests,
        autoReply: meter.total([PHASE.reply]).requests,
        dispatch: meter.total([PHASE.dispatch]).requests,
        send: meter.total([PHASE.send]).requests,
        counts: meter.total([...applyingPhases, ...answeringPhases].map((phase) => `${phase}${COUNTS}`))
          .requests,
      },
      failedConditions: meter.total(withCounts([...applyingPhases, ...answeringPhases])).failedConditions,
      wallSeconds,
      dynamoDbLocalStartMs: dynamo.startMs,
    };

    const goal = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const ms = (figures: { p50: number; p99: number; max: number }) =>
      `p50 ${fmt(figures.p50, 1)} ms, p99 ${fmt(figures.p99, 1)} ms, max ${fmt(figures.max, 1)} ms`;
    console.log(`\nclinic-reminders inbound benchmark (DynamoDB Local ${dynamo.startMs} ms to start)`);
    console.log(
      `${REPLIES} replies, one every ${EVERY_SECONDS} s, each from its own number to the clinic's number (${NUMBER_RATE} parts/s); ${confirmationsSent} confirmations sent before`,
    );
    console.log(`mix: ${MIX.map((m) => m.intent).join(', ')} (in turn)`);
    console.log(
      `answers: ${Object.entries(outcomes)
        .map(([status, count]) => `${status} ${count}`)
        .join(', ')}; no provider call: ${unanswered}`,
    );
    console.log(`receipt → state applied (handler returned): ${ms(results.receiptToAppliedMs)}`);
    console.log(
      `receipt → auto-reply at the provider call: ${ms(results.receiptToProviderMs)} (goal p99 ≤ 5 s: ${goal(results.receiptToProviderMs.p99 <= 5000 && unanswered === 0)})`,
    );
    console.log(`  of which waiting for the number's kept part (SQS delay): ${ms(results.queueWaitMs)}`);
    const { applying: a, autoReplyLifecycle: r } = results.perReply;
    console.log(
      'DynamoDB units per reply (the goals without the daily counts, as for any message: docs/architecture.md, "Daily counters"):',
    );
    console.log(
      `  applying it: write ${fmt(a.withoutCounts)} (handle-inbound ${fmt(a.handleInbound)}, replanning ${fmt(a.replan)}; goal ≤ 4: ${goal(a.withoutCounts <= 4)}), read ${fmt(a.readUnits)}`,
    );
    console.log(
      `    with the daily counts: write ${fmt(a.writeUnits)} (counts ${fmt(a.counts)}; AWS bills a transaction's item twice: ${fmt(a.writeUnits + a.counts)})`,
    );
    console.log(
      `  its auto-reply's lifecycle: write ${fmt(r.withoutCounts)} (create and claim ${fmt(r.createAndClaim)}, sweep's claim ${fmt(r.sweepClaim)}, send ${fmt(r.send)}; goal ≤ 6: ${goal(r.withoutCounts <= 6)}), read ${fmt(r.readUnits)}`,
    );
    console.log(
      `    with the daily counts: write ${fmt(r.writeUnits)} (counts ${fmt(r.counts)}; AWS bills a transaction's item twice: ${fmt(r.writeUnits + r.counts)})`,
    );
    for (const [intent, figures] of Object.entries(results.writeUnitsByIntent))
      console.log(
        `    applying, ${intent.padEnd(10)} (${figures.replies}): write ${fmt(figures.applying)} with its counts`,
      );
    for (const [phase, requests] of Object.entries(results.requests))
      console.log(
        `  requests ${phase.padEnd(9)} ${Object.entries(requests)
          .map(([command, count]) => `${command} ${fmt(count / REPLIES, 2)}`)
          .join(', ')}`,
      );
    console.log(`lost conditional writes: ${results.failedConditions}; ${fmt(wallSeconds, 1)} s wall`);
    if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
  });
}

await main();
