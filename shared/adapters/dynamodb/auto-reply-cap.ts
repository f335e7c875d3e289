/**
 * The hourly auto-reply cap per number, exact under concurrency (issue 12,
 * item 5): one small item per clinic and number in the inbound table
 * (sk `reply-cap#<e164>`) holds the answers of the rolling hour, at most
 * the limit of them, each with the inbound id it answers. Taking a slot is
 * a conditional put on the version read, so of any number of texts from
 * one phone handled at once, exactly as many as the limit allows win; the
 * others read again and find it full. One write unit for a slot taken
 * (the item carries no index key, so no index is written), a strongly
 * consistent read before it, and one more write unit for each lost race.
 * The item expires a day after its last answer (the table's TTL).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { ConflictError } from '../../domain/errors';
import type { AutoReplyCap, AutoReplySlotRequest } from '../../ports/repositories';

const PREFIX = 'reply-cap#';
/** How long an idle number's item is kept: long enough to look into, short enough to cost nothing. */
const KEEP_HOURS = 24;

interface Slot {
  at: string;
  inboundMessageId: string;
}

export class DynamoAutoReplyCap implements AutoReplyCap {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async take(request: AutoReplySlotRequest): Promise<'taken' | 'already' | 'full'> {
    const key = { clinicId: request.clinicId, sk: `${PREFIX}${request.number}` };
    // Each lost race means another text took a slot: after `limit` of them the hour is full.
    for (let tries = 0; tries <= request.limit + 1; tries++) {
      const { Item } = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
      );
      const version = Item ? Number(Item.version) : 0;
      const live = ((Item?.slots ?? []) as Slot[]).filter((slot) => slot.at > request.windowStart);
      if (live.some((slot) => slot.inboundMessageId === request.inboundMessageId)) return 'already';
      if (live.length >= request.limit) return 'full';
      const slots: Slot[] = [...live, { at: request.at, inboundMessageId: request.inboundMessageId }];
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...key,
              slots,
              version: version + 1,
              expiresAt: Math.floor(
                DateTime.fromISO(request.at, { zone: 'utc' }).plus({ hours: KEEP_HOURS }).toSeconds(),
              ),
            },
            ...(Item
              ? {
                  ConditionExpression: '#version = :seen',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':seen': version },
                }
              : { ConditionExpression: 'attribute_not_exists(sk)' }),
          }),
        );
        return 'taken';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    // Ids only: the key holds a phone number.
    throw new ConflictError(`the auto-reply cap of a number of clinic ${request.clinicId} kept changing`);
  }
}
