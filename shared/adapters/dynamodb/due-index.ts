/**
 * A read of the messages table's sparse due index shared by the records
 * that wait in it beside messages (a broadcast's fan-out in `~fanout`, a
 * care reminder's planning in `~care`).
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { INDEX } from '../../tables';

/**
 * The soonest due time in one shard of the due index, if it holds anything:
 * one query of one key (the index sorts by `dueAt`).
 *
 * @param doc - the document client
 * @param table - the messages table
 * @param shard - the `dueShard` value
 */
export async function earliestInShard(
  doc: DynamoDBDocumentClient,
  table: string,
  shard: string,
): Promise<string | undefined> {
  const { Items = [] } = await doc.send(
    new QueryCommand({
      TableName: table,
      IndexName: INDEX.messagesDue,
      KeyConditionExpression: 'dueShard = :shard',
      ExpressionAttributeValues: { ':shard': shard },
      ProjectionExpression: 'dueAt',
      Limit: 1,
    }),
  );
  const dueAt = Items[0]?.dueAt;
  return typeof dueAt === 'string' ? dueAt : undefined;
}
