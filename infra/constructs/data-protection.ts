/**
 * How a deployment keeps its data safe across a failed first create,
 * teardowns and upgrades (docs/deploy.md, "If the first deploy fails" and
 * "Upgrading").
 *
 * Two mechanisms, because they guard against different things:
 *
 * - **Removal policy.** What holds data (the KMS key, the tables, the staff
 *   user pool) uses `RetainExceptOnCreate`: CloudFormation keeps it when the
 *   stack is deleted or the resource would be replaced, but deletes it when
 *   the stack operation that created it rolls back. A failed first create
 *   therefore leaves nothing behind, empty and unused, that a retry would
 *   not find again (plain `Retain` orphans a new empty key, four tables and
 *   a user pool on every failed attempt).
 * - **Locks.** Termination protection on the stateful stack, and deletion
 *   protection on the tables and the user pool, stop a person or a script
 *   from deleting them outside CloudFormation. A lock also stops
 *   CloudFormation's own rollback: a deletion-protected table cannot be
 *   rolled back, and a rolled-back stack with termination protection cannot
 *   be deleted by the next `cdk deploy`. So the very first create runs with
 *   the locks off (`-c firstDeploy=true`), and the next deploy, which the
 *   guide chains to it, turns them on.
 */

import type { CfnResource, Stack } from 'aws-cdk-lib';
import { RemovalPolicy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ConfigError } from '../../shared/domain/errors';

/** The CDK context key of the first create: `npx cdk deploy --all -c config=<name> -c firstDeploy=true`. */
export const FIRST_DEPLOY_CONTEXT = 'firstDeploy';

export interface DataProtection {
  /**
   * Termination protection on the stateful stack and deletion protection on
   * its tables and user pool. Off only while the deployment is created for
   * the first time.
   */
  readonly locked: boolean;
  /**
   * Keeps the indexes an earlier release had (shared/tables.ts,
   * `retiredIndexes`) beside their successors: the first deploy of an
   * upgrade that replaces an index (`-c keepRetiredIndexes=true`,
   * docs/deploy.md "Upgrading"), since DynamoDB adds or drops one index
   * per table update.
   */
  readonly keepRetiredIndexes?: boolean;
}

/** Every lock on: what every deploy after the first uses. */
export const LOCKED: DataProtection = { locked: true };

/**
 * Reads `-c firstDeploy=…`. The CLI passes context as strings, cdk.json and
 * tests as booleans; anything else is a typo that must not silently unlock
 * (or lock) a deployment.
 *
 * @param value - the context value (`app.node.tryGetContext('firstDeploy')`)
 */
export function dataProtectionFromContext(value: unknown): DataProtection {
  return contextFlag(FIRST_DEPLOY_CONTEXT, value, 'on the very first deploy only')
    ? { locked: false }
    : LOCKED;
}

/**
 * A true/false CDK context flag, absent meaning false. The CLI passes
 * strings, cdk.json and tests booleans; anything else is a typo that must
 * not silently switch a deployment's data protection either way.
 *
 * @param key - the context key
 * @param value - its value
 * @param when - when to set it, for the error
 */
function contextFlag(key: string, value: unknown, when: string): boolean {
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new ConfigError(
    [{ path: key, message: `must be true or false, not ${JSON.stringify(value)}: -c ${key}=true ${when}` }],
    'CDK context',
  );
}

/** The CDK context key of an upgrade's first deploy: `-c keepRetiredIndexes=true`. */
export const KEEP_RETIRED_INDEXES_CONTEXT = 'keepRetiredIndexes';

/**
 * Reads `-c keepRetiredIndexes=…` (strings from the CLI, booleans from
 * tests); anything else is a typo that must not silently drop an index.
 *
 * @param value - the context value
 */
export function keepRetiredIndexesFromContext(value: unknown): boolean {
  return contextFlag(
    KEEP_RETIRED_INDEXES_CONTEXT,
    value,
    'on the first deploy of an upgrade that replaces an index',
  );
}

/**
 * Keeps a resource that holds data when its stack is deleted or the
 * resource would be replaced, and deletes it only when the stack operation
 * that created it rolls back.
 *
 * @param resource - the L1 resource that holds the data
 */
export function retainData(resource: CfnResource): void {
  resource.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
}

const NEVER_REPLACE = 'clinic-reminders:never-replace';

/**
 * Marks a resource that an upgrade must never replace: a replacement is a
 * new, empty resource (a table, the user pool) or a new identity that
 * something outside the stack still points at (the inbound topic set in End
 * User Messaging, the staff API's URL, the app client id staff tools use).
 * test/infra/data-protection.test.ts fails when such a resource's logical
 * id, or a property whose change replaces it, changes.
 *
 * @param resource - the L1 resource
 * @param why - what a replacement would lose; shown when the test fails
 */
export function neverReplace(resource: CfnResource, why: string): void {
  resource.node.addMetadata(NEVER_REPLACE, why);
}

/** A resource marked with {@link neverReplace}, by its logical id in its stack. */
export interface IrreplaceableResource {
  readonly logicalId: string;
  readonly type: string;
  readonly why: string;
}

/**
 * Every resource of a stack that an upgrade must never replace.
 *
 * @param stack - a synthesised stack
 */
export function irreplaceableResources(stack: Stack): IrreplaceableResource[] {
  const found: IrreplaceableResource[] = [];
  for (const node of stack.node.findAll()) {
    const why = node.node.metadata.find((entry) => entry.type === NEVER_REPLACE)?.data as string | undefined;
    if (why === undefined) continue;
    const resource = node as IConstruct as CfnResource;
    found.push({ logicalId: stack.getLogicalId(resource), type: resource.cfnResourceType, why });
  }
  return found.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}
