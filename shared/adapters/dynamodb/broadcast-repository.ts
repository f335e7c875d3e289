/**
 * Broadcasts in the messages table (no table of their own: one more table
 * would be one more retained resource, key and alarm set for a few items a
 * clinic). A broadcast lives in its clinic's `~broadcasts` partition
 * (`pk = ${clinicId}#~broadcasts`, `sk = broadcastId`), which no patient
 * partition can collide with (patient ids never start with `~`).
 *
 * While its fan-out is to do (scheduled or planning) the item sits in the
 * sparse due index under the partition `~fanout`, due at the time the
 * fan-out should start, so the function that plans recipients finds due
 * broadcasts of every clinic with one query and a clinic with none costs
 * nothing. The item leaves the index when it is planned or cancelled.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { type Broadcast, BroadcastSchema, FAN_OUT_LEAD_MINUTES } from '../../domain/broadcasts';
import { toUtcIso } from '../../domain/time';
import type { BroadcastRepository, ExpectedVersion, FanOutAdvance, Page } from '../../ports/repositories';
import { INDEX } from '../../tables';
import { queryPage } from './cursor';
import { earliestInShard } from './due-index';
import { putVersioned, withoutKeys } from './versioned';

/** The due-index partition of broadcasts whose fan-out is still to do. */
export const FAN_OUT_SHARD = '~fanout';

const STORAGE_KEYS = ['pk', 'sk', 'dueShard', 'dueAt'] as const;

const partitionOf = (clinicId: string) => `${clinicId}#~broadcasts`;

/** When the fan-out of a broadcast is due: a lead before its send time. */
export function fanOutDueAt(sendAt: string): string {
  return toUtcIso(DateTime.fromISO(sendAt, { zone: 'utc' }).minus({ minutes: FAN_OUT_LEAD_MINUTES }));
}

function readBroadcast(item: Record<string, unknown>): Broadcast {
  // Shape only: the record was checked whole when it was written.
  return BroadcastSchema.parse(withoutKeys(item, STORAGE_KEYS));
}

const SKIP_NAME = /^[a-z0-9-]{1,64}$/;

export class DynamoBroadcastRepository implements BroadcastRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(clinicId: string, broadcastId: string): Promise<Broadcast | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: partitionOf(clinicId), sk: broadcastId },
        ConsistentRead: true,
      }),
    );
    return Item ? readBroadcast(Item) : undefined;
  }

  async put(broadcast: Broadcast, expectedVersion: ExpectedVersion): Promise<void> {
    const valid = BroadcastSchema.parse(broadcast);
    const toDo = valid.status === 'scheduled' || valid.status === 'planning';
    await putVersioned(
      this.doc,
      this.table,
      {
        ...valid,
        pk: partitionOf(valid.clinicId),
        sk: valid.broadcastId,
        ...(toDo ? { dueShard: FAN_OUT_SHARD, dueAt: fanOutDueAt(valid.sendAt) } : {}),
      },
      expectedVersion,
      'pk',
      `broadcast ${valid.broadcastId} of clinic ${valid.clinicId}`,
    );
  }

  async list(clinicId: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<Broadcast>> {
    return queryPage(
      this.doc,
      { keys: ['pk', 'sk'], fixed: { pk: partitionOf(clinicId) } },
      page,
      50,
      (start) =>
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': partitionOf(clinicId) },
          ConsistentRead: true,
          ...start,
        }),
      readBroadcast,
    );
  }

  async dueForFanOut(upTo: string, limit: number): Promise<{ clinicId: string; broadcastId: string }[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX.messagesDue,
        KeyConditionExpression: 'dueShard = :shard AND dueAt <= :upTo',
        ExpressionAttributeValues: { ':shard': FAN_OUT_SHARD, ':upTo': upTo },
        Limit: limit,
      }),
    );
    return Items.map((item) => ({
      clinicId: String(item.pk).slice(0, -'#~broadcasts'.length),
      broadcastId: String(item.sk),
    }));
  }

  async earliestFanOutAt(): Promise<string | undefined> {
    return earliestInShard(this.doc, this.table, FAN_OUT_SHARD);
  }

  async startFanOut(clinicId: string, broadcastId: string, version: number, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: partitionOf(clinicId), sk: broadcastId },
          UpdateExpression: 'SET #status = :planning, updatedAt = :at, #version = #version + :one',
          ConditionExpression: '#status = :scheduled AND #version = :version',
          ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
          ExpressionAttributeValues: {
            ':planning': 'planning',
            ':scheduled': 'scheduled',
            ':version': version,
            ':at': at,
            ':one': 1,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async advanceFanOut(clinicId: string, broadcastId: string, advance: FanOutAdvance): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#fanOut': 'fanOut', '#pages': 'pages' };
    const values: Record<string, unknown> = {
      ':planningStatus': 'planning',
      ':fromPages': advance.fromPages,
      ':pages': advance.fromPages + 1,
      ':planned': advance.planned,
      ':at': advance.at,
    };
    const adds = ['planned :planned'];
    Object.entries(advance.skipped).forEach(([reason, count], index) => {
      if (!SKIP_NAME.test(reason)) throw new RangeError(`not a skip reason: ${reason}`);
      if (count === 0) return;
      names[`#r${index}`] = reason;
      values[`:r${index}`] = count;
      adds.push(`skipped.#r${index} :r${index}`);
    });
    names['#cursor'] = 'cursor';
    const sets = ['#fanOut.#pages = :pages', 'updatedAt = :at'];
    const removes: string[] = [];
    if (advance.cursor === undefined) {
      // The last page: planned, and out of the due index.
      sets.push('#status = :plannedStatus');
      values[':plannedStatus'] = 'planned';
      removes.push('#fanOut.#cursor', 'dueShard', 'dueAt');
    } else {
      sets.push('#fanOut.#cursor = :cursor');
      values[':cursor'] = advance.cursor;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: partitionOf(clinicId), sk: broadcastId },
          UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: '#status = :planningStatus AND #fanOut.#pages = :fromPages',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async cancel(clinicId: string, broadcastId: string, at: string): Promise<Broadcast | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: partitionOf(clinicId), sk: broadcastId },
          // An update, not a whole put: the fan-out's and the sender's counts
          // are added to the item concurrently and must not be overwritten.
          UpdateExpression:
            'SET #status = :cancelled, cancelledAt = :at, updatedAt = :at, #version = #version + :one REMOVE dueShard, dueAt',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :cancelled',
          ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
          ExpressionAttributeValues: { ':cancelled': 'cancelled', ':at': at, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? readBroadcast(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.get(clinicId, broadcastId);
      throw error;
    }
  }

  async countOutcome(
    clinicId: string,
    broadcastId: string,
    outcome: { status: 'sent' | 'failed' } | { status: 'skipped'; reason: string },
  ): Promise<void> {
    const skipped = outcome.status === 'skipped';
    if (skipped && !SKIP_NAME.test(outcome.reason))
      throw new RangeError(`not a skip reason: ${outcome.reason}`);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: partitionOf(clinicId), sk: broadcastId },
        UpdateExpression: skipped ? 'ADD skipped.#reason :one' : 'ADD #count :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: skipped ? { '#reason': outcome.reason } : { '#count': outcome.status },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }
}
