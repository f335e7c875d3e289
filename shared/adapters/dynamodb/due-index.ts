/**
 * The soonest entry of a time-sorted index partition: what local mode's
 * driver asks of the records that wait beside messages for the per-minute
 * run (a broadcast's fan-out in the due index's `~fanout` shard, a care
 * reminder's planning in `~care`, a case's next due time).
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { INDEX } from '../../tables';

/**
 * The first sort key value of one index partition, if it holds anything:
 * one query of one key, projecting only the sort key.
 *
 * @param doc - the document client
 * @param query - the table, its index, the partition key's name and value, and the sort key's name
 */
export async function firstSortValue(
  doc: DynamoDBDocumentClient,
  query: { table: string; index: string; partition: [name: string, value: string]; sortKey: string },
): Promise<string | undefined> {
  const { Items = [] } = await doc.send(
    new QueryCommand({
      TableName: query.table,
      IndexName: query.index,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': query.partition[0], '#sk': query.sortKey },
      ExpressionAttributeValues: { ':pk': query.partition[1] },
      ProjectionExpression: '#sk',
      Limit: 1,
    }),
  );
  const value = Items[0]?.[query.sortKey];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The soonest due time in one shard of the messages table's due index.
 *
 * @param doc - the document client
 * @param table - the messages table
 * @param shard - the `dueShard` value
 */
export function earliestInShard(
  doc: DynamoDBDocumentClient,
  table: string,
  shard: string,
): Promise<string | undefined> {
  return firstSortValue(doc, {
    table,
    index: INDEX.messagesDue,
    partition: ['dueShard', shard],
    sortKey: 'dueAt',
  });
}
