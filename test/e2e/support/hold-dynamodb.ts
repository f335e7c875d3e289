// Starts DynamoDB Local the way the test harness and local mode do, prints
// the java pid, and waits to be killed (used to check the watchdog).
import { startDynamoDbLocal } from '../../../local/dynamodb-local';

const dynamo = await startDynamoDbLocal();
console.log(`ready ${dynamo.endpoint}`);
setInterval(() => {}, 60_000);
