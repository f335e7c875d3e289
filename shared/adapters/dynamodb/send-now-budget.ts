/**
 * The immediate-send budget in DynamoDB: one small counter item per channel
 * and calendar minute in the messages table, incremented with a condition
 * so that concurrent planners never take more than the limit between them.
 *
 * The items sit under the partition `#send-now`: like the due index, the
 * send rate is the account's, not a clinic's, so the key names no clinic.
 * Clinic ids never start with `#`, so no clinic's `clinic#patient`
 * partition can meet it, and no patient's query reads it. Each costs one
 * write unit per take and expires a day later (the table's TTL attribute).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import type { SendNowBudget } from '../../ports/repositories';

export const SEND_NOW_PARTITION = '#send-now';

/** How long a minute's counter is kept: long enough to look into, short enough to cost nothing. */
const KEEP_HOURS = 24;

export class DynamoSendNowBudget implements SendNowBudget {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async take(lane: string, minute: string, limit: number): Promise<boolean> {
    if (limit < 1) return false;
    const start = DateTime.fromISO(minute, { zone: 'utc' });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: SEND_NOW_PARTITION, sk: `${lane}#${minute}` },
          UpdateExpression: 'ADD taken :one SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(taken) OR taken < :limit',
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':expires': Math.floor(start.plus({ hours: KEEP_HOURS }).toSeconds()),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
