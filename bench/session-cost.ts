/**
 * `npx tsx bench/session-cost.ts`: what a second isolation layer costs the
 * staff API per request, measured on this machine (docs/benchmarks.md,
 * "Clinic isolation"). Four ways to serve one GetItem on DynamoDB Local:
 *
 * - shared: one warm client for every request (today's staff API);
 * - guarded: the same, inside a clinic scope with the key guard
 *   (shared/adapters/dynamodb/clinic-scope.ts);
 * - session: per request, AssumeRole with the clinic as a session tag (a
 *   local fake STS endpoint answers), then a new DynamoDB client with the
 *   session's credentials: what `dynamodb:LeadingKeys` on a per-request
 *   role session needs;
 * - session, shared connections: the same with the new clients reusing one
 *   HTTP handler, so no new connection per request.
 *
 * Local endpoints have no network latency and no TLS; in AWS a session also
 * pays one HTTPS round trip to STS and, with a new client, a new TLS
 * connection to DynamoDB. The figures here are the part the code adds.
 *
 * Options: --requests N (default 300 per way).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
// The STS client the SDK's own credential providers use; not a dependency of the shipped code.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { guardClinicScope } from '../shared/adapters/dynamodb/clinic-scope';
import { inClinicScope } from '../shared/clinic-scope';
import { prefixedTableNames } from '../shared/tables';
import { percentile } from './figures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '300' } } });
const REQUESTS = Number(args.requests);

const ASSUME_ROLE_RESPONSE = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLEEXAMPLE01</AccessKeyId>
      <SecretAccessKey>local-secret-local-secret-local-secret00</SecretAccessKey>
      <SessionToken>${'T'.repeat(800)}</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLE:staff-request</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/staff-api-clinic/staff-request</Arn>
    </AssumedRoleUser>
    <PackedPolicySize>4</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;

/**
 * Runs every way once per round, in turn, so a busy moment of the machine
 * slows all of them alike; returns each way's p50 and p99.
 */
async function measureInterleaved(ways: Record<string, () => Promise<unknown>>) {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
  for (let round = -20; round < REQUESTS; round++) {
    for (const [name, request] of Object.entries(ways)) {
      const started = performance.now();
      await request();
      if (round >= 0) times[name]?.push(performance.now() - started); // the first 20: warm-up
    }
  }
  return Object.entries(times).map(([name, values]) => {
    values.sort((a, b) => a - b);
    return { name, p50: percentile(values, 50), p99: percentile(values, 99) };
  });
}

/** A DynamoDB endpoint that answers at once, so only the client's own work is timed. */
const answerAtOnce = {
  handle: async () => ({
    // The SDK reads responses by shape (status, headers, body stream).
    response: {
      statusCode: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: Readable.from([Buffer.from('{"Item":{"clinicId":{"S":"north"}}}')]),
    },
  }),
};

async function main() {
  const sts = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(ASSUME_ROLE_RESPONSE);
  });
  await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
  const stsEndpoint = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
  try {
    const names = prefixedTableNames('bench-');
    const get = { TableName: names.clinics, Key: { clinicId: 'north' } };
    const client = () =>
      new DynamoDBClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        requestHandler: answerAtOnce,
      });
    const shared = DynamoDBDocumentClient.from(client());
    const guardedRaw = client();
    guardClinicScope(guardedRaw, names, { required: true });
    const guarded = DynamoDBDocumentClient.from(guardedRaw);

    const stsClient = new STSClient({
      region: 'us-east-1',
      endpoint: stsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const assumeRole = () =>
      stsClient.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::123456789012:role/staff-api-clinic',
          RoleSessionName: 'staff-request',
          DurationSeconds: 900,
          Tags: [{ Key: 'clinic', Value: 'north' }],
        }),
      );

    const results = await measureInterleaved({
      'shared client (today)': () => shared.send(new GetCommand(get)),
      'shared client + clinic guard': () => inClinicScope('north', () => guarded.send(new GetCommand(get))),
      'AssumeRole alone (local STS over loopback)': () => assumeRole(),
      'new DynamoDB client alone': async () => DynamoDBDocumentClient.from(client()),
      'per-request session: AssumeRole + new client + GetItem': async () => {
        const { Credentials } = await assumeRole();
        const raw = new DynamoDBClient({
          region: 'us-east-1',
          credentials: {
            accessKeyId: Credentials?.AccessKeyId ?? '',
            secretAccessKey: Credentials?.SecretAccessKey ?? '',
            sessionToken: Credentials?.SessionToken ?? '',
          },
          requestHandler: answerAtOnce,
        });
        await DynamoDBDocumentClient.from(raw).send(new GetCommand(get));
      },
    });
    const base = results[0];
    console.log(
      `${REQUESTS} rounds, each way once per round; GetItem answered at once by a stub, STS by a loopback server (ms)`,
    );
    for (const result of results) {
      console.log(
        `${result.name.padEnd(56)} p50 ${result.p50.toFixed(3).padStart(7)}  p99 ${result.p99.toFixed(3).padStart(7)}` +
          `  vs today: p50 ${(result.p50 - (base?.p50 ?? 0)).toFixed(3).padStart(7)}  p99 ${(result.p99 - (base?.p99 ?? 0)).toFixed(3).padStart(7)}`,
      );
    }
    stsClient.destroy();
  } finally {
    sts.close();
  }
}

await main();
