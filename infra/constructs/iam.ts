import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

export type Conditions = Record<string, Record<string, unknown>>;

/**
 * An Allow statement on exact resources, optionally with conditions.
 *
 * @param actions - IAM actions, spelled out (no wildcards)
 * @param resources - resource ARNs
 * @param conditions - IAM condition block
 */
export function allowOn(actions: string[], resources: string[], conditions?: Conditions): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions,
    resources,
    ...(conditions ? { conditions } : {}),
  });
}

/**
 * Limits KMS use to calls a service makes on the principal's behalf, so a
 * key grant is useless outside that service.
 *
 * @param scope - any construct of the stack (for its region)
 * @param service - the service that calls KMS
 */
export function viaService(scope: IConstruct, service: 'dynamodb' | 'sqs'): Conditions {
  return { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(scope).region}.amazonaws.com` } };
}

/**
 * SendMessage on one queue (it covers SendMessageBatch) and the key use SQS
 * needs for it. Used for functions and for other principals (the scheduler's role).
 *
 * @param scope - any construct in the stack that uses the statements
 * @param queue - the (KMS-encrypted) queue
 */
export function sendToQueueStatements(scope: IConstruct, queue: IQueue): PolicyStatement[] {
  const statements = [allowOn(['sqs:SendMessage'], [queue.queueArn])];
  if (queue.encryptionMasterKey) {
    statements.push(
      allowOn(
        ['kms:GenerateDataKey', 'kms:Decrypt'],
        [queue.encryptionMasterKey.keyArn],
        viaService(scope, 'sqs'),
      ),
    );
  }
  return statements;
}
