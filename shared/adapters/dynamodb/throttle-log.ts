/**
 * Provider throttles by send lane, kept in the messages table under one
 * partition of their own (`~lanes`; no clinic id starts with `~`, so no
 * message shares it): one small item per lane with its latest throttle, so
 * the sweep reads them all with one query (half a read unit) and a
 * throttle costs send-message one write. The items expire a day after
 * their last throttle.
 *
 * The same partition holds one item per clinic whose own number's lane the
 * sweep has read (`own@<clinicId>`, kept for good): the sweep's one query
 * returns them with the throttles, and a clinic moved off its own number
 * keeps its lane read until nothing is left in it, and after.
 */
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import type { ThrottleLog } from '../../ports/repositories';

/** The partition key of the lanes' items. */
export const LANES_PARTITION = '~lanes';

/** The sort-key prefix of a registered own-number lane (no lane name contains `@`: `~shared`, `email`, clinic ids). */
const OWN_LANE = 'own@';

export class DynamoThrottleLog implements ThrottleLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(lane: string, at: string): Promise<void> {
    // Writers record the moment they were refused, so the last write is, to
    // the millisecond, the latest throttle; the count is exact under retries
    // only to within a retry, which the metric (not this count) reports.
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: LANES_PARTITION, sk: lane },
        UpdateExpression: 'SET throttledAt = :at, expiresAt = :expires ADD throttles :one',
        ExpressionAttributeValues: {
          ':at': at,
          ':one': 1,
          ':expires': Math.floor(DateTime.fromISO(at, { zone: 'utc' }).plus({ days: 1 }).toSeconds()),
        },
      }),
    );
  }

  async readLanes(since: string): Promise<{ throttled: ReadonlySet<string>; ownLanes: ReadonlySet<string> }> {
    const throttled = new Set<string>();
    const ownLanes = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': LANES_PARTITION },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        if (sk.startsWith(OWN_LANE)) ownLanes.add(sk.slice(OWN_LANE.length));
        else if (typeof item.throttledAt === 'string' && item.throttledAt > since) throttled.add(sk);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return { throttled, ownLanes };
  }

  async registerOwnLanes(clinicIds: readonly string[], at: string): Promise<void> {
    await Promise.all(
      clinicIds.map((clinicId) =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: LANES_PARTITION, sk: `${OWN_LANE}${clinicId}` },
            UpdateExpression: 'SET registeredAt = if_not_exists(registeredAt, :at)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      ),
    );
  }
}
