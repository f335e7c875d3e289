/**
 * An in-process stand-in for the SQS send queue, on a (possibly simulated)
 * clock: per-message delay, a visibility timeout after a failed delivery,
 * and a dead-letter list after too many receives, as the real queue has.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DateTime } from 'luxon';
import type { Clock } from '../../domain/time';
import type { QueuedSend, SendQueue } from '../../ports/outbound';

interface Entry {
  id: string;
  body: string;
  visibleAt: number;
  receiveCount: number;
}

export interface InProcessQueueOptions {
  /** Seconds a failed message stays invisible before it is delivered again. */
  visibilityTimeoutSeconds: number;
  /** Receives after which a message moves to the dead-letter list. */
  maxReceiveCount: number;
  batchSize: number;
  /** Batches handed to the consumer at once (Lambda's concurrency). */
  concurrency?: number;
}

export class InProcessQueue implements SendQueue {
  private entries: Entry[] = [];
  readonly deadLetters: { id: string; body: string }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly options: InProcessQueueOptions = {
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 5,
      batchSize: 10,
    },
  ) {}

  async enqueue(items: readonly QueuedSend[]): Promise<{ failed: number[] }> {
    for (const item of items) this.push(JSON.stringify(item.request), item.delaySeconds);
    return { failed: [] };
  }

  /** Adds a raw body (the SQS mock in tests feeds SendMessageBatch entries here). */
  push(body: string, delaySeconds: number): void {
    const visibleAt = this.clock.now().toMillis() + Math.max(0, delaySeconds) * 1000;
    this.entries.push({ id: randomUUID(), body, visibleAt, receiveCount: 0 });
  }

  get size(): number {
    return this.entries.length;
  }

  /** When the next message becomes visible, if any. */
  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const entry of this.entries)
      if (next === undefined || entry.visibleAt < next) next = entry.visibleAt;
    return next;
  }

  /**
   * Delivers every visible message to the consumer in batches, oldest
   * visible first; failed ones become invisible for the visibility timeout.
   *
   * @param consumer - the send-message handler body
   * @returns how many messages were acknowledged
   */
  async deliver(consumer: (event: SQSEvent) => Promise<SQSBatchResponse>): Promise<number> {
    let acknowledged = 0;
    const { batchSize, concurrency = 1 } = this.options;
    for (;;) {
      const now = this.clock.now();
      const visible = this.entries
        .filter((entry) => entry.visibleAt <= now.toMillis())
        .sort((a, b) => a.visibleAt - b.visibleAt)
        .slice(0, batchSize * concurrency);
      if (visible.length === 0) return acknowledged;
      const batches: Entry[][] = [];
      for (let start = 0; start < visible.length; start += batchSize)
        batches.push(visible.slice(start, start + batchSize));
      const done = new Set<Entry>();
      await Promise.all(
        batches.map(async (batch) => {
          for (const entry of batch) entry.receiveCount += 1;
          const result = await consumer({ Records: batch.map((entry) => this.record(entry, now)) });
          const failed = new Set(result.batchItemFailures.map((failure) => failure.itemIdentifier));
          for (const entry of batch) {
            if (!failed.has(entry.id)) {
              done.add(entry);
              acknowledged += 1;
            } else if (entry.receiveCount >= this.options.maxReceiveCount) {
              done.add(entry);
              this.deadLetters.push({ id: entry.id, body: entry.body });
            } else {
              entry.visibleAt = now.toMillis() + this.options.visibilityTimeoutSeconds * 1000;
            }
          }
        }),
      );
      this.entries = this.entries.filter((entry) => !done.has(entry));
    }
  }

  private record(entry: Entry, now: DateTime): SQSRecord {
    return {
      messageId: entry.id,
      receiptHandle: `${entry.id}:${entry.receiveCount}`,
      body: entry.body,
      attributes: {
        ApproximateReceiveCount: String(entry.receiveCount),
        SentTimestamp: String(entry.visibleAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(now.toMillis()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:send-queue',
      awsRegion: 'local',
    };
  }
}
