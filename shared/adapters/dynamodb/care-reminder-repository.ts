/**
 * Care reminders in the messages table, as broadcasts are (no table of
 * their own for a few records a patient): a clinic's care reminders live
 * in its `~care` partition (`pk = ${clinicId}#~care`, `sk =
 * ${patientId}#${reminderId}`), so one query lists a patient's and no
 * patient partition (the frequency cap's read) holds them.
 *
 * While the pipeline has something to do for one (plan it after a change,
 * roll it forward after its due date) the item sits in the sparse due index
 * under the partition `~care`, due at `planAt`, so the per-minute run finds
 * every clinic's with one query and a quiet minute costs one empty read.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type CareReminder, CareReminderSchema } from '../../domain/care/reminder';
import { ConflictError } from '../../domain/errors';
import type {
  CareReminderKey,
  CareReminderRepository,
  ExpectedVersion,
  Page,
} from '../../ports/repositories';
import { INDEX } from '../../tables';
import { queryPage } from './cursor';
import { earliestInShard } from './due-index';
import { putVersioned, withoutKeys } from './versioned';

/** The due-index partition of care reminders the pipeline has to plan. */
export const CARE_PLAN_SHARD = '~care';

const STORAGE_KEYS = ['pk', 'sk', 'dueShard', 'dueAt'] as const;
const PARTITION_SUFFIX = '#~care';

const partitionOf = (clinicId: string) => `${clinicId}${PARTITION_SUFFIX}`;

function readReminder(item: Record<string, unknown>): CareReminder {
  // Shape only: the record was checked whole when it was written.
  return CareReminderSchema.parse(withoutKeys(item, STORAGE_KEYS));
}

/** The stored item: keys, and the due index's entry while a planning is due. */
function itemOf(reminder: CareReminder): Record<string, unknown> & { version: number } {
  return {
    ...reminder,
    pk: partitionOf(reminder.clinicId),
    sk: `${reminder.patientId}#${reminder.reminderId}`,
    ...(reminder.planAt ? { dueShard: CARE_PLAN_SHARD, dueAt: reminder.planAt } : {}),
  };
}

function describe(reminder: CareReminder): string {
  return `care reminder ${reminder.reminderId} of patient ${reminder.patientId} of clinic ${reminder.clinicId}`;
}

export class DynamoCareReminderRepository implements CareReminderRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(key: CareReminderKey): Promise<CareReminder | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: partitionOf(key.clinicId), sk: `${key.patientId}#${key.reminderId}` },
        ConsistentRead: true,
      }),
    );
    return Item ? readReminder(Item) : undefined;
  }

  async put(reminder: CareReminder, expectedVersion: ExpectedVersion): Promise<void> {
    const valid = CareReminderSchema.parse(reminder);
    await putVersioned(this.doc, this.table, itemOf(valid), expectedVersion, 'pk', describe(valid));
  }

  async putPlanned(reminder: CareReminder): Promise<void> {
    const valid = CareReminderSchema.parse(reminder);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: itemOf(valid),
          // The version read: a staff change meanwhile (a new version) wins.
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': valid.version },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`${describe(valid)} changed meanwhile`);
      }
      throw error;
    }
  }

  async listForPatient(
    clinicId: string,
    patientId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<Page<CareReminder>> {
    return queryPage(
      this.doc,
      { keys: ['pk', 'sk'], fixed: { pk: partitionOf(clinicId) } },
      page,
      50,
      (start) =>
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :patient)',
          ExpressionAttributeValues: { ':pk': partitionOf(clinicId), ':patient': `${patientId}#` },
          ConsistentRead: true,
          ...start,
        }),
      readReminder,
    );
  }

  async earliestPlanAt(): Promise<string | undefined> {
    return earliestInShard(this.doc, this.table, CARE_PLAN_SHARD);
  }

  async dueForPlanning(upTo: string, limit: number): Promise<CareReminderKey[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX.messagesDue,
        KeyConditionExpression: 'dueShard = :shard AND dueAt <= :upTo',
        ExpressionAttributeValues: { ':shard': CARE_PLAN_SHARD, ':upTo': upTo },
        Limit: limit,
      }),
    );
    return Items.map((item) => {
      const sk = String(item.sk);
      const split = sk.indexOf('#');
      return {
        clinicId: String(item.pk).slice(0, -PARTITION_SUFFIX.length),
        patientId: sk.slice(0, split),
        reminderId: sk.slice(split + 1),
      };
    });
  }
}
