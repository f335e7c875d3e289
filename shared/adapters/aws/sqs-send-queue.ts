import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueuedSend, SendQueue } from '../../ports/outbound';

const BATCH = 10;

/** The SQS send queue: batches of ten, each entry with its own delay. */
export class SqsSendQueue implements SendQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(items: readonly QueuedSend[]): Promise<{ failed: number[] }> {
    const batches: { start: number; items: readonly QueuedSend[] }[] = [];
    for (let start = 0; start < items.length; start += BATCH)
      batches.push({ start, items: items.slice(start, start + BATCH) });
    const failures = await Promise.all(
      batches.map(async ({ start, items: batch }) => {
        try {
          const { Failed = [] } = await this.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: batch.map((item, offset) => ({
                Id: String(start + offset),
                MessageBody: JSON.stringify(item.request),
                DelaySeconds: Math.max(0, Math.min(900, Math.round(item.delaySeconds))),
              })),
            }),
          );
          return Failed.map((entry) => Number(entry.Id));
        } catch {
          return batch.map((_, offset) => start + offset);
        }
      }),
    );
    return { failed: failures.flat().sort((a, b) => a - b) };
  }
}
