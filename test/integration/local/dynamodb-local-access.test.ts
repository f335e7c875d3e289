import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../../local/dynamodb-local';
import { LocalRuntime } from '../../../local/runtime';
import { makePatient } from '../../support/factories';

/** This machine's first non-loopback address (IPv4 first; IPv6 only if global), if it has one. */
function nonLoopbackAddress(): string | undefined {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const v4 = addresses.find((address) => !address.internal && address.family === 'IPv4');
  if (v4) return v4.address;
  const v6 = addresses.find(
    (address) => !address.internal && address.family === 'IPv6' && !address.address.startsWith('fe80'),
  );
  return v6 ? `[${v6.address}]` : undefined;
}

/** A client as someone on the network would make it: the machine's address, the usual dummy keys. */
function foreignClient(endpoint: string, accessKeyId = 'local') {
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId, secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

describe('DynamoDB Local in local mode', () => {
  it('answers a client on the network with an empty database: no table, no patient', async (context) => {
    const address = nonLoopbackAddress();
    if (!address) {
      console.log('skipped: this machine has no non-loopback network address to test from');
      context.skip();
      return;
    }
    // Prepare: local mode, in memory, with a patient stored.
    const runtime = await LocalRuntime.start();
    try {
      await runtime.repos.patients.put(makePatient({ clinicId: 'demo-clinic', patientId: 'p-secret' }), null);
      const { endpoint } = runtime.dynamoAccess;
      const port = new URL(endpoint).port;
      const outside = `http://${address}:${port}`;

      // Act: what the issue's `aws dynamodb scan --endpoint-url http://<address>:<port>` does, with two keys.
      const clients = [foreignClient(outside), foreignClient(outside, 'AKIAIOSFODNN7EXAMPLE')];
      try {
        for (const client of clients) {
          const listed = await client.send(new ListTablesCommand({}));
          const scan = client.send(new ScanCommand({ TableName: 'local-patients' }));

          // Assess: the server answers (it is reachable), but shows nothing of local mode's data.
          expect(listed.TableNames).toEqual([]);
          await expect(scan).rejects.toBeInstanceOf(ResourceNotFoundException);
        }
      } finally {
        for (const client of clients) client.destroy();
      }
      // While local mode, with its own key, sees its patient.
      expect(await runtime.repos.patients.get('demo-clinic', 'p-secret')).toBeDefined();
    } finally {
      await runtime.stop();
    }
  });

  it('keeps the data folder’s access key (owner-only) so kept data survives a restart, and moves data kept in the old shared database to it', async () => {
    // Prepare: a data folder as an earlier version left it (one shared database with a table).
    const dataDir = mkdtempSync(join(tmpdir(), 'local-data-'));
    try {
      const dynamoDir = join(dataDir, 'dynamodb');
      mkdirSync(dynamoDir);
      // As an earlier version left them: open to every local user.
      chmodSync(dataDir, 0o755);
      chmodSync(dynamoDir, 0o755);
      const old = await startDynamoDbLocal({ dataDir: dynamoDir, sharedDb: true });
      const oldClient = foreignClient(old.endpoint);
      await oldClient.send(
        new CreateTableCommand({
          TableName: 'kept-before',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      oldClient.destroy();
      await old.stop();

      // Act: local mode starts on it twice, with a patient stored in between.
      const first = await LocalRuntime.start({ dataDir });
      const key = first.dynamoAccess.accessKeyId;
      await first.repos.patients.put(makePatient({ clinicId: 'demo-clinic', patientId: 'p-kept' }), null);
      await first.stop();
      const second = await LocalRuntime.start({ dataDir });
      try {
        // Assess: the same key, readable by its owner only; the patient and the older table are still there.
        expect(second.dynamoAccess.accessKeyId).toBe(key);
        expect(statSync(join(dynamoDir, 'access-key')).mode & 0o777).toBe(0o600);
        // The folders are the owner's only: no other user can list the database file (named after the key) or read it.
        expect(statSync(dataDir).mode & 0o777).toBe(0o700);
        expect(statSync(dynamoDir).mode & 0o777).toBe(0o700);
        expect(existsSync(join(dynamoDir, 'shared-local-instance.db'))).toBe(false);
        expect(await second.repos.patients.get('demo-clinic', 'p-kept')).toBeDefined();
        const own = new DynamoDBClient({
          region: second.dynamoAccess.region,
          endpoint: second.dynamoAccess.endpoint,
          credentials: { accessKeyId: key, secretAccessKey: 'local' },
        });
        expect((await own.send(new ListTablesCommand({}))).TableNames).toContain('kept-before');
        own.destroy();
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Three engine starts (the old shared one, then local mode twice): each is a Java start, seconds on a
    // quiet machine and over ten on a loaded 2-core one; the project's 30 s is for one engine at most.
  }, 90_000);
});
