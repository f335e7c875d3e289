import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoClients {
  raw: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

/** Credentials for DynamoDB Local, which checks none but keeps a database per access key (unless shared). */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What test runs use: their DynamoDB Local shares one database whatever the key. */
const DUMMY_CREDENTIALS: LocalCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * DynamoDB clients. With an endpoint (DynamoDB Local) it uses the given
 * credentials (local mode: its data folder's own key, see
 * local/dynamodb-local.ts) or dummy ones; in Lambda it uses the role.
 *
 * @param options - region and, for DynamoDB Local, its endpoint and credentials
 */
export function makeDynamoClients(
  options: { region?: string; endpoint?: string; credentials?: LocalCredentials } = {},
): DynamoClients {
  const raw = new DynamoDBClient({
    region: options.region ?? 'us-east-1',
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: options.credentials ?? DUMMY_CREDENTIALS }
      : {}),
    maxAttempts: 5,
  });
  const doc = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  return { raw, doc };
}
