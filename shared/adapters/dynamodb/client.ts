import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoClients {
  raw: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

/**
 * DynamoDB clients. With an endpoint (DynamoDB Local) it uses fixed dummy
 * credentials, since DynamoDB Local accepts any; in Lambda it uses the role.
 *
 * @param options - region and, for DynamoDB Local, its endpoint
 */
export function makeDynamoClients(options: { region?: string; endpoint?: string } = {}): DynamoClients {
  const raw = new DynamoDBClient({
    region: options.region ?? 'us-east-1',
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 5,
  });
  const doc = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  return { raw, doc };
}
