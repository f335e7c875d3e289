/**
 * The yardstick of `npm run size`: a minimal Lambda that reads one item from
 * DynamoDB and publishes one SMS, importing only `@aws-sdk/client-sns` and
 * `@aws-sdk/lib-dynamodb` (which brings `@aws-sdk/client-dynamodb`). Built
 * with the same esbuild settings as every function.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const sns = new SNSClient({});
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export async function handler(event: { id: string; to: string }): Promise<void> {
  const { Item } = await doc.send(new GetCommand({ TableName: process.env.TABLE, Key: { id: event.id } }));
  await sns.send(new PublishCommand({ PhoneNumber: event.to, Message: String(Item?.text) }));
}
