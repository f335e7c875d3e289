/**
 * Feedback cases in DynamoDB, in the inbound table beside the texts they
 * mostly come from (sk `case#${caseId}`), so cases add no table and no index:
 *
 * - the inbox index lists a clinic's cases by status
 *   (`${clinicId}#case#${status}`, never one of the inbox's own
 *   `${clinicId}#open|done` partitions), sorted by `receivedKey`: the next
 *   due time for open and acknowledged cases, the resolution time for
 *   resolved ones;
 * - the party index holds, under the one partition `#case-due` (no clinic id
 *   starts with `#`), only cases with a due time not yet reported overdue,
 *   sorted by that due time: the overdue sweep reads exactly the cases whose
 *   time has come, across clinics, without a scan.
 *
 * Cases never expire (no `expiresAt`). Write cost of a case under 1 KB: 3
 * units (item + two indexes); a status change that moves both keys, 5.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type FeedbackCase, nextDue, readCase } from '../../domain/cases/case';
import { ConflictError } from '../../domain/errors';
import type { CaseFilter, CaseRepository } from '../../ports/cases';
import type { Page } from '../../ports/repositories';
import { INDEX } from '../../tables';
import { decodeCursor, encodeCursor } from './cursor';
import { firstSortValue } from './due-index';
import { withoutKeys } from './versioned';

const STORAGE_KEYS = ['sk', 'inboxKey', 'partyKey', 'receivedKey'] as const;
const CASE_PREFIX = 'case#';

/** The party-index partition of cases waiting for a due time (see the module comment). */
export const CASE_DUE_PARTITION = '#case-due';

function caseKey(clinicId: string, caseId: string) {
  return { clinicId, sk: `${CASE_PREFIX}${caseId}` };
}

function statusKeyOf(clinicId: string, status: string): string {
  return `${clinicId}#case#${status}`;
}

/** The case with its storage keys. */
function itemOf(record: FeedbackCase): Record<string, unknown> {
  const due = nextDue(record);
  const sortAt =
    record.status === 'resolved' ? (record.resolvedAt ?? record.updatedAt) : (due?.at ?? record.resolveDueAt);
  return {
    ...record,
    ...caseKey(record.clinicId, record.caseId),
    inboxKey: statusKeyOf(record.clinicId, record.status),
    receivedKey: `${sortAt}#${record.clinicId}#${record.caseId}`,
    ...(due ? { partyKey: CASE_DUE_PARTITION } : {}),
  };
}

function toCase(item: Record<string, unknown>): FeedbackCase {
  return readCase(withoutKeys(item, STORAGE_KEYS));
}

/** The filter expression for the optional list filters. */
function filterOf(filter: CaseFilter) {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (filter.priority) {
    clauses.push('#priority = :priority');
    names['#priority'] = 'priority';
    values[':priority'] = filter.priority;
  }
  if (filter.category) {
    clauses.push('#category = :category');
    names['#category'] = 'category';
    values[':category'] = filter.category;
  }
  if (filter.overdue !== undefined) {
    // The same rule as overdueStages() in the domain: acknowledgement while open, resolution until resolved.
    const overdue =
      '((#status = :open AND acknowledgeDueAt <= :now) OR (#status <> :resolved AND resolveDueAt <= :now))';
    clauses.push(filter.overdue ? overdue : `NOT ${overdue}`);
    names['#status'] = 'status';
    Object.assign(values, { ':open': 'open', ':resolved': 'resolved', ':now': filter.now });
  }
  return clauses.length === 0
    ? {}
    : {
        FilterExpression: clauses.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      };
}

export class DynamoCaseRepository implements CaseRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(clinicId: string, caseId: string): Promise<FeedbackCase | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: caseKey(clinicId, caseId), ConsistentRead: true }),
    );
    return Item ? toCase(Item) : undefined;
  }

  async create(record: FeedbackCase): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: itemOf(record),
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async put(record: FeedbackCase, expectedVersion: number): Promise<void> {
    if (record.version !== expectedVersion + 1) {
      throw new RangeError(
        `case ${record.caseId}: version ${record.version} does not follow ${expectedVersion}`,
      );
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: itemOf(record),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const current = error.Item?.version?.N ? Number(error.Item.version.N) : undefined;
        throw new ConflictError(
          current === undefined
            ? `case ${record.caseId} does not exist`
            : `case ${record.caseId} is at version ${current}, not ${expectedVersion}`,
          current,
        );
      }
      throw error;
    }
  }

  async list(
    clinicId: string,
    filter: CaseFilter,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<Page<FeedbackCase>> {
    const filters = filterOf(filter);
    const query = {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.priority ? { priority: filter.priority } : {}),
      ...(filter.category ? { category: filter.category } : {}),
      ...(filter.overdue === undefined ? {} : { overdue: String(filter.overdue) }),
    };
    const limit = page.limit ?? 50;
    if (filter.status) {
      const inboxKey = statusKeyOf(clinicId, filter.status);
      const expected = {
        keys: ['clinicId', 'sk', 'inboxKey', 'receivedKey'],
        fixed: { clinicId, inboxKey },
        query,
        otherQuery: 'was returned for other filters; send the same filters',
      };
      const start = decodeCursor(page.cursor, expected);
      const { Items = [], LastEvaluatedKey } = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: INDEX.inboundInbox,
          KeyConditionExpression: 'inboxKey = :key',
          ...filters,
          ExpressionAttributeValues: { ...filters.ExpressionAttributeValues, ':key': inboxKey },
          ScanIndexForward: filter.status !== 'resolved',
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const cursor = encodeCursor(LastEvaluatedKey, query);
      return { items: Items.map(toCase), ...(cursor ? { cursor } : {}) };
    }
    const expected = {
      keys: ['clinicId', 'sk'],
      fixed: { clinicId },
      query,
      otherQuery: 'was returned for other filters; send the same filters',
    };
    const start = decodeCursor(page.cursor, expected);
    const { Items = [], LastEvaluatedKey } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'clinicId = :clinic AND begins_with(sk, :prefix)',
        ...filters,
        ExpressionAttributeValues: {
          ...filters.ExpressionAttributeValues,
          ':clinic': clinicId,
          ':prefix': CASE_PREFIX,
        },
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const cursor = encodeCursor(LastEvaluatedKey, query);
    return { items: Items.map(toCase), ...(cursor ? { cursor } : {}) };
  }

  async listUnresolved(clinicId: string): Promise<FeedbackCase[]> {
    const cases: FeedbackCase[] = [];
    for (const status of ['open', 'acknowledged'] as const) {
      let start: Record<string, unknown> | undefined;
      do {
        const { Items = [], LastEvaluatedKey } = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: INDEX.inboundInbox,
            KeyConditionExpression: 'inboxKey = :key',
            ExpressionAttributeValues: { ':key': statusKeyOf(clinicId, status) },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        cases.push(...Items.map(toCase));
        start = LastEvaluatedKey;
      } while (start);
    }
    return cases;
  }

  async earliestDueAt(): Promise<string | undefined> {
    const key = await firstSortValue(this.doc, {
      table: this.table,
      index: INDEX.inboundByParty,
      partition: ['partyKey', CASE_DUE_PARTITION],
      sortKey: 'receivedKey',
    });
    // The key starts with the due instant (`<at>#<clinicId>#<caseId>`).
    return key?.slice(0, key.indexOf('#'));
  }

  async listDue(until: string, limit: number): Promise<FeedbackCase[]> {
    // `~` sorts after `#`, so every key of the instant `until` itself is included.
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX.inboundByParty,
        KeyConditionExpression: 'partyKey = :key AND receivedKey < :until',
        ExpressionAttributeValues: { ':key': CASE_DUE_PARTITION, ':until': `${until}~` },
        Limit: limit,
      }),
    );
    return Items.map(toCase);
  }
}
