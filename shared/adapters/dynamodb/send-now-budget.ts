/**
 * The immediate-send slots in DynamoDB: one small cursor item per lane (a
 * channel, or a clinic's own number) and UTC day in the messages table,
 * holding the next slot not yet taken. Slot j is the day's part
 * j·SEND_NOW_EVERY of that number, a part the sweep leaves free, so a take
 * moves the cursor with a condition and concurrent planners never take a
 * slot twice.
 *
 * The items sit under the partition `#send-now`: the key names no clinic's
 * patient, clinic ids never start with `#`, so no clinic's `clinic#patient`
 * partition can meet it, and no patient's query reads it. A take costs one
 * write unit (two when a concurrent caller moved the cursor first), takes
 * any number of slots at once, and the item expires a day after its day
 * (the table's TTL attribute).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DateTime } from 'luxon';
import type { SendNowBudget } from '../../ports/repositories';

export const SEND_NOW_PARTITION = '#send-now';

/** How long a day's cursor is kept after its day: long enough to look into, short enough to cost nothing. */
const KEEP_HOURS = 48;

/** Tries before a caller that keeps losing the race leaves its messages to the sweep. */
const MAX_TRIES = 4;

export class DynamoSendNowBudget implements SendNowBudget {
  /**
   * The cursor this process saw last, by item: a guess of which update will
   * hold (the cursor only moves forward, so it is never ahead of the truth).
   */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async take(
    lane: string,
    day: string,
    window: { from: number; until: number },
    count: number,
  ): Promise<{ first: number; count: number }> {
    const { from, until } = window;
    const none = { first: until, count: 0 };
    if (count < 1 || until <= from) return none;
    const sk = `${lane}#${day}`;
    const expires = Math.floor(
      DateTime.fromISO(day, { zone: 'utc' }).plus({ days: 1, hours: KEEP_HOURS }).toSeconds(),
    );
    let guess = this.seen.get(sk);
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      // The slots before `from` are past (or never taken): start the window afresh.
      const fresh = guess === undefined || guess < from;
      const start = fresh ? from : (guess as number);
      if (start >= until) return none;
      const taken = Math.min(count, until - start);
      try {
        const { Attributes } = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: SEND_NOW_PARTITION, sk },
            UpdateExpression: fresh
              ? 'SET #next = :to, expiresAt = if_not_exists(expiresAt, :expires)'
              : 'SET #next = #next + :taken',
            ConditionExpression: fresh
              ? 'attribute_not_exists(#next) OR #next < :from'
              : '#next >= :from AND #next <= :last',
            ExpressionAttributeNames: { '#next': 'next' },
            ExpressionAttributeValues: fresh
              ? { ':to': from + taken, ':from': from, ':expires': expires }
              : { ':taken': taken, ':from': from, ':last': until - taken },
            ReturnValues: 'UPDATED_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        const next = Number(Attributes?.next);
        this.seen.set(sk, next);
        return { first: next - taken, count: taken };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const current = error.Item ? unmarshall(error.Item).next : undefined;
        guess = typeof current === 'number' ? current : undefined;
        if (guess !== undefined) this.seen.set(sk, guess);
      }
    }
    return none;
  }
}
