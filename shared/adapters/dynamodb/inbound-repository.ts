/**
 * Inbound texts and the staff inbox in DynamoDB (TABLES.inbound).
 *
 * One item per text, keyed `in#${inboundMessageId}` under the clinic, and
 * written with a conditional put, so a second delivery of a text never
 * makes a second record. Two sparse-by-design indexes read it back: the
 * inbox (only texts that need a person, by state, newest first) and the
 * party (every text under its patient, or under its number when it matched
 * none: the conversation, and what the loop guard reads).
 *
 * Write cost of one text under 1 KB: 2 units (item + party index), 3 when
 * it enters the inbox; marking it done moves its inbox key (3 more: item,
 * inbox delete + put, party rewrite of the projected item).
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
import { DateTime } from 'luxon';
import { SETTINGS } from '../../config/settings';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { InboundMessage, InboundState } from '../../domain/model';
import type { SmsOptState } from '../../domain/replies/consent';
import { readInbound, writableInbound } from '../../domain/stored';
import type { ExpectedVersion, InboundRepository, NumberOptState, Page } from '../../ports/repositories';
import { INDEX } from '../../tables';
import { type CursorExpectation, queryPage } from './cursor';
import { withoutKeys } from './versioned';

/** Attributes that exist only in storage. */
const STORAGE_KEYS = ['sk', 'inboxKey', 'partyKey', 'receivedKey', 'expiresAt'] as const;

const TEXT_PREFIX = 'in#';
const NUMBER_PREFIX = 'number#';

function textKey(clinicId: string, inboundMessageId: string) {
  return { clinicId, sk: `${TEXT_PREFIX}${inboundMessageId}` };
}

/** The party of a text: its patient, or its number when no patient matched. */
export function partyKeyOf(inbound: Pick<InboundMessage, 'clinicId' | 'patientId' | 'from'>): string {
  return inbound.patientId === undefined
    ? `${inbound.clinicId}#n#${inbound.from}`
    : `${inbound.clinicId}#p#${inbound.patientId}`;
}

function inboxKeyOf(clinicId: string, state: InboundState): string {
  return `${clinicId}#${state}`;
}

function receivedKeyOf(inbound: Pick<InboundMessage, 'receivedAt' | 'inboundMessageId'>): string {
  return `${inbound.receivedAt}#${inbound.inboundMessageId}`;
}

function toInbound(item: Record<string, unknown>): InboundMessage {
  return readInbound(withoutKeys(item, STORAGE_KEYS));
}

function describe(clinicId: string, inboundMessageId: string): string {
  return `inbound message ${inboundMessageId} of clinic ${clinicId}`;
}

export interface InboundRepositoryOptions {
  /**
   * How long a text is kept once nobody needs to act on it: from receipt
   * for a text that needed nobody, from `done` for an inbox text. An open
   * text is never expired.
   */
  retentionDays: number;
}

export class DynamoInboundRepository implements InboundRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: InboundRepositoryOptions = {
      retentionDays: SETTINGS.messageRetentionDays.default,
    },
  ) {}

  private expiresAt(at: string): number {
    return Math.floor(
      DateTime.fromISO(at, { zone: 'utc' }).plus({ days: this.options.retentionDays }).toSeconds(),
    );
  }

  async get(clinicId: string, inboundMessageId: string): Promise<InboundMessage | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: textKey(clinicId, inboundMessageId),
        ConsistentRead: true,
      }),
    );
    return Item ? toInbound(Item) : undefined;
  }

  async record(inbound: InboundMessage): Promise<boolean> {
    const valid = writableInbound(inbound);
    const item: Record<string, unknown> = {
      ...valid,
      ...textKey(valid.clinicId, valid.inboundMessageId),
      partyKey: partyKeyOf(valid),
      receivedKey: receivedKeyOf(valid),
      ...(valid.state ? { inboxKey: inboxKeyOf(valid.clinicId, valid.state) } : {}),
      ...(valid.state === 'open'
        ? {}
        : {
            expiresAt: this.expiresAt(
              valid.state === 'done' ? (valid.doneAt ?? valid.recordedAt) : valid.receivedAt,
            ),
          }),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async listByState(
    clinicId: string,
    state: InboundState,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<Page<InboundMessage>> {
    const inboxKey = inboxKeyOf(clinicId, state);
    return this.page(
      { keys: ['clinicId', 'sk', 'inboxKey', 'receivedKey'], fixed: { clinicId, inboxKey } },
      page,
      (start) =>
        new QueryCommand({
          TableName: this.table,
          IndexName: INDEX.inboundInbox,
          KeyConditionExpression: 'inboxKey = :key',
          ExpressionAttributeValues: { ':key': inboxKey },
          ScanIndexForward: false,
          ...start,
        }),
    );
  }

  async listForPatient(
    clinicId: string,
    patientId: string,
    page: { limit?: number; cursor?: string; newestFirst?: boolean; before?: string } = {},
  ): Promise<Page<InboundMessage>> {
    const partyKey = partyKeyOf({ clinicId, patientId, from: '' });
    const order = page.newestFirst ? 'newest-first' : 'oldest-first';
    const { before } = page;
    return this.page(
      {
        keys: ['clinicId', 'sk', 'partyKey', 'receivedKey'],
        fixed: { clinicId, partyKey },
        query: { order, ...(before === undefined ? {} : { before }) },
        otherQuery: 'was returned for another order or bound; send the same ones',
      },
      page,
      (start) =>
        new QueryCommand({
          TableName: this.table,
          IndexName: INDEX.inboundByParty,
          KeyConditionExpression:
            before === undefined ? 'partyKey = :key' : 'partyKey = :key AND receivedKey < :before',
          ExpressionAttributeValues: {
            ':key': partyKey,
            ...(before === undefined ? {} : { ':before': before }),
          },
          ScanIndexForward: !page.newestFirst,
          ...start,
        }),
    );
  }

  listUnmatchedFromNumber(clinicId: string, number: string, since: string): Promise<InboundMessage[]> {
    return this.since(partyKeyOf({ clinicId, from: number }), since);
  }

  listForPatientSince(clinicId: string, patientId: string, since: string): Promise<InboundMessage[]> {
    return this.since(partyKeyOf({ clinicId, patientId, from: '' }), since);
  }

  async setState(
    clinicId: string,
    inboundMessageId: string,
    change: { state: InboundState; at: string; by: string },
  ): Promise<InboundMessage> {
    const what = describe(clinicId, inboundMessageId);
    const current = await this.get(clinicId, inboundMessageId);
    if (!current) throw new NotFoundError(`${what} does not exist`);
    if (current.state === undefined) {
      throw new ConflictError(`${what} needs nobody (it is not in the inbox)`, current.version);
    }
    if (current.state === change.state) return current;
    const done = change.state === 'done';
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: textKey(clinicId, inboundMessageId),
          ConditionExpression: '#version = :expected',
          UpdateExpression: done
            ? 'SET #state = :state, inboxKey = :inboxKey, doneAt = :at, doneBy = :by, #version = :next, expiresAt = :expiresAt'
            : 'SET #state = :state, inboxKey = :inboxKey, #version = :next REMOVE doneAt, doneBy, expiresAt',
          ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
          ExpressionAttributeValues: {
            ':state': change.state,
            ':inboxKey': inboxKeyOf(clinicId, change.state),
            ':expected': current.version,
            ':next': current.version + 1,
            ...(done ? { ':at': change.at, ':by': change.by, ':expiresAt': this.expiresAt(change.at) } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toInbound(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`${what} changed meanwhile; read it again`, current.version);
      }
      throw error;
    }
  }

  async assign(
    clinicId: string,
    inboundMessageId: string,
    change: { to: string | undefined; at: string },
  ): Promise<InboundMessage> {
    const what = describe(clinicId, inboundMessageId);
    const current = await this.get(clinicId, inboundMessageId);
    if (!current) throw new NotFoundError(`${what} does not exist`);
    if (current.state === undefined) {
      throw new ConflictError(`${what} needs nobody (it is not in the inbox)`, current.version);
    }
    if (current.state === 'done') {
      throw new ConflictError(`${what} is done; only an open text is assigned`, current.version);
    }
    if (current.assignedTo === change.to) return current;
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: textKey(clinicId, inboundMessageId),
          // Open and at the version read: a text marked done meanwhile is not assigned.
          ConditionExpression: '#version = :expected AND #state = :open',
          UpdateExpression:
            change.to === undefined
              ? 'SET #version = :next REMOVE assignedTo, assignedAt'
              : 'SET assignedTo = :to, assignedAt = :at, #version = :next',
          ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
          ExpressionAttributeValues: {
            ':open': 'open',
            ':expected': current.version,
            ':next': current.version + 1,
            ...(change.to === undefined ? {} : { ':to': change.to, ':at': change.at }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toInbound(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`${what} changed meanwhile; read it again`, current.version);
      }
      throw error;
    }
  }

  async getNumberOptState(clinicId: string, number: string): Promise<NumberOptState | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { clinicId, sk: `${NUMBER_PREFIX}${number}` },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return {
      clinicId,
      number,
      state: (Item.state ?? {}) as SmsOptState,
      version: Number(Item.version),
      updatedAt: String(Item.updatedAt),
    };
  }

  async putNumberOptState(record: NumberOptState, expectedVersion: ExpectedVersion): Promise<void> {
    const nextVersion = expectedVersion === null ? 1 : expectedVersion + 1;
    if (record.version !== nextVersion) {
      throw new RangeError(
        `number state: version ${record.version} does not follow ${expectedVersion ?? 'nothing'}`,
      );
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            clinicId: record.clinicId,
            sk: `${NUMBER_PREFIX}${record.number}`,
            state: record.state,
            version: record.version,
            updatedAt: record.updatedAt,
          },
          ...(expectedVersion === null
            ? { ConditionExpression: 'attribute_not_exists(sk)' }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // Ids only: the key holds a phone number.
        throw new ConflictError(`a number's opt-out state of clinic ${record.clinicId} changed meanwhile`);
      }
      throw error;
    }
  }

  /** One page of an index query (queryPage), read as inbound texts. */
  private page(
    expected: CursorExpectation,
    page: { limit?: number; cursor?: string },
    query: (start: Pick<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>) => QueryCommand,
  ): Promise<Page<InboundMessage>> {
    return queryPage(this.doc, expected, page, 50, query, toInbound);
  }

  /** Every text of a party received at or after `since`, oldest first. */
  private async since(partyKey: string, since: string): Promise<InboundMessage[]> {
    const items: InboundMessage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: INDEX.inboundByParty,
          KeyConditionExpression: 'partyKey = :key AND receivedKey >= :since',
          ExpressionAttributeValues: { ':key': partyKey, ':since': since },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...Items.map(toInbound));
      start = LastEvaluatedKey;
    } while (start);
    return items;
  }
}
