/**
 * Daily counters per clinic in the messages table (design.md decision 9),
 * no new table or index:
 *
 * - a day item per clinic and local day: `pk = ${clinicId}#~days`,
 *   `sk = YYYY-MM-DD`, one number attribute per counter name, so a
 *   period of 92 days is one query of at most 92 items;
 * - an event marker per counted event: `pk = ${clinicId}#~counted`,
 *   `sk = eventId`, expiring after {@link COUNTED_MARKER_DAYS}.
 *
 * No patient partition can collide with either (patient ids never start
 * with `~`). An event is counted by one transaction of two updates: the
 * marker, on condition that it does not exist, and the day item's `ADD` of
 * the event's counts. Both happen or neither does, so an event id adds its
 * counts exactly once however often it is recorded: a retried or duplicated
 * delivery finds its marker and adds nothing. Both are updates, not puts, so
 * a function that counts needs UpdateItem only. The cost is four write
 * units an event (a transaction bills two per item).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import type { CounterEvent, Counts, DayCounts } from '../../domain/counters';
import type { DailyCounters } from '../../ports/counters';

/**
 * Days an event marker is kept: longer than any redelivery can come late
 * (SQS keeps a message 14 days at most, a stream record a day), so a
 * duplicate always finds its marker.
 */
export const COUNTED_MARKER_DAYS = 30;

/** Tries of one event when concurrent events of the same day collide (TransactionConflict). */
const CONFLICT_TRIES = 8;

export const daysPartitionOf = (clinicId: string) => `${clinicId}#~days`;
export const countedPartitionOf = (clinicId: string) => `${clinicId}#~counted`;

const KEY_ATTRIBUTES = new Set(['pk', 'sk']);

function isDuplicate(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
  );
}

function isConflict(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict')
  );
}

export class DynamoDailyCounters implements DailyCounters {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    /** Waits between conflicting tries (tests and local mode may pass a shorter one). */
    private readonly pause: (try_: number) => Promise<void> = (try_) =>
      new Promise((resolve) => setTimeout(resolve, 5 * 2 ** try_ + Math.random() * 10)),
  ) {}

  async record(event: CounterEvent): Promise<boolean> {
    const names = Object.keys(event.counts).filter((name) => event.counts[name] !== 0);
    if (names.length === 0) return false;
    const expiresAt = Math.floor(
      DateTime.fromISO(event.day, { zone: 'utc' }).plus({ days: COUNTED_MARKER_DAYS }).toSeconds(),
    );
    const command = new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: this.table,
            Key: { pk: countedPartitionOf(event.clinicId), sk: event.eventId },
            UpdateExpression: 'SET #day = :day, expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(pk)',
            ExpressionAttributeNames: { '#day': 'day' },
            ExpressionAttributeValues: { ':day': event.day, ':expires': expiresAt },
          },
        },
        {
          Update: {
            TableName: this.table,
            Key: { pk: daysPartitionOf(event.clinicId), sk: event.day },
            UpdateExpression: `ADD ${names.map((_, index) => `#c${index} :c${index}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#c${index}`, name])),
            ExpressionAttributeValues: Object.fromEntries(
              names.map((name, index) => [`:c${index}`, event.counts[name]]),
            ),
          },
        },
      ],
    });
    for (let try_ = 1; ; try_ += 1) {
      try {
        await this.doc.send(command);
        return true;
      } catch (error) {
        if (isDuplicate(error)) return false;
        if (!isConflict(error) || try_ >= CONFLICT_TRIES) throw error;
        await this.pause(try_);
      }
    }
  }

  async readDays(clinicId: string, fromDay: string, toDay: string): Promise<DayCounts[]> {
    const days: DayCounts[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': daysPartitionOf(clinicId), ':from': fromDay, ':to': toDay },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const counts: Counts = {};
        for (const [name, value] of Object.entries(item)) {
          if (!KEY_ATTRIBUTES.has(name) && typeof value === 'number') counts[name] = value;
        }
        days.push({ day: String(item.sk), counts });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return days;
  }
}
