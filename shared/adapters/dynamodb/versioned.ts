import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors';
import type { ExpectedVersion } from '../../ports/repositories';

/**
 * Writes a whole versioned record with optimistic concurrency: it must not
 * exist when `expectedVersion` is null, else its stored version must equal
 * `expectedVersion`. The record's own `version` must be the next one.
 *
 * @param doc - document client
 * @param table - physical table name
 * @param item - the item to write (record plus any key attributes)
 * @param expectedVersion - version the caller read, or null for a new record
 * @param describe - how to name the record in a conflict message
 */
export async function putVersioned(
  doc: DynamoDBDocumentClient,
  table: string,
  item: Record<string, unknown> & { version: number },
  expectedVersion: ExpectedVersion,
  partitionKeyName: string,
  describe: string,
): Promise<void> {
  const nextVersion = expectedVersion === null ? 1 : expectedVersion + 1;
  if (item.version !== nextVersion) {
    throw new RangeError(
      `${describe}: version ${item.version} does not follow ${expectedVersion ?? 'nothing'}`,
    );
  }
  try {
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: item,
        ...(expectedVersion === null
          ? {
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': partitionKeyName },
            }
          : {
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': expectedVersion },
            }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      const current = error.Item?.version?.N ? Number(error.Item.version.N) : undefined;
      if (expectedVersion === null) {
        throw new ConflictError(`${describe} already exists (version ${current ?? '?'})`, current);
      }
      throw new ConflictError(
        current === undefined
          ? `${describe} does not exist; it cannot be updated from version ${expectedVersion}`
          : `${describe} is at version ${current}, not ${expectedVersion}`,
        current,
      );
    }
    throw error;
  }
}

/** Drops the storage-only attributes named, leaving the domain record. */
export function withoutKeys<T extends Record<string, unknown>>(
  item: T,
  keys: readonly string[],
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...item };
  for (const key of keys) delete copy[key];
  return copy;
}
