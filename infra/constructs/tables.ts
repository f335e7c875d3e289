import {
  type Attribute,
  AttributeType,
  BillingMode,
  type CfnTable,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { IndexDefinition, KeyAttribute, TableDefinition } from '../../shared/tables';
import { type DataProtection, neverReplace, retainData } from './data-protection';

/** A table together with the definition it was built from (its index names, for exact IAM ARNs). */
export interface DefinedTable {
  readonly table: Table;
  readonly definition: TableDefinition;
}

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}

function projectionOf(index: IndexDefinition): {
  projectionType: ProjectionType;
  nonKeyAttributes?: string[];
} {
  switch (index.projection.type) {
    case 'ALL':
      return { projectionType: ProjectionType.ALL };
    case 'KEYS_ONLY':
      return { projectionType: ProjectionType.KEYS_ONLY };
    case 'INCLUDE':
      return { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: index.projection.nonKeyAttributes };
  }
}

/**
 * Builds one DynamoDB table from its shared definition (shared/tables.ts),
 * so the deployed keys, indexes, stream and TTL cannot drift from what the
 * code and DynamoDB Local use. Every table is on-demand, encrypted with the
 * deployment's customer-managed key, has point-in-time recovery, deletion
 * protection once the deployment exists, and is retained when its stack is
 * deleted or the table would be replaced (data-protection.ts).
 *
 * @param scope - the stateful stack
 * @param id - construct id
 * @param definition - the shared definition
 * @param key - the customer-managed KMS key
 * @param protection - whether the deletion-protection lock is on, and whether retired indexes stay (an upgrade's first deploy)
 */
export function tableFromDefinition(
  scope: Construct,
  id: string,
  definition: TableDefinition,
  key: IKey,
  protection: DataProtection,
): DefinedTable {
  const table = new Table(scope, id, {
    partitionKey: attribute(definition.partitionKey),
    ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: protection.locked,
    ...(definition.stream === 'NEW_AND_OLD_IMAGES' ? { stream: StreamViewType.NEW_AND_OLD_IMAGES } : {}),
    ...(definition.ttlAttribute ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
  });
  const retired = protection.keepRetiredIndexes ? (definition.retiredIndexes ?? []) : [];
  for (const index of [...definition.globalIndexes, ...retired]) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
      ...projectionOf(index),
    });
  }
  const resource = table.node.defaultChild as CfnTable;
  retainData(resource);
  neverReplace(resource, `a replaced ${definition.id} table is a new, empty one`);
  return { table, definition };
}
