import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetters } from '../../ports/outbound';

/** Sets records aside on an SQS queue (ids and reason only) for a person to inspect and redrive. */
export class SqsDeadLetters implements DeadLetters {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async setAside(entry: {
    source: string;
    reason: string;
    ids: Record<string, string | undefined>;
  }): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(entry) }),
    );
  }
}
