/**
 * One call per dependency of a function: it sets the environment variable
 * the handler reads AND grants exactly the permission that variable implies,
 * so configuration and IAM cannot drift apart. Every statement names exact
 * resources; KMS use is allowed only through the service that needs it
 * (`kms:ViaService`).
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  type DlqDestinationConfig,
  type EventSourceMapping,
  type IEventSourceDlq,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import type { INDEX } from '../../shared/tables';
import { acknowledge } from '../compliance';
import { allowOn, sendToQueueStatements, viaService } from './iam';
import type { EnvKey, EnvSchema, ReminderFunction } from './reminder-function';
import type { DefinedTable } from './tables';

/**
 * Item actions a function may be granted on a table's own key. Scan,
 * DeleteItem and the batch writes are not among them: no function reads a
 * whole table, and none deletes (finished messages expire by TTL;
 * appointments are cancelled, not deleted), so a compromised function can
 * neither dump nor erase records.
 */
export type ItemAction = 'GetItem' | 'Query' | 'PutItem' | 'UpdateItem';

/** An index of one of the tables (shared/tables.ts). */
export type IndexName = (typeof INDEX)[keyof typeof INDEX];

/**
 * What one function does with one table, action by action and index by
 * index: exactly what its code calls (test/infra/least-privilege.test.ts
 * reads both the code and the policy and compares them).
 */
export interface TableUse {
  /** Actions on the table's own key (`Query` here reads the base table only). */
  readonly items?: readonly ItemAction[];
  /** Indexes the function queries; no other action is ever granted on an index. */
  readonly queries?: readonly IndexName[];
}

const WRITES: ReadonlySet<ItemAction> = new Set(['PutItem', 'UpdateItem']);

const KEY_DECRYPT = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_ENCRYPT = ['kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * Names a table in the function's environment and grants exactly the item
 * actions and index queries given, each by exact ARN, plus use of the
 * table's key through DynamoDB (decrypt to read, encrypt as well to write).
 *
 * @param fn - the function
 * @param defined - the table and its definition
 * @param use - the actions on the table and the indexes queried
 * @param key - the env variable that carries the table name
 */
export function useTable<S extends EnvSchema>(
  fn: ReminderFunction<S>,
  defined: DefinedTable,
  use: TableUse,
  key: EnvKey<S>,
): void {
  const { table, definition } = defined;
  const items = [...new Set(use.items ?? [])];
  const queries = [...new Set(use.queries ?? [])];
  if (items.length === 0 && queries.length === 0) {
    throw new Error(`${fn.node.path}: ${key} grants nothing; use useTableName and say why`);
  }
  const known = new Set(definition.globalIndexes.map((index) => index.indexName));
  for (const index of queries) {
    if (!known.has(index)) throw new Error(`${fn.node.path}: ${definition.id} has no index ${index}`);
  }
  if (items.length > 0)
    fn.allow(
      allowOn(
        items.map((action) => `dynamodb:${action}`),
        [table.tableArn],
      ),
    );
  if (queries.length > 0) {
    fn.allow(
      allowOn(
        ['dynamodb:Query'],
        queries.map((index) => `${table.tableArn}/index/${index}`),
      ),
    );
  }
  if (table.encryptionKey) {
    const writes = items.some((action) => WRITES.has(action));
    fn.allow(
      allowOn(
        writes ? [...KEY_DECRYPT, ...KEY_ENCRYPT] : KEY_DECRYPT,
        [table.encryptionKey.keyArn],
        viaService(fn, 'dynamodb'),
      ),
    );
  }
  fn.setEnv(key, table.tableName);
}

/**
 * Names a table the handler's env schema requires but the function never
 * touches (every handler parses the same four table names): the name, and
 * deliberately no permission. Give the reason, so a later change that
 * starts using the table knows to switch to {@link useTable}.
 *
 * @param fn - the function
 * @param defined - the table
 * @param key - the env variable that carries the table name
 * @param unusedBecause - why the function needs no access
 */
export function useTableName<S extends EnvSchema>(
  fn: ReminderFunction<S>,
  defined: DefinedTable,
  key: EnvKey<S>,
  unusedBecause: string,
): void {
  if (unusedBecause.trim() === '') throw new Error(`${fn.node.path}: say why ${key} needs no access`);
  fn.setEnv(key, defined.table.tableName);
}

/**
 * Names a queue in the function's environment and lets the function send
 * to it (SendMessage covers SendMessageBatch), with its key through SQS.
 *
 * @param fn - the function
 * @param queue - the queue (KMS-encrypted)
 * @param key - the env variable that carries the queue URL
 */
export function useQueue<S extends EnvSchema>(fn: ReminderFunction<S>, queue: IQueue, key: EnvKey<S>): void {
  allowSend(fn, queue);
  fn.setEnv(key, queue.queueUrl);
}

function allowSend(fn: ReminderFunction, queue: IQueue): void {
  fn.allow(...sendToQueueStatements(fn, queue));
}

/**
 * Names the project's event bus and lets the function put events on it.
 *
 * @param fn - the function
 * @param bus - the bus
 * @param key - the env variable that carries the bus name
 */
export function useBus<S extends EnvSchema>(fn: ReminderFunction<S>, bus: IEventBus, key: EnvKey<S>): void {
  fn.allow(allowOn(['events:PutEvents'], [bus.eventBusArn]));
  fn.setEnv(key, bus.eventBusName);
}

/**
 * A plain setting (a number, a name) that grants nothing.
 *
 * @param fn - the function
 * @param key - the env variable
 * @param value - its value; numbers are written in decimal
 */
export function useSetting<S extends EnvSchema>(
  fn: ReminderFunction<S>,
  key: EnvKey<S>,
  value: string | number,
): void {
  fn.setEnv(key, String(value));
}

/**
 * Names an SSM parameter in the function's environment and lets the
 * function read it (ssm:GetParameter on that parameter only). A
 * SecureString under the AWS managed key `alias/aws/ssm` needs no KMS grant:
 * that key's own policy lets the account's principals decrypt through SSM.
 *
 * @param fn - the function
 * @param parameterName - the parameter's name, starting with `/`
 * @param key - the env variable that carries the name
 */
export function useParameter<S extends EnvSchema>(
  fn: ReminderFunction<S>,
  parameterName: string,
  key: EnvKey<S>,
): void {
  fn.setEnv(key, parameterName);
  const arn = Stack.of(fn).formatArn({
    service: 'ssm',
    resource: 'parameter',
    resourceName: parameterName.replace(/^\//, ''),
  });
  fn.allow(allowOn(['ssm:GetParameter'], [arn]));
}

/**
 * An on-failure destination for an event source mapping that grants by
 * itself (CDK's own grants the SQS key with wildcard KMS actions).
 */
class QueueOnFailure implements IEventSourceDlq {
  constructor(private readonly queue: IQueue) {}

  bind(): DlqDestinationConfig {
    return { destination: this.queue.queueArn };
  }
}

export interface StreamSourceOptions {
  batchSize: number;
  /** Tries of a failing batch (halved each time by bisection) before it goes to `onFailure`. */
  retryAttempts: number;
  /** Records older than this go to `onFailure` instead of being retried. */
  maxRecordAge: Duration;
  /** Receives a description (shard, sequence numbers) of every record given up on. */
  onFailure: IQueue;
}

/** Grants reading a table's stream (and its key through DynamoDB); returns the stream ARN. */
function allowStreamRead(fn: ReminderFunction, defined: DefinedTable, actions: string[]): string {
  const { table } = defined;
  const streamArn = table.tableStreamArn;
  if (!streamArn) throw new Error(`${table.node.path} has no stream`);
  fn.allow(allowOn(actions, [streamArn]));
  if (table.encryptionKey)
    fn.allow(allowOn(['kms:Decrypt'], [table.encryptionKey.keyArn], viaService(fn, 'dynamodb')));
  return streamArn;
}

/**
 * Names a table's stream in the function's environment and lets the
 * function read records back from it by position (an iterator at a sequence
 * number, then pages of records), with its key through DynamoDB.
 *
 * @param fn - the function
 * @param defined - the table whose stream to read
 * @param key - the env variable that carries the stream ARN
 */
export function useStreamRecords<S extends EnvSchema>(
  fn: ReminderFunction<S>,
  defined: DefinedTable,
  key: EnvKey<S>,
): void {
  fn.setEnv(key, allowStreamRead(fn, defined, ['dynamodb:GetShardIterator', 'dynamodb:GetRecords']));
}

/**
 * Feeds a table's stream to the function with partial batch responses,
 * bisect on error, bounded retries and age, and an on-failure queue;
 * grants reading that stream (and its key through DynamoDB) and sending to
 * the on-failure queue.
 *
 * @param fn - the function
 * @param defined - the table whose stream to read
 * @param options - batch and failure handling
 */
export function addStreamSource(
  fn: ReminderFunction,
  defined: DefinedTable,
  options: StreamSourceOptions,
): void {
  const streamArn = allowStreamRead(fn, defined, [
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:ListStreams',
  ]);
  allowSend(fn, options.onFailure);
  fn.fn.addEventSourceMapping('StreamSource', {
    eventSourceArn: streamArn,
    // From the oldest record: a mapping (re)created after writes still plans them.
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: options.batchSize,
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    retryAttempts: options.retryAttempts,
    maxRecordAge: options.maxRecordAge,
    parallelizationFactor: 1,
    onFailure: new QueueOnFailure(options.onFailure),
  });
}

export interface QueueSourceOptions {
  batchSize: number;
  /** Most concurrent invocations the mapping starts (2–1000). */
  maxConcurrency: number;
}

/**
 * Feeds an SQS queue to the function with partial batch responses and a
 * concurrency cap; grants receiving and deleting (and the key through SQS).
 * Failed messages go to the queue's own redrive dead-letter queue.
 *
 * @param fn - the function
 * @param queue - the queue
 * @param options - batch size and concurrency cap
 */
export function addQueueSource(
  fn: ReminderFunction,
  queue: IQueue,
  options: QueueSourceOptions,
): EventSourceMapping {
  fn.allow(
    allowOn(
      ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      [queue.queueArn],
    ),
  );
  if (queue.encryptionMasterKey) {
    fn.allow(allowOn(['kms:Decrypt'], [queue.encryptionMasterKey.keyArn], viaService(fn, 'sqs')));
  }
  const mapping = fn.fn.addEventSourceMapping('QueueSource', {
    eventSourceArn: queue.queueArn,
    batchSize: options.batchSize,
    // No batching window: a message's SQS delay is its send time, to the second.
    maxBatchingWindow: Duration.seconds(0),
    reportBatchItemFailures: true,
    maxConcurrency: options.maxConcurrency,
  });
  acknowledge(
    mapping,
    'Serverless-LambdaEventSourceMappingDestination',
    "SQS event source mappings take no on-failure destination; the queue's redrive policy moves a message " +
      'that keeps failing to its dead-letter queue.',
  );
  return mapping;
}

/** SES resources a sender needs, by exact ARN. */
export interface EmailSending {
  /** `arn:…:identity/<domain or address>` */
  identityArn: string;
  /** `arn:…:configuration-set/<name>` */
  configurationSetArn: string;
  configurationSetName: string;
  fromAddress: string;
}

/**
 * Names the From address and configuration set, and lets the function send
 * email only from that identity through that configuration set (SES checks
 * both ARNs on SendEmail).
 *
 * @param fn - the send function
 * @param email - identity and configuration set
 * @param keys - the env variables for the From address and the configuration set name
 */
export function useEmail<S extends EnvSchema>(
  fn: ReminderFunction<S>,
  email: EmailSending,
  keys: { fromAddress: EnvKey<S>; configurationSet: EnvKey<S> },
): void {
  fn.allow(allowOn(['ses:SendEmail'], [email.identityArn, email.configurationSetArn]));
  fn.setEnv(keys.fromAddress, email.fromAddress);
  fn.setEnv(keys.configurationSet, email.configurationSetName);
}

/** SMS sending settings, each optional where the config leaves it out. */
export interface SmsSending {
  originationNumber?: string;
  senderId?: string;
  maxPriceUsd?: string;
}

/**
 * Lets the function text phone numbers through SNS and names its sending
 * settings. Publishing to a phone number has no resource ARN, so IAM needs
 * `Resource: *`; the policy therefore also denies Publish to every SNS
 * topic and endpoint ARN, which leaves phone numbers as the only thing the
 * function can publish to. The statements sit in their own managed policy
 * so the acknowledgement of the `*` names exactly them.
 *
 * @param fn - the send function
 * @param sms - origination settings from the deployment config
 * @param keys - the env variables for each setting
 * @returns the policy, for its acknowledgement
 */
export function useSms<S extends EnvSchema>(
  fn: ReminderFunction<S>,
  sms: SmsSending,
  keys: { originationNumber: EnvKey<S>; senderId: EnvKey<S>; maxPriceUsd: EnvKey<S> },
): ManagedPolicy {
  const policy = new ManagedPolicy(fn, 'SmsPublishPolicy', {
    description: 'SNS Publish to phone numbers only (topics and endpoints denied)',
    statements: [
      allowOn(['sns:Publish'], ['*']),
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['sns:Publish'],
        resources: [`arn:${Aws.PARTITION}:sns:*:*:*`],
      }),
    ],
  });
  fn.role.addManagedPolicy(policy);
  if (sms.originationNumber) fn.setEnv(keys.originationNumber, sms.originationNumber);
  if (sms.senderId) fn.setEnv(keys.senderId, sms.senderId);
  if (sms.maxPriceUsd) fn.setEnv(keys.maxPriceUsd, sms.maxPriceUsd);
  return policy;
}

/** End User Messaging resources a sender texts through, by exact ARN. */
export interface TextSending {
  /** The phone numbers and pools of the clinics with a number of their own (ids or ARNs, as configured). */
  originationIdentities: readonly string[];
  /** The deployment's configuration set (its event destination carries the receipts). */
  configurationSetName: string;
}

/**
 * The ARN of an origination identity configured by id (`phone-…`, `pool-…`)
 * or by ARN.
 *
 * @param scope - any construct of the stack (for its partition, region and account)
 * @param identity - the identity as configured
 */
export function originationIdentityArn(scope: IConstruct, identity: string): string {
  if (identity.startsWith('arn:')) return identity;
  const resource = identity.startsWith('pool-') ? 'pool' : 'phone-number';
  return Stack.of(scope).formatArn({ service: 'sms-voice', resource, resourceName: identity });
}

/**
 * Names the configuration set and lets the function call SendTextMessage
 * from exactly the configured numbers and pools through exactly that
 * configuration set. Grants nothing when no clinic has a number of its own
 * (every text then goes through SNS).
 *
 * @param fn - the send function
 * @param sending - identities and configuration set
 * @param key - the env variable that carries the configuration set name
 */
export function useTextMessaging<S extends EnvSchema>(
  fn: ReminderFunction<S>,
  sending: TextSending,
  key: EnvKey<S>,
): void {
  const identities = [...new Set(sending.originationIdentities)];
  if (identities.length > 0) {
    const configurationSetArn = Stack.of(fn).formatArn({
      service: 'sms-voice',
      resource: 'configuration-set',
      resourceName: sending.configurationSetName,
    });
    fn.allow(
      allowOn(
        ['sms-voice:SendTextMessage'],
        [...identities.map((identity) => originationIdentityArn(fn, identity)), configurationSetArn],
      ),
    );
  }
  fn.setEnv(key, sending.configurationSetName);
}
