/**
 * `npm start`: the whole system on this machine, no AWS account.
 *
 *   npm start                      data kept in .local-data/ (git-ignored)
 *   npm start -- --in-memory       keep nothing
 *   PORT=3001 npm start            another port (or --port 3001)
 *   npm start -- --no-follow       the clock moves only when told (POST /local/clock)
 *
 * The simulated clock follows real time and can be moved ahead at any moment
 * with POST /local/clock, so a day of reminders can be watched in seconds.
 */
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { DEFAULT_POLICY } from '../shared/domain/model';
import { isUtcIso } from '../shared/domain/time';
import type { AppLogger } from '../shared/ports/outbound';
import { JavaMissingError } from './dynamodb-local';
import { DEMO_CLINIC_ID, LocalRuntime, SEEDED_CLINIC_IDS } from './runtime';
import { SAMPLE_ADVANCE, SAMPLE_ZONE, sampleVisitStart } from './sample-booking';
import { createLocalServer } from './server';
import { LOCAL_TOKEN_TTL_DAYS } from './tokens';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values: args } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.local-data' },
    port: { type: 'string' },
    start: { type: 'string' },
    'no-follow': { type: 'boolean', default: false },
  },
});

const port = Number(args.port ?? process.env.PORT ?? 3000);
const host = '127.0.0.1';

/** Handler log lines go to stderr as JSON, ids only (the same fields as in CloudWatch). */
const logger: AppLogger = {
  debug() {},
  info() {},
  warn: (message, fields) => console.error(JSON.stringify({ level: 'WARN', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'ERROR', message, ...fields })),
};

async function portIsFree(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

function fail(message: string): never {
  console.error(`\nclinic-reminders local mode could not start: ${message}\n`);
  process.exit(1);
}

async function main() {
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`PORT must be a port number, not ${port}`);
  if (args.start && !isUtcIso(args.start)) fail('--start must be a UTC instant such as 2026-12-01T14:00:00Z');
  if (!(await portIsFree()))
    fail(`port ${port} is already in use. Stop what uses it, or choose another: PORT=3001 npm start`);

  const started = Date.now();
  let runtime: LocalRuntime;
  try {
    runtime = await LocalRuntime.start({
      ...(args['in-memory'] ? {} : { dataDir: args['data-dir'] }),
      ...(args.start ? { start: DateTime.fromISO(args.start, { zone: 'utc' }) } : {}),
      print: (line) => console.log(line),
      logger,
      publicUrl: `http://${host}:${port}`,
    });
  } catch (error) {
    if (error instanceof JavaMissingError) fail(error.message);
    throw error;
  }
  const server = createLocalServer(runtime, logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });

  const url = `http://${host}:${port}`;
  const token = await runtime.staffToken([DEMO_CLINIC_ID]);
  const tokenLines: string[] = [];
  for (const clinicId of SEEDED_CLINIC_IDS) {
    const clinicToken = clinicId === DEMO_CLINIC_ID ? token : await runtime.staffToken([clinicId]);
    tokenLines.push(`  Staff token (${clinicId}): ${clinicToken}`);
  }
  const keptSecret = args['in-memory']
    ? 'a new secret each --in-memory run'
    : `signed with ${args['data-dir']}/token-secret, so they survive restarts`;
  const startAt = sampleVisitStart(runtime.clock.now());
  console.log(`
clinic-reminders local mode is running (started in ${((Date.now() - started) / 1000).toFixed(1)} s; DynamoDB Local ${runtime.dynamoStartMs} ms)
  Staff API:    ${url}
  Console:      ${url}/#token=${token}
  Storage:      ${args['in-memory'] ? 'in memory (nothing is kept)' : `${args['data-dir']}/ (delete it to start over)`}
  DynamoDB Local: ${runtime.dynamoAccess.endpoint} (region ${runtime.dynamoAccess.region}, access key ${runtime.dynamoAccess.accessKeyId}; with any other key it shows an empty database)
  Clock:        ${runtime.clock.now().toISO()} (simulated; ${args['no-follow'] ? 'moves only when told' : 'follows real time'})
${tokenLines.join('\n')}
                (clinic-admin; tokens live ${LOCAL_TOKEN_TTL_DAYS} days of real time, whatever POST /local/clock does; ${keptSecret})
  Other tokens: curl -s -X POST ${url}/local/tokens -H 'content-type: application/json' -d '{"clinicId":"north-clinic","role":"staff"}'
                ${args['in-memory'] ? '(a clinic-admin token may name a clinic not created yet: it creates it with PUT /v1/clinics/<id>)' : `or npm run -s token -- --clinic north-clinic --role staff${args['data-dir'] === '.local-data' ? '' : ` --data-dir ${args['data-dir']}`}`}

Try first (copy and paste):
  export TOKEN=${token}
  curl -s -X PUT ${url}/v1/clinics/${DEMO_CLINIC_ID}/patients/p-1 -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
    -d '{"firstName":"Ana","phone":"+14155552671","email":"ana@example.com","channels":["sms","email"],"language":"en"}'
  curl -s -X PUT ${url}/v1/clinics/${DEMO_CLINIC_ID}/appointments/a-1 -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
    -d '{"patientId":"p-1","startAt":"${startAt.toISO({ suppressMilliseconds: true })}","durationMinutes":30,"location":"12 River Road"}'
  curl -s ${url}/local/outbox
  curl -s -X POST ${url}/local/clock -H 'content-type: application/json' -d '{"advance":"${SAMPLE_ADVANCE}"}'
  curl -s ${url}/local/outbox
  curl -s ${url}/v1/clinics/${DEMO_CLINIC_ID}/appointments/a-1/messages -H "Authorization: Bearer $TOKEN"
A delivery receipt (TEXT_DELIVERED, TEXT_CARRIER_BLOCKED, …; Delivery, Bounce with bounceType, Complaint for an email):
  curl -s -X POST ${url}/local/receipts -H 'content-type: application/json' -d '{"messageId":"a-1#confirmation#-#v1","event":"TEXT_CARRIER_BLOCKED"}'
Reply as the patient (the answer appears in the outbox at once; try C, R, HELP, STOP, START, a question):
  curl -s -X POST ${url}/local/inbound -H 'content-type: application/json' -d '{"from":"+14155552671","body":"C"}'
The confirmation (and any later change notice) goes out at once, outside the clinic's quiet hours
(${DEFAULT_POLICY.quietHours.start}-${DEFAULT_POLICY.quietHours.end} ${SAMPLE_ZONE}); the reminders 72 h, 24 h and 2 h before the visit, at their time.
API description: ${url}/openapi.json   ·   A scripted week: npm run demo   ·   Stop: Ctrl-C
`);

  // Follow real time: every second, move the simulated clock by the real time that passed.
  let last = Date.now();
  let stopping = false;
  const follow = args['no-follow']
    ? undefined
    : setInterval(() => {
        const now = Date.now();
        const elapsed = now - last;
        last = now;
        runtime.advanceTo(runtime.clock.now().plus({ milliseconds: elapsed })).catch((error: unknown) => {
          // A tick in flight when Ctrl-C (or a signal to the process group) stops DynamoDB Local is no fault.
          if (stopping) return;
          logger.error('clock tick failed', { error: (error as Error).name });
        });
      }, 1000);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping local mode…`);
    if (follow) clearInterval(follow);
    server.close();
    await runtime.stop();
    console.log('stopped (DynamoDB Local is down).');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

await main();
