import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/**
 * Starts one DynamoDB Local for the whole integration run; every test file
 * creates its own uniquely prefixed tables in it (test/support/tables.ts),
 * so files run in parallel without seeing each other's data.
 */
export default async function setup(project: TestProject) {
  // Synthetic data only: every test client uses dummy keys and sees the one database.
  const dynamo = await startDynamoDbLocal({ sharedDb: true });
  console.log(`DynamoDB Local ready on ${dynamo.endpoint} in ${dynamo.startMs} ms`);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  const stopOnSignal = () => {
    void dynamo.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  return async () => {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await dynamo.stop();
  };
}
