/**
 * The one pagination cursor of the system. A cursor is a page's
 * LastEvaluatedKey plus the query it was returned for (the period of an
 * appointment list), encoded as base64url JSON. The repositories hand it
 * out and read it back; use cases and the API pass it through unopened.
 */
import type { DynamoDBDocumentClient, QueryCommand, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../domain/errors';
import type { Page } from '../../ports/repositories';

interface CursorBody {
  /** The LastEvaluatedKey. */
  k: Record<string, unknown>;
  /** The query the page belongs to; a cursor only continues that query. */
  q?: Record<string, string>;
}

/**
 * The cursor for the page after this one, or undefined on the last page.
 *
 * @param key - the LastEvaluatedKey, if any
 * @param query - what the query was (a period), checked when the cursor comes back
 */
export function encodeCursor(
  key: Record<string, unknown> | undefined,
  query?: Record<string, string>,
): string | undefined {
  if (!key) return undefined;
  const body: CursorBody = { k: key, ...(query ? { q: query } : {}) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export interface CursorExpectation {
  /** The attributes of the key it must hold, all strings. */
  keys: readonly string[];
  /** Key attributes whose value is known (the partition being read): a cursor cannot reach another. */
  fixed?: Record<string, string>;
  /** The query being continued; a cursor of another query is refused. */
  query?: Record<string, string>;
  /** What to tell the caller whose cursor belongs to another query. */
  otherQuery?: string;
}

/**
 * Reads a cursor back: it must be one this system handed out for this very
 * query. Anything else is the caller's mistake: ValidationError on `cursor`.
 *
 * @param cursor - the opaque cursor, if any
 * @param expected - the key attributes, fixed values and query it must carry
 */
export function decodeCursor(
  cursor: string | undefined,
  expected: CursorExpectation,
): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const body = isObject(parsed) ? (parsed as Partial<CursorBody>) : undefined;
  const key = isObject(body?.k) ? (body?.k as Record<string, unknown>) : undefined;
  const valid =
    key !== undefined &&
    Object.keys(key).length === expected.keys.length &&
    expected.keys.every((name) => typeof key[name] === 'string') &&
    Object.entries(expected.fixed ?? {}).every(([name, value]) => key[name] === value);
  if (!valid) throw ValidationError.field('cursor', 'is not a cursor returned by this API for this request');
  const query = isObject(body?.q) ? (body?.q as Record<string, unknown>) : {};
  const sameQuery = Object.entries(expected.query ?? {}).every(([name, value]) => query[name] === value);
  if (!sameQuery) {
    throw ValidationError.field('cursor', expected.otherQuery ?? 'was returned for another request');
  }
  return key;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One page of a query, its cursor bound to the query it continues: the
 * cursor read back (refused when it is not this query's), the page read,
 * the next cursor handed out. Each caller builds its own command, so the
 * table and index it reads are named where the query is written (the
 * least-privilege test reads them there).
 *
 * @param doc - the document client
 * @param expected - the key attributes, fixed values and query a cursor must carry
 * @param page - the caller's limit (else `defaultLimit`) and cursor
 * @param query - the command, given the page's Limit and ExclusiveStartKey
 * @param read - each item as the repository returns it
 */
export async function queryPage<T>(
  doc: DynamoDBDocumentClient,
  expected: CursorExpectation,
  page: { limit?: number; cursor?: string },
  defaultLimit: number,
  query: (start: Pick<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>) => QueryCommand,
  read: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  const exclusiveStart = decodeCursor(page.cursor, expected);
  const { Items = [], LastEvaluatedKey } = await doc.send(
    query({
      Limit: page.limit ?? defaultLimit,
      ...(exclusiveStart ? { ExclusiveStartKey: exclusiveStart } : {}),
    }),
  );
  const cursor = encodeCursor(LastEvaluatedKey, expected.query);
  return { items: Items.map(read), ...(cursor ? { cursor } : {}) };
}
