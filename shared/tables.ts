/**
 * The one definition of every DynamoDB table: keys, indexes, stream and TTL.
 * The CDK stack (infra/) and the test and local harnesses (shared/adapters/dynamodb/create-tables.ts)
 * both build their tables from here, so the two cannot drift.
 *
 * Every base-table key starts with the clinic id. The due index is the one
 * cross-clinic structure: the send rate is the account's, so one sweep serves
 * every clinic.
 */

export type KeyType = 'S' | 'N';

export interface KeyAttribute {
  name: string;
  type: KeyType;
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  projection: { type: 'ALL' } | { type: 'KEYS_ONLY' } | { type: 'INCLUDE'; nonKeyAttributes: string[] };
}

export interface TableDefinition {
  /** Logical name; physical names get a prefix (stack or test file). */
  id: TableId;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalIndexes: IndexDefinition[];
  /**
   * Indexes an earlier release had and this one no longer reads. DynamoDB
   * adds or drops one index per table update, so an index replaced by
   * another (a new projection is a new index) is kept beside its successor
   * for the deploy that adds the successor (`-c keepRetiredIndexes=true`,
   * docs/deploy.md "Upgrading"), then dropped by the next plain deploy.
   * Never built in DynamoDB Local or the tests: nothing queries them.
   */
  retiredIndexes?: IndexDefinition[];
  stream?: 'NEW_AND_OLD_IMAGES';
  /** Attribute holding epoch seconds after which DynamoDB may delete the item. */
  ttlAttribute?: string;
}

export type TableId = 'clinics' | 'patients' | 'appointments' | 'messages' | 'inbound';

/**
 * Number of shards per (channel, priority) in the due index. Planning writes
 * spread over them and the sweep reads all of them, so changing it while
 * messages are pending would strand the ones in removed shards.
 */
export const DUE_SHARDS = 4;

export const INDEX = {
  patientsByPhone: 'byPhone',
  appointmentsByStart: 'byStartKeys',
  messagesDue: 'due',
  inboundInbox: 'inbox',
  inboundByParty: 'byParty',
} as const;

export const TABLES: Record<TableId, TableDefinition> = {
  clinics: {
    id: 'clinics',
    partitionKey: { name: 'clinicId', type: 'S' },
    globalIndexes: [],
  },
  patients: {
    id: 'patients',
    partitionKey: { name: 'clinicId', type: 'S' },
    sortKey: { name: 'patientId', type: 'S' },
    globalIndexes: [
      {
        // `${clinicId}#${phone}`: an inbound text names the number it came from
        // and the clinic number it was sent to.
        indexName: INDEX.patientsByPhone,
        partitionKey: { name: 'phoneKey', type: 'S' },
        sortKey: { name: 'patientId', type: 'S' },
        projection: { type: 'KEYS_ONLY' },
      },
    ],
  },
  appointments: {
    id: 'appointments',
    partitionKey: { name: 'clinicId', type: 'S' },
    sortKey: { name: 'appointmentId', type: 'S' },
    stream: 'NEW_AND_OLD_IMAGES',
    globalIndexes: [
      {
        // Keys only, so that a change that keeps the start (a confirmation, a
        // cancellation, a new note) writes the table alone: one write unit
        // instead of two (docs/benchmarks.md, "Applying a reply"). Lists read
        // each appointment from the table after the index names it.
        indexName: INDEX.appointmentsByStart,
        partitionKey: { name: 'clinicId', type: 'S' },
        sortKey: { name: 'startAt', type: 'S' },
        projection: { type: 'KEYS_ONLY' },
      },
    ],
    retiredIndexes: [
      {
        // Until the release with `byStartKeys`: the same keys, every attribute projected.
        indexName: 'byStart',
        partitionKey: { name: 'clinicId', type: 'S' },
        sortKey: { name: 'startAt', type: 'S' },
        projection: { type: 'ALL' },
      },
    ],
  },
  messages: {
    id: 'messages',
    // pk = `${clinicId}#${patientId}`; sk = message id, which begins with the
    // appointment id. So the table's own key is the index by appointment
    // (begins_with(sk, `${appointmentId}#`)) and by patient (the whole
    // partition, which the frequency cap reads), without the extra index
    // write per message that a separate index would cost.
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    ttlAttribute: 'expiresAt',
    globalIndexes: [
      {
        // Sparse: only items still to send carry `dueShard`
        // (`${channel}#${priorityRank}#${shard}`). Projects just what the
        // sweep needs; none of these attributes change while an item is in
        // the index, so a claim does not write the index.
        indexName: INDEX.messagesDue,
        partitionKey: { name: 'dueShard', type: 'S' },
        sortKey: { name: 'dueAt', type: 'S' },
        projection: { type: 'INCLUDE', nonKeyAttributes: ['priority', 'channel', 'rev', 'notAfter'] },
      },
    ],
  },
  inbound: {
    id: 'inbound',
    // pk = clinic id; sk = `in#${inboundMessageId}` for a text (so a second
    // delivery of one text is a failed conditional put, never a second
    // record) or `number#${e164}` for a number's texted STOP/START state when
    // no patient has the number.
    partitionKey: { name: 'clinicId', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    ttlAttribute: 'expiresAt',
    globalIndexes: [
      {
        // Sparse: only texts that need a person (`${clinicId}#open` or
        // `${clinicId}#done`), newest first by `${receivedAt}#${id}`.
        indexName: INDEX.inboundInbox,
        partitionKey: { name: 'inboxKey', type: 'S' },
        sortKey: { name: 'receivedKey', type: 'S' },
        projection: { type: 'ALL' },
      },
      {
        // Every text in exactly one party: its patient (`${clinicId}#p#${patientId}`,
        // the conversation) or, unmatched, its number (`${clinicId}#n#${e164}`).
        // One index instead of one by patient and one by number keeps a
        // reply's record at two write units.
        indexName: INDEX.inboundByParty,
        partitionKey: { name: 'partyKey', type: 'S' },
        sortKey: { name: 'receivedKey', type: 'S' },
        projection: { type: 'ALL' },
      },
    ],
  },
};

/** Physical table names for one deployment or test run. */
export type TableNames = Record<TableId, string>;

/**
 * The tables every function that plans or sends names in its environment;
 * the inbound table is named only where two-way SMS is handled or shown.
 */
export type PipelineTableNames = Record<Exclude<TableId, 'inbound'>, string>;

/** Table names with a common prefix (`test-3f2a-clinics`). */
export function prefixedTableNames(prefix: string): TableNames {
  return {
    clinics: `${prefix}clinics`,
    patients: `${prefix}patients`,
    appointments: `${prefix}appointments`,
    messages: `${prefix}messages`,
    inbound: `${prefix}inbound`,
  };
}

/**
 * What turns one set of indexes into another, each index given by name and
 * a shape (its keys and projection, as a comparable string): the indexes to
 * drop (gone, or reshaped) and to add (new, or reshaped). DynamoDB does one
 * of these per table update; a reshaped index is both.
 *
 * @param before - name → shape now
 * @param after - name → shape wanted
 */
export function indexChanges(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): { dropped: string[]; added: string[] } {
  const changed = (from: ReadonlyMap<string, string>, to: ReadonlyMap<string, string>) =>
    [...from].filter(([name, shape]) => to.get(name) !== shape).map(([name]) => name);
  return { dropped: changed(before, after), added: changed(after, before) };
}
