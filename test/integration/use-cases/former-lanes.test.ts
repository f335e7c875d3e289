import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../shared/adapters/clock';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import { DynamoThrottleLog } from '../../../shared/adapters/dynamodb/throttle-log';
import { CapturingLogger, RecordingTelemetry } from '../../../shared/adapters/local/recorders';
import { toUtcIso } from '../../../shared/domain/time';
import type { QueuedSend, SendQueue } from '../../../shared/ports/outbound';
import { ClinicCache } from '../../../shared/use-cases/clinic-cache';
import { type DispatchConfig, dispatchDue } from '../../../shared/use-cases/dispatch-due';
import { makeMessage } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
const NOW = DateTime.fromISO('2026-12-03T09:00:00Z', { zone: 'utc' });

class KeepingQueue implements SendQueue {
  readonly sent: QueuedSend[] = [];
  async enqueue(items: readonly QueuedSend[]) {
    this.sent.push(...items);
    return { failed: [] };
  }
}

function sweeper(clock: SimulatedClock, queue: KeepingQueue) {
  const repos = makeRepositories(tables.clients.doc, tables.names);
  let tokens = 0;
  return (config: Pick<DispatchConfig, 'ownNumbers' | 'perSecond'>) =>
    dispatchDue({
      messages: repos.messages,
      queue,
      clock,
      logger: new CapturingLogger(),
      telemetry: new RecordingTelemetry(),
      clinics: new ClinicCache(repos.clinics, clock, 0),
      throttles: new DynamoThrottleLog(tables.clients.doc, tables.names.messages),
      config: { ...config, lookaheadSeconds: 60, leaseMinutes: 15, sendNowEvery: 10 },
      newToken: () => `token-${++tokens}`,
    });
}

describe('a clinic moved off its own number', () => {
  it('still sends the texts waiting in its old lane, from the shared number at its rate', async () => {
    // Prepare: clinic west has its own number; five reminders wait in its lane, due in an hour.
    const clock = new SimulatedClock(NOW);
    const queue = new KeepingQueue();
    const sweep = sweeper(clock, queue);
    const repos = makeRepositories(tables.clients.doc, tables.names);
    const dueAt = toUtcIso(NOW.plus({ hours: 1 }));
    const waiting = Array.from({ length: 5 }, (_, index) =>
      makeMessage({
        clinicId: 'west',
        patientId: `p-moved-${index}`,
        messageId: `a-moved-${index}#reminder#1d#v1`,
        ownNumber: true,
        dueAt,
        notAfter: toUtcIso(NOW.plus({ days: 1 })),
      }),
    );
    await Promise.all(waiting.map((message) => repos.messages.create(message)));
    const first = await sweep({ perSecond: { sms: 1, email: 1 }, ownNumbers: new Map([['west', 3]]) });
    expect(first.formerLanes).toEqual([]);

    // Act: the config no longer gives west a number of its own; an hour later its texts are due.
    clock.set(NOW.plus({ hours: 1 }));
    const moved = await sweep({ perSecond: { sms: 1, email: 1 }, ownNumbers: new Map() });

    // Assess: all five go, paced at the shared number's 1 a second (second 0 is kept for immediate sends).
    expect(moved.formerLanes).toEqual(['west']);
    const sent = queue.sent.filter((send) => send.request.clinicId === 'west');
    expect(sent.map((send) => send.request.messageId).sort()).toEqual(
      waiting.map((message) => message.messageId).sort(),
    );
    expect(sent.map((send) => send.delaySeconds)).toEqual([1, 2, 3, 4, 5]);
    expect(moved.parts).toMatchObject({ '~shared': 5 });
  });
});
