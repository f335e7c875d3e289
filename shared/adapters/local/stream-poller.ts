/**
 * Reads DynamoDB Local's real stream of the appointments table and hands
 * the records to the plan-messages handler in Lambda's event shape, with
 * Lambda's retry rule: a record reported as failed is delivered again, with
 * everything after it, on the next poll.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

interface ShardState {
  iterator?: string;
  lastSequence?: string;
  /** Records read but not yet acknowledged by the handler. */
  pending: DynamoDBRecord[];
  closed: boolean;
}

function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  // The SDK's stream record and Lambda's event record share one JSON shape.
  return { ...(record as unknown as DynamoDBRecord), eventSource: 'aws:dynamodb', eventSourceARN: streamArn };
}

export class StreamPoller {
  private streamArn: string | undefined;
  private readonly shards = new Map<string, ShardState>();

  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly streams: DynamoDBStreamsClient,
    private readonly tableName: string,
    private readonly batchSize = 100,
  ) {}

  private async arn(): Promise<string> {
    if (!this.streamArn) {
      const { Table } = await this.dynamo.send(new DescribeTableCommand({ TableName: this.tableName }));
      if (!Table?.LatestStreamArn) throw new Error(`table ${this.tableName} has no stream`);
      this.streamArn = Table.LatestStreamArn;
    }
    return this.streamArn;
  }

  private async discoverShards(streamArn: string): Promise<void> {
    const { StreamDescription } = await this.streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      if (shard.ShardId && !this.shards.has(shard.ShardId)) {
        this.shards.set(shard.ShardId, { pending: [], closed: false });
      }
    }
  }

  private async iteratorFor(
    streamArn: string,
    shardId: string,
    state: ShardState,
  ): Promise<string | undefined> {
    if (state.iterator) return state.iterator;
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(state.lastSequence
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.lastSequence }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    state.iterator = ShardIterator;
    return ShardIterator;
  }

  private async read(streamArn: string, shardId: string, state: ShardState, retried = false): Promise<void> {
    const iterator = await this.iteratorFor(streamArn, shardId, state);
    if (!iterator) {
      state.closed = true;
      return;
    }
    try {
      const { Records = [], NextShardIterator } = await this.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: this.batchSize }),
      );
      for (const record of Records) {
        state.pending.push(toLambdaRecord(record, streamArn));
        state.lastSequence = record.dynamodb?.SequenceNumber ?? state.lastSequence;
      }
      state.iterator = NextShardIterator;
      if (!NextShardIterator) state.closed = true;
    } catch (error) {
      // An iterator can expire (15 min) or, on DynamoDB Local, point at a
      // position the shard no longer has after idle polls; take a fresh one
      // after the last record read, as a stream consumer does.
      if (
        !(error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) ||
        retried
      ) {
        throw error;
      }
      state.iterator = undefined;
      await this.read(streamArn, shardId, state, true);
    }
  }

  /**
   * Reads what the stream holds and delivers it, batch by batch, until the
   * stream has nothing new or a batch reports a failure.
   *
   * @param handler - the plan-messages handler body
   * @returns how many records were acknowledged
   */
  async drain(handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>): Promise<number> {
    const streamArn = await this.arn();
    // A stream gains a shard only when one closes (a split or a roll-over
    // closes the parent), so the shard list is read again only then.
    if (this.shards.size === 0 || [...this.shards.values()].some((state) => state.closed))
      await this.discoverShards(streamArn);
    let acknowledged = 0;
    for (const [shardId, state] of this.shards) {
      for (;;) {
        if (state.pending.length === 0) {
          if (state.closed) break;
          await this.read(streamArn, shardId, state);
          if (state.pending.length === 0) break;
        }
        const batch = state.pending.slice(0, this.batchSize);
        const { batchItemFailures } = await handler({ Records: batch });
        const failed = batchItemFailures[0]?.itemIdentifier;
        // Lambda's rule: retry from the reported record; a report naming no
        // record of the batch retries the whole batch.
        const reported =
          failed === undefined ? -1 : batch.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
        const failedAt = failed !== undefined && reported === -1 ? 0 : reported;
        const done = failedAt === -1 ? batch.length : failedAt;
        state.pending.splice(0, done);
        acknowledged += done;
        if (failedAt !== -1) return acknowledged;
      }
    }
    return acknowledged;
  }
}
