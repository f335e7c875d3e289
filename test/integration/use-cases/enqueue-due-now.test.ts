import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../shared/adapters/clock';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import { DynamoSendNowBudget } from '../../../shared/adapters/dynamodb/send-now-budget';
import { DynamoThrottleLog } from '../../../shared/adapters/dynamodb/throttle-log';
import { CapturingLogger, RecordingTelemetry } from '../../../shared/adapters/local/recorders';
import type { Message } from '../../../shared/domain/model';
import { toUtcIso } from '../../../shared/domain/time';
import type { QueuedSend, SendQueue } from '../../../shared/ports/outbound';
import { MessageTransitionError } from '../../../shared/ports/repositories';
import { ClinicCache } from '../../../shared/use-cases/clinic-cache';
import { dispatchDue } from '../../../shared/use-cases/dispatch-due';
import { createAndEnqueueDueNow, type SendNowDeps } from '../../../shared/use-cases/enqueue-due-now';
import { makeMessage } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
const NOW = DateTime.fromISO('2026-12-02T10:15:30Z', { zone: 'utc' });

/** A send queue that keeps what it is given, refusing the entries `refuse` names. */
class KeepingQueue implements SendQueue {
  readonly sent: QueuedSend[] = [];
  constructor(private readonly refuse: (item: QueuedSend) => boolean = () => false) {}
  async enqueue(items: readonly QueuedSend[]) {
    const failed: number[] = [];
    for (const [index, item] of items.entries()) {
      if (this.refuse(item)) failed.push(index);
      else this.sent.push(item);
    }
    return { failed };
  }
}

/** Immediate-send settings as the planner gets them: one part in ten kept, a minute ahead. */
function sendNowConfig(overrides: Partial<SendNowDeps['config']> = {}): SendNowDeps['config'] {
  return { perSecond: { sms: 1, email: 1 }, every: 10, windowSeconds: 60, leaseMinutes: 15, ...overrides };
}

/** Each test's clock starts a minute of its own, so that tests never share a minute's budget. */
let minutes = 0;

function deps(overrides: { queue?: KeepingQueue; config?: SendNowDeps['config'] } = {}) {
  const repos = makeRepositories(tables.clients.doc, tables.names);
  let tokens = 0;
  return {
    messages: repos.messages,
    queue: new KeepingQueue(),
    budget: new DynamoSendNowBudget(tables.clients.doc, tables.names.messages),
    clock: new SimulatedClock(NOW.plus({ minutes: 10 * minutes++ })),
    logger: new CapturingLogger(),
    telemetry: new RecordingTelemetry(),
    config: sendNowConfig({ perSecond: { sms: 1, email: 1 } }),
    newToken: () => `token-${++tokens}`,
    ...overrides,
  } satisfies SendNowDeps;
}

/** A confirmation of patient `patientId`, planned for now. */
function confirmation(patientId: string, overrides: Partial<Message> = {}): Message {
  return makeMessage({
    patientId,
    appointmentId: `a-${patientId}`,
    messageId: `a-${patientId}#confirmation#v1`,
    kind: 'confirmation',
    offset: undefined,
    dueAt: toUtcIso(NOW),
    plannedAt: toUtcIso(NOW),
    notAfter: toUtcIso(NOW.plus({ days: 2 })),
    createdAt: toUtcIso(NOW),
    updatedAt: toUtcIso(NOW),
    ...overrides,
  });
}

const keyOf = (message: Message) => ({
  clinicId: message.clinicId,
  patientId: message.patientId,
  messageId: message.messageId,
});

describe('createAndEnqueueDueNow', () => {
  it('stores a message due now claimed and queues it with no delay, the token in the queue entry', async () => {
    // Prepare
    const d = deps();
    const message = confirmation('p-at-once');

    // Act
    const summary = await createAndEnqueueDueNow(d, [message]);

    // Assess
    expect(summary).toEqual({ created: [true], enqueued: 1, leftForSweep: 0, requeued: 0 });
    const stored = await d.messages.get(keyOf(message));
    expect(stored).toMatchObject({
      status: 'queued',
      claimToken: 'token-1',
      queuedAt: toUtcIso(d.clock.now()),
      leaseUntil: toUtcIso(d.clock.now().plus({ minutes: 15 })),
    });
    expect(d.queue.sent).toEqual([{ request: { ...keyOf(message), token: 'token-1' }, delaySeconds: 0 }]);
  });

  it('leaves what is not due yet, and what is not high priority, pending for the sweep', async () => {
    // Prepare: a reminder due in an hour and a survey due now.
    const d = deps();
    const later = confirmation('p-later', { dueAt: toUtcIso(d.clock.now().plus({ hours: 1 })) });
    const survey = confirmation('p-survey', {
      messageId: 'a-p-survey#survey#v1',
      kind: 'survey',
      priority: 'medium',
    });

    // Act
    const summary = await createAndEnqueueDueNow(d, [later, survey]);

    // Assess
    expect(summary).toEqual({ created: [true, true], enqueued: 0, leftForSweep: 0, requeued: 0 });
    expect((await d.messages.get(keyOf(later)))?.status).toBe('pending');
    expect((await d.messages.get(keyOf(survey)))?.status).toBe('pending');
    expect(d.queue.sent).toEqual([]);
  });

  it('sends at once no more than the minute’s kept parts across concurrent callers; the rest wait pending for the sweep', async () => {
    // Prepare: half a part a second keeps 3 a minute, and 8 confirmations planned by 4 planners at the same moment.
    const d = deps({ config: sendNowConfig({ perSecond: { sms: 0.5, email: 0.5 } }) });
    const batches = [0, 1, 2, 3].map((planner) =>
      [0, 1].map((index) => confirmation(`p-budget-${planner}-${index}`)),
    );

    // Act
    const summaries = await Promise.all(batches.map((batch) => createAndEnqueueDueNow(d, batch)));

    // Assess: three queued, five pending, nothing lost.
    expect(summaries.reduce((sum, s) => sum + s.enqueued, 0)).toBe(3);
    expect(summaries.reduce((sum, s) => sum + s.leftForSweep, 0)).toBe(5);
    const stored = await Promise.all(batches.flat().map((message) => d.messages.get(keyOf(message))));
    expect(stored.filter((message) => message?.status === 'queued')).toHaveLength(3);
    expect(stored.filter((message) => message?.status === 'pending')).toHaveLength(5);
    expect(d.telemetry.total('SendNowBudgetSpent')).toBe(5);

    // Act: the next minute has kept parts of its own.
    d.clock.advance({ minutes: 1 });
    const next = await createAndEnqueueDueNow(d, [confirmation('p-budget-next')]);

    // Assess
    expect(next.enqueued).toBe(1);
  });

  it('takes a clinic’s immediate sends from its own number’s share, apart from the shared number’s', async () => {
    // Prepare: the shared number keeps 1 part this minute (10 a minute), clinic north's own number 2 (20 a minute).
    const d = deps({
      config: sendNowConfig({ perSecond: { sms: 1 / 6, email: 1 }, ownNumbers: new Map([['north', 1 / 3]]) }),
    });
    const north = [0, 1, 2].map((index) =>
      confirmation(`p-own-${index}`, { clinicId: 'north', ownNumber: true }),
    );
    const shared = [0, 1].map((index) => confirmation(`p-shared-${index}`, { clinicId: 'east' }));

    // Act
    const summary = await createAndEnqueueDueNow(d, [...north, ...shared]);

    // Assess: two of north's at once, one of the shared number's; the rest wait for the sweep.
    expect(summary.enqueued).toBe(3);
    const queued = d.queue.sent.map((item) => item.request.clinicId).sort();
    expect(queued).toEqual(['east', 'north', 'north']);
    const statuses = async (messages: Message[]) =>
      (await Promise.all(messages.map((message) => d.messages.get(keyOf(message)))))
        .map((message) => message?.status)
        .sort();
    expect(await statuses(north)).toEqual(['pending', 'queued', 'queued']);
    expect(await statuses(shared)).toEqual(['pending', 'queued']);
  });

  it('stores and queues nothing for a replay of a message already stored', async () => {
    // Prepare: the first run queued it.
    const d = deps();
    const message = confirmation('p-replay');
    await createAndEnqueueDueNow(d, [message]);

    // Act
    const summary = await createAndEnqueueDueNow(d, [message]);

    // Assess
    expect(summary).toEqual({ created: [false], enqueued: 0, leftForSweep: 0, requeued: 0 });
    expect(d.queue.sent).toHaveLength(1);
    expect((await d.messages.get(keyOf(message)))?.claimToken).toBe('token-1');
  });

  it('puts a message the queue refuses back to pending at once, for the sweep, with reason enqueue-failed', async () => {
    // Prepare
    const d = deps({ queue: new KeepingQueue(() => true) });
    const message = confirmation('p-refused');

    // Act
    const summary = await createAndEnqueueDueNow(d, [message]);

    // Assess
    expect(summary).toMatchObject({ enqueued: 0, requeued: 1 });
    expect(await d.messages.get(keyOf(message))).toMatchObject({
      status: 'pending',
      reason: 'enqueue-failed',
    });
  });

  it('holds its claim against the sweep, and the sweep takes the message over once the lease has run out', async () => {
    // Prepare: queued at once, then the process died before anyone sent it.
    const d = deps();
    const message = confirmation('p-lapsed');
    await createAndEnqueueDueNow(d, [message]);
    const sweepQueue = new KeepingQueue();
    const sweep = () =>
      dispatchDue({
        messages: d.messages,
        queue: sweepQueue,
        clock: d.clock,
        logger: d.logger,
        telemetry: d.telemetry,
        clinics: new ClinicCache(makeRepositories(tables.clients.doc, tables.names).clinics, d.clock),
        throttles: new DynamoThrottleLog(tables.clients.doc, tables.names.messages),
        config: {
          perSecond: { sms: 1, email: 1 },
          ownNumbers: new Map(),
          lookaheadSeconds: 60,
          leaseMinutes: 15,
        },
        newToken: () => 'sweep-token',
      });

    // Act: a sweep within the lease, then one after it.
    await sweep();
    const duringLease = sweepQueue.sent.filter((item) => item.request.messageId === message.messageId);
    d.clock.advance({ minutes: 16 });
    await sweep();

    // Assess: the first sweep could not claim it; the later one did, once.
    expect(duringLease).toEqual([]);
    expect(sweepQueue.sent.filter((item) => item.request.messageId === message.messageId)).toEqual([
      // Paced behind the other tests' pending messages that the same sweep took.
      { request: { ...keyOf(message), token: 'sweep-token' }, delaySeconds: expect.any(Number) },
    ]);
    // And the immediate attempt's token no longer holds the message.
    await expect(
      d.messages.markSending(keyOf(message), {
        token: 'token-1',
        attemptId: 'x',
        at: toUtcIso(d.clock.now()),
      }),
    ).rejects.toBeInstanceOf(MessageTransitionError);
  });

  it('never takes a number over its rate in any second, beside a sweep that filled its minute', async () => {
    // Prepare: clinic north's own number sends 3 parts a second; more reminders are due in its lane than its minute holds.
    const d = deps({ config: sendNowConfig({ ownNumbers: new Map([['north', 3]]) }) });
    const start = d.clock.now();
    await Promise.all(
      Array.from({ length: 170 }, (_, index) =>
        d.messages.create(
          confirmation(`p-full-${index}`, {
            clinicId: 'north',
            ownNumber: true,
            messageId: `a-p-full-${index}#reminder#1d#v1`,
            kind: 'reminder',
          }),
        ),
      ),
    );
    const sweepQueue = new KeepingQueue();
    await dispatchDue({
      messages: d.messages,
      queue: sweepQueue,
      clock: d.clock,
      logger: d.logger,
      telemetry: d.telemetry,
      clinics: new ClinicCache(makeRepositories(tables.clients.doc, tables.names).clinics, d.clock),
      throttles: new DynamoThrottleLog(tables.clients.doc, tables.names.messages),
      config: {
        perSecond: { sms: 1, email: 1 },
        ownNumbers: new Map([['north', 3]]),
        lookaheadSeconds: 60,
        leaseMinutes: 15,
        sendNowEvery: 10,
      },
      newToken: () => `sweep-${randomUUID()}`,
    });
    /** Parts in each calendar second (epoch seconds), from a queue entry's delay at the instant it was queued. */
    const perSecond = new Map<number, number>();
    const count = (at: DateTime, sends: readonly QueuedSend[]) => {
      for (const send of sends) {
        if (send.request.clinicId !== 'north') continue;
        const second = Math.floor(at.toSeconds()) + send.delaySeconds;
        perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      }
    };
    count(start, sweepQueue.sent);

    // Act: during the sweep's minute, three confirmations every two seconds from two planners at once.
    let confirmations = 0;
    for (let second = 0; second < 60; second += 2) {
      d.clock.set(start.plus({ seconds: second, milliseconds: 300 }));
      const before = d.queue.sent.length;
      await Promise.all(
        [0, 1].map((planner) =>
          createAndEnqueueDueNow(
            d,
            [0, 1, 2].map(() =>
              confirmation(`p-now-${planner}-${++confirmations}`, {
                clinicId: 'north',
                ownNumber: true,
                dueAt: toUtcIso(d.clock.now()),
              }),
            ),
          ),
        ),
      );
      count(d.clock.now(), d.queue.sent.slice(before));
    }

    // Assess: the sweep left a tenth of the minute, the immediate sends took it, no second got more than 3.
    expect(sweepQueue.sent.filter((send) => send.request.clinicId === 'north')).toHaveLength(162);
    expect(d.queue.sent.length).toBeGreaterThanOrEqual(17);
    expect(Math.max(...perSecond.values())).toBe(3);
    const window = [...perSecond.keys()].filter((s) => s - Math.floor(start.toSeconds()) < 60);
    expect(window.reduce((sum, s) => sum + (perSecond.get(s) ?? 0), 0)).toBeLessThanOrEqual(180);
  });
});
