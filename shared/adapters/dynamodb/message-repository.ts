/**
 * The outbox in DynamoDB. Every state change is one conditional UpdateItem,
 * so two workers can never both move a message on; the loser gets a
 * MessageTransitionError carrying the item as it was.
 *
 * Write cost per delivered message (the design's budget is 6 write units):
 * create 2 (item + due index), claim 1 (no indexed attribute changes),
 * sending 2 (leaves the due index), sent 1. A delivery receipt adds 1 (the
 * item is out of the index by then).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DateTime } from 'luxon';
import { SETTINGS } from '../../config/settings';
import {
  type Channel,
  type MessageStatus,
  PRIORITIES,
  PRIORITY_RANK,
  type Priority,
} from '../../domain/constants';
import type { Message, Receipt, SurveyAnswer } from '../../domain/model';
import { CAP_REASON } from '../../domain/planning/frequency-cap';
import type { ReceiptPrecondition } from '../../domain/receipts';
import { readMessage, writableMessage } from '../../domain/stored';
import {
  type DueEntry,
  type DueSource,
  type MessageKey,
  type MessageRepository,
  MessageTransitionError,
  type Page,
  type SurveyAnswerWrite,
} from '../../ports/repositories';
import { DUE_SHARDS, INDEX } from '../../tables';
import { decodeCursor, encodeCursor } from './cursor';

/**
 * One partition of the due index. Email, and texts from the deployment's
 * shared number, spread over DUE_SHARDS shards per priority
 * (`${channel}#${priorityRank}#${shard}`: the layout from before numbers had
 * lanes, so texts planned before the upgrade are where the shared lane
 * reads). A clinic's own number has one partition per priority
 * (`sms@${clinicId}#${priorityRank}`): its rate is at most a short code's,
 * far below what one partition takes, and a number with nothing due costs
 * one empty query per priority.
 */
export type DuePartition =
  | { channel: Channel; priority: Priority; shard: number }
  | { channel: 'sms'; priority: Priority; clinicId: string };

const FAR_FUTURE = '9999-12-31T23:59:59.999Z';

/** Attributes that exist only in storage. */
const STORAGE_KEYS = ['pk', 'sk', 'dueShard', 'expiresAt'] as const;

/** FNV-1a: a stable, well-spread shard for a message id. */
export function shardOf(messageId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < messageId.length; i++) {
    hash ^= messageId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % DUE_SHARDS;
}

/**
 * The due-index partition of a pending message.
 *
 * @param message - its channel, priority, id, clinic and whether the clinic has its own number
 */
export function dueShardKey(message: {
  channel: Channel;
  priority: Priority;
  messageId: string;
  clinicId: string;
  ownNumber?: boolean | undefined;
}): string {
  return formatPartition(
    message.channel === 'sms' && message.ownNumber
      ? { channel: 'sms', priority: message.priority, clinicId: message.clinicId }
      : { channel: message.channel, priority: message.priority, shard: shardOf(message.messageId) },
  );
}

function formatPartition(partition: DuePartition): string {
  const rank = PRIORITY_RANK[partition.priority];
  return 'clinicId' in partition
    ? `sms@${partition.clinicId}#${rank}`
    : `${partition.channel}#${rank}#${partition.shard}`;
}

/** The partitions a source reads for one priority. */
export function partitionsOf(source: DueSource, priority: Priority): DuePartition[] {
  if (source.channel === 'sms' && source.lane === 'own')
    return [{ channel: 'sms', priority, clinicId: source.clinicId }];
  return Array.from({ length: DUE_SHARDS }, (_, shard) => ({ channel: source.channel, priority, shard }));
}

export function partitionKey(clinicId: string, patientId: string): string {
  return `${clinicId}#${patientId}`;
}

function keyOf(key: MessageKey) {
  return { pk: partitionKey(key.clinicId, key.patientId), sk: key.messageId };
}

function splitPartitionKey(pk: string): { clinicId: string; patientId: string } {
  const hash = pk.indexOf('#');
  return { clinicId: pk.slice(0, hash), patientId: pk.slice(hash + 1) };
}

function toMessage(item: Record<string, unknown>): Message {
  const record: Record<string, unknown> = { ...item };
  for (const key of STORAGE_KEYS) delete record[key];
  return readMessage(record);
}

/** The same answer (a retried delivery of the text or the page's POST), not a second one. */
function sameAnswer(stored: SurveyAnswer, answer: SurveyAnswer): boolean {
  return (
    stored.answeredAt === answer.answeredAt &&
    stored.via === answer.via &&
    stored.score === answer.score &&
    stored.inboundMessageId === answer.inboundMessageId
  );
}

function describe(key: MessageKey): string {
  return `message ${key.messageId} of clinic ${key.clinicId}`;
}

export interface MessageRepositoryOptions {
  /** How long a message stays after it reached a terminal state. */
  retentionDays: number;
}

export class DynamoMessageRepository implements MessageRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: MessageRepositoryOptions = {
      retentionDays: SETTINGS.messageRetentionDays.default,
    },
  ) {}

  private expiresAt(at: string): number {
    return Math.floor(
      DateTime.fromISO(at, { zone: 'utc' }).plus({ days: this.options.retentionDays }).toSeconds(),
    );
  }

  async get(key: MessageKey): Promise<Message | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keyOf(key), ConsistentRead: true }),
    );
    return Item ? toMessage(Item) : undefined;
  }

  private async queryAll(input: QueryCommandInput): Promise<Message[]> {
    const messages: Message[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          ...input,
          ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) messages.push(toMessage(item));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
    return messages;
  }

  listForAppointment(clinicId: string, patientId: string, appointmentId: string): Promise<Message[]> {
    return this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partitionKey(clinicId, patientId), ':prefix': `${appointmentId}#` },
      ConsistentRead: true,
    });
  }

  listForPatient(clinicId: string, patientId: string): Promise<Message[]> {
    return this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partitionKey(clinicId, patientId) },
      ConsistentRead: true,
    });
  }

  async create(message: Message): Promise<boolean> {
    const record = writableMessage(message);
    const item: Record<string, unknown> = { ...record, ...keyOf(record) };
    // A queued one was created claimed (sent at once): it stays in the index
    // while in flight, as a claimed one does, so a lapsed claim is swept up.
    if (record.status === 'pending' || record.status === 'queued') item.dueShard = dueShardKey(record);
    if (record.status === 'skipped' || record.status === 'sent' || record.status === 'failed') {
      item.expiresAt = this.expiresAt(record.finishedAt ?? record.updatedAt);
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * One page of due entries of one partition with dueAt < upTo, oldest first.
   * Pass the returned cursor back for the next page; none means the end.
   */
  async queryDue(
    partition: DuePartition,
    upTo: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<DueEntry>> {
    const exclusiveStart = decodeCursor(cursor, {
      keys: ['pk', 'sk', 'dueShard', 'dueAt'],
      fixed: { dueShard: formatPartition(partition) },
    });
    const { Items = [], LastEvaluatedKey } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX.messagesDue,
        KeyConditionExpression: 'dueShard = :shard AND dueAt < :upTo',
        ExpressionAttributeValues: { ':shard': formatPartition(partition), ':upTo': upTo },
        Limit: limit,
        ...(exclusiveStart ? { ExclusiveStartKey: exclusiveStart } : {}),
      }),
    );
    const next = encodeCursor(LastEvaluatedKey);
    const entries = Items.map((item) => ({
      key: { ...splitPartitionKey(String(item.pk)), messageId: String(item.sk) },
      dueAt: String(item.dueAt),
      notAfter: String(item.notAfter),
      priority: item.priority as Priority,
      channel: item.channel as Channel,
      rev: Number(item.rev),
      ownNumber: String(item.dueShard).startsWith('sms@'),
    }));
    return { items: entries, ...(next ? { cursor: next } : {}) };
  }

  async *dueOldestFirst(
    sources: readonly DueSource[],
    priority: Priority,
    upTo: string,
    pageSize: number,
  ): AsyncGenerator<DueEntry> {
    // A k-way merge of the partitions' pages: each is read in due order, so
    // the head with the oldest due time is the next entry overall.
    const shards = sources
      .flatMap((source) => partitionsOf(source, priority))
      .map((partition) => ({
        partition,
        buffer: [] as DueEntry[],
        cursor: undefined as string | undefined,
        done: false,
      }));
    const refill = async (state: (typeof shards)[number]) => {
      if (state.buffer.length > 0 || state.done) return;
      const page = await this.queryDue(state.partition, upTo, pageSize, state.cursor);
      state.buffer = page.items;
      state.cursor = page.cursor;
      state.done = page.cursor === undefined;
    };
    for (;;) {
      await Promise.all(shards.map(refill));
      let oldest: (typeof shards)[number] | undefined;
      for (const state of shards) {
        const head = state.buffer[0];
        if (head && (!oldest || head.dueAt < (oldest.buffer[0] as DueEntry).dueAt)) oldest = state;
      }
      const next = oldest?.buffer.shift();
      if (!next) return;
      yield next;
    }
  }

  async earliestDueAt(sources: readonly DueSource[]): Promise<string | undefined> {
    const heads = await Promise.all(
      sources.flatMap((source) =>
        PRIORITIES.flatMap((priority) =>
          partitionsOf(source, priority).map((partition) => this.queryDue(partition, FAR_FUTURE, 1)),
        ),
      ),
    );
    return heads
      .flatMap((page) => page.items)
      .map((entry) => entry.dueAt)
      .sort()
      .at(0);
  }

  /**
   * One conditional update. `condition` may use the placeholders #status,
   * #token, #rev and #leaseUntil. On a failed condition, throws
   * MessageTransitionError with the item as it was.
   */
  private async transition(
    key: MessageKey,
    update: {
      condition: string;
      values: Record<string, unknown>;
      /** Attribute names the condition uses beyond the standard placeholders. */
      names?: Record<string, string>;
      set: Record<string, unknown>;
      /** Attributes set only where the item has none yet. */
      setIfAbsent?: Record<string, unknown>;
      remove?: readonly string[];
      /** Counters to add one to (rev on every change that leaves or re-enters the index). */
      increment: readonly ('rev' | 'attempts')[];
      /**
       * True when the item already shows this very change (same token and
       * instant): the SDK retried a write whose answer was lost after it
       * committed. The change is then done, not lost.
       */
      alreadyDone: (current: Message) => boolean;
    },
    action: string,
  ): Promise<Message> {
    const names: Record<string, string> = {
      '#status': 'status',
      '#token': 'claimToken',
      '#rev': 'rev',
      '#leaseUntil': 'leaseUntil',
      ...update.names,
    };
    const values: Record<string, unknown> = { ...update.values };
    const assignments = Object.entries(update.set).map(([attribute, value], index) => {
      names[`#s${index}`] = attribute;
      values[`:s${index}`] = value;
      return `#s${index} = :s${index}`;
    });
    for (const [index, [attribute, value]] of Object.entries(update.setIfAbsent ?? {}).entries()) {
      names[`#a${index}`] = attribute;
      values[`:a${index}`] = value;
      assignments.push(`#a${index} = if_not_exists(#a${index}, :a${index})`);
    }
    for (const counter of update.increment) {
      names[`#${counter}`] = counter;
      values[':one'] = 1;
      assignments.push(`#${counter} = #${counter} + :one`);
    }
    const removals = (update.remove ?? []).map((attribute, index) => {
      names[`#r${index}`] = attribute;
      return `#r${index}`;
    });
    const expression = `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`;
    const condition = `attribute_exists(pk) AND ${update.condition}`;
    // DynamoDB rejects names that the expressions do not use.
    const used = `${expression} ${condition}`;
    for (const name of Object.keys(names)) if (!used.includes(name)) delete names[name];
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keyOf(key),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toMessage(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const current = error.Item ? toMessage(unmarshall(error.Item)) : undefined;
        if (current && update.alreadyDone(current)) return current;
        throw new MessageTransitionError(
          `${describe(key)} cannot ${action}: it is ${current ? `${current.status} (rev ${current.rev})` : 'missing'}`,
          current,
        );
      }
      throw error;
    }
  }

  private static statusIn(statuses: readonly MessageStatus[], values: Record<string, unknown>): string {
    const placeholders = statuses.map((status, index) => {
      values[`:from${index}`] = status;
      return `:from${index}`;
    });
    return `#status IN (${placeholders.join(', ')})`;
  }

  async claim(
    key: MessageKey,
    expectedRev: number,
    claim: { token: string; leaseUntil: string; at: string },
  ): Promise<void> {
    // rev is deliberately not bumped: it is projected into the due index, and
    // changing it here would cost an index write per message. The token
    // fences every later step instead.
    await this.transition(
      key,
      {
        condition:
          '#rev = :expectedRev AND (#status = :pending OR (#status = :queued AND #leaseUntil < :at))',
        values: { ':expectedRev': expectedRev, ':pending': 'pending', ':queued': 'queued', ':at': claim.at },
        set: {
          status: 'queued',
          claimToken: claim.token,
          leaseUntil: claim.leaseUntil,
          queuedAt: claim.at,
          updatedAt: claim.at,
        },
        increment: [],
        alreadyDone: (current) =>
          current.status === 'queued' && current.claimToken === claim.token && current.queuedAt === claim.at,
      },
      'be claimed',
    );
  }

  markSending(key: MessageKey, attempt: { token: string; attemptId: string; at: string }): Promise<Message> {
    const { token, attemptId, at } = attempt;
    return this.transition(
      key,
      {
        condition: '#status = :queued AND #token = :token',
        values: { ':queued': 'queued', ':token': token },
        set: { status: 'sending', sendingAt: at, attemptId, updatedAt: at },
        // Stays in the due index under its claim's lease, and leaves it when the
        // attempt ends: rev is projected there, so it is not bumped (no index write).
        remove: [],
        increment: ['attempts'],
        alreadyDone: (current) =>
          current.status === 'sending' && current.claimToken === token && current.attemptId === attemptId,
      },
      'start sending',
    );
  }

  markSent(
    key: MessageKey,
    token: string,
    result: { providerMessageId: string; channel: Channel; at: string; reason?: string },
  ): Promise<Message> {
    return this.transition(
      key,
      {
        condition: '#status = :sending AND #token = :token',
        values: { ':sending': 'sending', ':token': token },
        set: {
          status: 'sent',
          providerMessageId: result.providerMessageId,
          channel: result.channel,
          finishedAt: result.at,
          updatedAt: result.at,
          expiresAt: this.expiresAt(result.at),
          ...(result.reason ? { reason: result.reason } : {}),
        },
        remove: ['dueShard', 'leaseUntil', ...(result.reason ? [] : ['reason'])],
        increment: ['rev'],
        alreadyDone: (current) =>
          current.status === 'sent' && current.providerMessageId === result.providerMessageId,
      },
      'be marked sent',
    );
  }

  retakeLapsedAttempt(
    key: MessageKey,
    token: string,
    lease: { leaseUntil: string; at: string },
  ): Promise<Message> {
    return this.transition(
      key,
      {
        condition: '#status = :sending AND #token = :token AND #leaseUntil < :at',
        values: { ':sending': 'sending', ':token': token, ':at': lease.at },
        set: { leaseUntil: lease.leaseUntil, updatedAt: lease.at },
        increment: [],
        alreadyDone: (current) =>
          current.status === 'sending' &&
          current.claimToken === token &&
          current.leaseUntil === lease.leaseUntil,
      },
      'be taken back from a lapsed attempt',
    );
  }

  finish(
    key: MessageKey,
    token: string,
    outcome: { status: 'failed' | 'unknown' | 'skipped'; reason: string; at: string },
    from: readonly MessageStatus[],
  ): Promise<Message> {
    const values: Record<string, unknown> = { ':token': token };
    return this.transition(
      key,
      {
        condition: `${DynamoMessageRepository.statusIn(from, values)} AND #token = :token`,
        values,
        set: {
          status: outcome.status,
          reason: outcome.reason,
          finishedAt: outcome.at,
          updatedAt: outcome.at,
          expiresAt: this.expiresAt(outcome.at),
          // Kept when a receipt settles it later: the send ended unknown, and is counted so.
          ...(outcome.status === 'unknown' ? { unknownAt: outcome.at } : {}),
        },
        remove: ['dueShard', 'leaseUntil'],
        increment: ['rev'],
        alreadyDone: (current) =>
          current.status === outcome.status &&
          current.reason === outcome.reason &&
          current.finishedAt === outcome.at &&
          current.claimToken === token,
      },
      `be marked ${outcome.status}`,
    );
  }

  reschedule(
    key: MessageKey,
    token: string,
    next: {
      dueAt: string;
      channel: Channel;
      priority: Priority;
      reason: string;
      failedChannels?: readonly Channel[];
      ownNumber?: boolean | undefined;
      at: string;
    },
    from: readonly MessageStatus[],
  ): Promise<Message> {
    const values: Record<string, unknown> = { ':token': token };
    return this.transition(
      key,
      {
        condition: `${DynamoMessageRepository.statusIn(from, values)} AND #token = :token`,
        values,
        set: {
          status: 'pending',
          dueAt: next.dueAt,
          channel: next.channel,
          reason: next.reason,
          dueShard: dueShardKey({
            ...key,
            channel: next.channel,
            priority: next.priority,
            ownNumber: next.ownNumber,
          }),
          updatedAt: next.at,
          ...(next.failedChannels?.length ? { failedChannels: [...next.failedChannels] } : {}),
        },
        // sendingAt is the start of the attempt now sending or the one that ended
        // the message: an attempt given back is none of those (messageOutcomeOf).
        remove: ['claimToken', 'leaseUntil', 'sendingAt'],
        increment: ['rev'],
        alreadyDone: (current) =>
          current.status === 'pending' &&
          current.dueAt === next.dueAt &&
          current.reason === next.reason &&
          current.updatedAt === next.at,
      },
      'be rescheduled',
    );
  }

  async recordReceipt(
    key: MessageKey,
    change: {
      precondition: ReceiptPrecondition;
      receipt: Receipt;
      reason?: string;
      providerMessageId?: string;
      at: string;
    },
  ): Promise<{ message: Message; repeated: boolean }> {
    const { precondition, receipt, reason, providerMessageId, at } = change;
    const values: Record<string, unknown> = {};
    let condition = DynamoMessageRepository.statusIn(precondition.statuses, values);
    if (precondition.overturnable.length > 0) {
      values[':delivered'] = 'delivered';
      const events = precondition.overturnable.map((event, index) => {
        values[`:weak${index}`] = event;
        return `:weak${index}`;
      });
      condition = `(${condition} OR (#status = :delivered AND #receipt.#event IN (${events.join(', ')})))`;
    }
    let repeated = false;
    const message = await this.transition(
      key,
      {
        condition,
        values,
        names: { '#receipt': 'receipt', '#event': 'event' },
        set: {
          status: precondition.status,
          receipt,
          updatedAt: at,
          ...(reason ? { reason } : {}),
        },
        // A message settled `unknown` (the provider's answer was lost) learns its provider id from the receipt.
        ...(providerMessageId ? { setIfAbsent: { providerMessageId } } : {}),
        increment: [],
        alreadyDone: (current) => {
          repeated =
            current.status === precondition.status &&
            current.receipt?.event === receipt.event &&
            current.receipt.at === receipt.at;
          return repeated;
        },
      },
      `be marked ${precondition.status}`,
    );
    return { message, repeated };
  }

  async recordSurveyAnswer(key: MessageKey, answer: SurveyAnswer, at: string): Promise<SurveyAnswerWrite> {
    // No rev bump: a sent survey is out of the due index, and rev fences only the sweep.
    let outcome: SurveyAnswerWrite['outcome'] = 'recorded';
    const message = await this.transition(
      key,
      {
        condition: '#kind = :survey AND attribute_not_exists(#answer)',
        values: { ':survey': 'survey' },
        names: { '#kind': 'kind', '#answer': 'surveyAnswer' },
        set: { surveyAnswer: answer, updatedAt: at },
        increment: [],
        alreadyDone: (current) => {
          if (current.kind !== 'survey' || !current.surveyAnswer) return false;
          outcome = sameAnswer(current.surveyAnswer, answer) ? 'replayed' : 'answered-before';
          return true;
        },
      },
      'take a survey answer',
    );
    return { outcome, message };
  }

  async recordSurveyComment(
    survey: Message,
    comment: NonNullable<SurveyAnswer['comment']>,
    at: string,
  ): Promise<SurveyAnswerWrite | { outcome: 'unanswered'; message: Message }> {
    const current = survey;
    if (!current.surveyAnswer) return { outcome: 'unanswered', message: current };
    const key = { clinicId: survey.clinicId, patientId: survey.patientId, messageId: survey.messageId };
    let outcome: SurveyAnswerWrite['outcome'] = 'recorded';
    const message = await this.transition(
      key,
      {
        // The answer as the caller read it (answers never change once written), and still no comment.
        condition:
          'attribute_exists(#answer) AND attribute_not_exists(#answer.#comment) AND #answer.#answeredAt = :answeredAt',
        values: { ':answeredAt': current.surveyAnswer.answeredAt },
        names: { '#answer': 'surveyAnswer', '#comment': 'comment', '#answeredAt': 'answeredAt' },
        set: { surveyAnswer: { ...current.surveyAnswer, comment }, updatedAt: at },
        increment: [],
        alreadyDone: (stored) => {
          const kept = stored.surveyAnswer?.comment;
          if (!kept) return false;
          outcome =
            kept.at === comment.at && kept.inboundMessageId === comment.inboundMessageId
              ? 'replayed'
              : 'answered-before';
          return true;
        },
      },
      'take a survey comment',
    );
    return { outcome, message };
  }

  withdraw(key: MessageKey, change: { reason: string; planVersion?: number; at: string }): Promise<Message> {
    return this.transition(
      key,
      {
        // A reminder the frequency cap skipped may still come back (reinstate);
        // withdrawing it for its visit's move or end closes it for good.
        condition: '(#status IN (:pending, :queued) OR (#status = :skipped AND #why = :capped))',
        names: { '#why': 'reason' },
        values: { ':pending': 'pending', ':queued': 'queued', ':skipped': 'skipped', ':capped': CAP_REASON },
        set: {
          status: 'skipped',
          reason: change.reason,
          finishedAt: change.at,
          updatedAt: change.at,
          expiresAt: this.expiresAt(change.at),
          ...(change.planVersion === undefined ? {} : { planVersion: change.planVersion }),
        },
        remove: ['dueShard', 'leaseUntil', 'claimToken'],
        increment: ['rev'],
        alreadyDone: (current) =>
          current.status === 'skipped' &&
          current.reason === change.reason &&
          current.finishedAt === change.at,
      },
      'be withdrawn',
    );
  }

  reinstate(message: Message, at: string): Promise<Message> {
    const key = { clinicId: message.clinicId, patientId: message.patientId, messageId: message.messageId };
    // Out of quiet hours when planned: the reason the timeline shows for the moved time.
    const moved = message.plannedAt !== undefined && message.plannedAt !== message.dueAt;
    return this.transition(
      key,
      {
        condition: '#status = :skipped AND #why = :capped',
        names: { '#why': 'reason' },
        values: { ':skipped': 'skipped', ':capped': CAP_REASON },
        set: {
          status: 'pending',
          dueShard: dueShardKey(message),
          updatedAt: at,
          ...(moved ? { reason: 'quiet-hours' } : {}),
        },
        remove: ['finishedAt', 'expiresAt', ...(moved ? [] : ['reason'])],
        increment: ['rev'],
        alreadyDone: (current) => current.status === 'pending' && current.updatedAt === at,
      },
      'be reinstated',
    );
  }
}
