/**
 * `npm run bench:load`: the staff API in local mode under concurrent staff
 * clients, then a bulk import (issue 16 item 4). Loopback only: local mode
 * runs as a child process on 127.0.0.1, as `npm start` does, and the
 * clients are this process.
 *
 * Part 1, mixed load: --clients N (default 50) run for --seconds S (default
 * 60), each picking at random (seeded) among
 *   read  (GET one appointment, or a day's list),
 *   book  (PUT a new appointment),
 *   move  (GET, then PUT a new start with the If-Match it read),
 *   race  (GET, then two PUTs at once with the same If-Match).
 * It prints the latency p50/p99 per kind and every status it got. Pass:
 * no 5xx, nothing but 200/201/409 where a write was made, at most one of a
 * race's two writes succeeds, and every appointment's stored version
 * equals 1 + the moves the clients saw succeed (no lost update, and every
 * refused one was a 409).
 *
 * Part 2, import: --import-rows R (default 100000) in files of
 * --rows-per-file F (default 1000), one file after another, as CSV through
 * POST /v1/clinics/{clinicId}/imports. It prints the wall time and rows per
 * second and checks that every row is reported (and created). Then the
 * first file again: every row unchanged.
 *
 * Local mode runs with its clock held (--no-follow): the benchmark measures
 * the API and its writes; planning runs when the clock moves, and does not
 * compete with the requests here. --json FILE also writes the figures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { freePort } from '../local/dynamodb-local';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    appointments: { type: 'string', default: '300' },
    'import-rows': { type: 'string', default: '100000' },
    'rows-per-file': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '16' },
    json: { type: 'string' },
  },
});
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
const APPOINTMENTS = Number(args.appointments);
const IMPORT_ROWS = Number(args['import-rows']);
const ROWS_PER_FILE = Number(args['rows-per-file']);
const CLINIC = 'demo-clinic';
/** The simulated clock is held here: every visit below is ahead of it. */
const START = DateTime.fromISO('2026-12-01T14:00:00Z', { zone: 'utc' });

/** Mulberry32: the same seed gives the same choices. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LocalMode {
  child: ChildProcess;
  url: string;
  token: string;
}

async function startLocalMode(): Promise<LocalMode> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/start.ts', '--in-memory', '--no-follow', '--start', START.toISO() ?? ''],
    { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const url = /Staff API:\s+(http:\/\/\S+)/.exec(output)?.[1];
    const token = /Staff token \(demo-clinic\): (\S+)/.exec(output)?.[1];
    if (url && token) return { child, url, token };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`local mode did not start:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  etag: string | null;
  ms: number;
}

function client(local: LocalMode) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const response = await fetch(`${local.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${local.token}`,
        ...(body === undefined
          ? {}
          : { 'content-type': typeof body === 'string' ? 'text/csv' : 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { unparsed: text.slice(0, 200) };
    }
    return { status: response.status, body: parsed, etag: response.headers.get('etag'), ms } satisfies Answer;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const round = (value: number) => Math.round(value * 10) / 10;

/** A start on a weekday ahead of the held clock, on the quarter hour (UTC). */
function startAt(random: () => number): string {
  const day = 2 + Math.floor(random() * 20);
  const minutes = 14 * 60 + Math.floor(random() * 24) * 15;
  return START.startOf('day').plus({ days: day, minutes }).toISO({ suppressMilliseconds: false }) ?? '';
}

type Kind = 'read' | 'book' | 'move' | 'race';

async function mixedLoad(local: LocalMode) {
  const call = client(local);
  const random = seeded(Number(args.seed));
  // Prepare: patients and appointments to read and move.
  const patients = Math.max(1, Math.ceil(APPOINTMENTS / 3));
  for (let p = 0; p < patients; p++) {
    const answer = await call('PUT', `/v1/clinics/${CLINIC}/patients/lp-${p}`, {
      firstName: 'Load',
      phone: `+1415555${String(1000 + p).padStart(4, '0')}`,
      channels: ['sms'],
      language: 'en',
    });
    if (answer.status !== 201)
      throw new Error(`patient lp-${p}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  const appointmentIds: string[] = [];
  /** Writes each appointment's clients saw succeed (creation included). */
  const succeeded = new Map<string, number>();
  for (let a = 0; a < APPOINTMENTS; a++) {
    const id = `la-${a}`;
    const answer = await call('PUT', `/v1/clinics/${CLINIC}/appointments/${id}`, {
      patientId: `lp-${a % patients}`,
      startAt: startAt(random),
      durationMinutes: 30,
    });
    if (answer.status !== 201)
      throw new Error(`appointment ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
    appointmentIds.push(id);
    succeeded.set(id, 1);
  }

  const latency: Record<Kind, number[]> = { read: [], book: [], move: [], race: [] };
  const statuses = new Map<string, number>();
  const unexpected: string[] = [];
  let races = 0;
  let raceBothWon = 0;
  let raceOneWon = 0;
  const count = (kind: Kind, answer: Answer) => {
    const key = `${kind} ${answer.status}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    latency[kind].push(answer.ms);
  };
  const expect = (kind: Kind, answer: Answer, allowed: number[]) => {
    count(kind, answer);
    if (!allowed.includes(answer.status) && unexpected.length < 20) {
      unexpected.push(`${kind} ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    }
  };
  const moveBody = (current: Answer, workerRandom: () => number) => ({
    patientId: current.body.patientId,
    startAt: startAt(workerRandom),
    durationMinutes: 30,
    ...(current.body.type ? { type: current.body.type } : {}),
  });

  const deadline = performance.now() + SECONDS * 1000;
  let booked = 0;
  const worker = async (w: number) => {
    const workerRandom = seeded(Number(args.seed) * 1000 + w);
    let n = 0;
    while (performance.now() < deadline) {
      const pick = workerRandom();
      const id = appointmentIds[Math.floor(workerRandom() * appointmentIds.length)] as string;
      if (pick < 0.4) {
        if (workerRandom() < 0.5) {
          expect('read', await call('GET', `/v1/clinics/${CLINIC}/appointments/${id}`), [200]);
        } else {
          const from = START.plus({ days: 2 + Math.floor(workerRandom() * 20) }).toISODate();
          const to = DateTime.fromISO(from ?? '', { zone: 'utc' })
            .plus({ days: 1 })
            .toISODate();
          expect(
            'read',
            await call('GET', `/v1/clinics/${CLINIC}/appointments?from=${from}&to=${to}&limit=50`),
            [200],
          );
        }
      } else if (pick < 0.6) {
        const newId = `lb-${w}-${n++}`;
        const answer = await call('PUT', `/v1/clinics/${CLINIC}/appointments/${newId}`, {
          patientId: `lp-${Math.floor(workerRandom() * patients)}`,
          startAt: startAt(workerRandom),
          durationMinutes: 30,
        });
        expect('book', answer, [201]);
        if (answer.status === 201) {
          booked++;
          succeeded.set(newId, 1);
          appointmentIds.push(newId);
        }
      } else {
        const current = await call('GET', `/v1/clinics/${CLINIC}/appointments/${id}`);
        expect('read', current, [200]);
        if (current.status !== 200 || current.body.status !== 'booked') continue;
        const ifMatch = { 'if-match': current.etag ?? '' };
        if (pick < 0.85) {
          const answer = await call(
            'PUT',
            `/v1/clinics/${CLINIC}/appointments/${id}`,
            moveBody(current, workerRandom),
            ifMatch,
          );
          expect('move', answer, [200, 409]);
          if (answer.status === 200 && answer.body.version !== current.body.version) {
            succeeded.set(id, (succeeded.get(id) ?? 0) + 1);
          }
        } else {
          races++;
          const pair = await Promise.all([
            call('PUT', `/v1/clinics/${CLINIC}/appointments/${id}`, moveBody(current, workerRandom), ifMatch),
            call('PUT', `/v1/clinics/${CLINIC}/appointments/${id}`, moveBody(current, workerRandom), ifMatch),
          ]);
          let won = 0;
          for (const answer of pair) {
            expect('race', answer, [200, 409]);
            if (answer.status === 200 && answer.body.version !== current.body.version) won++;
          }
          if (won === 2) raceBothWon++;
          if (won === 1) raceOneWon++;
          succeeded.set(id, (succeeded.get(id) ?? 0) + won);
        }
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
  const wallSeconds = (performance.now() - started) / 1000;

  // Assess: every appointment's stored version is 1 + the moves that clients saw succeed.
  const lost: string[] = [];
  for (const [id, writes] of succeeded) {
    const stored = await call('GET', `/v1/clinics/${CLINIC}/appointments/${id}`);
    if (stored.body.version !== writes)
      lost.push(`${id}: stored version ${stored.body.version}, writes seen ${writes}`);
  }
  const all = Object.values(latency)
    .flat()
    .sort((a, b) => a - b);
  const serverErrors = [...statuses]
    .filter(([key]) => /\s5\d\d$/.test(key))
    .reduce((sum, [, n]) => sum + n, 0);
  const byKind = Object.fromEntries(
    (Object.keys(latency) as Kind[]).map((kind) => {
      const sorted = [...latency[kind]].sort((a, b) => a - b);
      return [
        kind,
        {
          requests: sorted.length,
          p50Ms: round(percentile(sorted, 50)),
          p99Ms: round(percentile(sorted, 99)),
        },
      ];
    }),
  );
  return {
    clients: CLIENTS,
    seconds: round(wallSeconds),
    requests: all.length,
    requestsPerSecond: round(all.length / wallSeconds),
    p50Ms: round(percentile(all, 50)),
    p99Ms: round(percentile(all, 99)),
    byKind,
    statuses: Object.fromEntries([...statuses].sort()),
    serverErrors,
    unexpected,
    booked,
    races,
    raceOneWon,
    raceBothWon,
    appointmentsChecked: succeeded.size,
    lostOrPhantomWrites: lost,
  };
}

function csvFile(file: number, rows: number): string {
  const lines = ['appointmentId,patientId,start,durationMinutes,firstName,phone,channels,language'];
  for (let r = 0; r < rows; r++) {
    const n = file * rows + r;
    const start = START.startOf('day').plus({ days: 2 + (n % 60), minutes: 14 * 60 + (n % 32) * 15 });
    lines.push(
      `ia-${n},ip-${n},${start.toISO()},30,Import,+1628555${String(n % 10000).padStart(4, '0')},sms,en`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function bulkImport(local: LocalMode) {
  const call = client(local);
  const files = Math.ceil(IMPORT_ROWS / ROWS_PER_FILE);
  const fileMs: number[] = [];
  const problems: string[] = [];
  let reported = 0;
  let created = 0;
  const started = performance.now();
  for (let file = 0; file < files; file++) {
    const rows = Math.min(ROWS_PER_FILE, IMPORT_ROWS - file * ROWS_PER_FILE);
    const answer = await call('POST', `/v1/clinics/${CLINIC}/imports`, csvFile(file, rows));
    fileMs.push(answer.ms);
    const summary = answer.body.summary as { rows: number; created: number } | undefined;
    const reportRows = (answer.body.rows as { outcome: string }[] | undefined) ?? [];
    reported += reportRows.length;
    created += reportRows.filter((row) => row.outcome === 'created').length;
    if (answer.status !== 200 || summary?.rows !== rows || reportRows.length !== rows) {
      problems.push(`file ${file}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
    if ((file + 1) % 10 === 0) console.log(`  imported ${file + 1}/${files} files`);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const again = await call(
    'POST',
    `/v1/clinics/${CLINIC}/imports`,
    csvFile(0, Math.min(ROWS_PER_FILE, IMPORT_ROWS)),
  );
  const againSummary = again.body.summary as { unchanged: number; rows: number } | undefined;
  const sorted = [...fileMs].sort((a, b) => a - b);
  return {
    rows: IMPORT_ROWS,
    files,
    rowsPerFile: ROWS_PER_FILE,
    wallSeconds: round(wallSeconds),
    rowsPerSecond: round(IMPORT_ROWS / wallSeconds),
    fileP50Ms: round(percentile(sorted, 50)),
    fileP99Ms: round(percentile(sorted, 99)),
    reported,
    created,
    problems,
    reimportFirstFile: { status: again.status, rows: againSummary?.rows, unchanged: againSummary?.unchanged },
  };
}

const local = await startLocalMode();
let failed = false;
try {
  console.log(
    `Mixed load: ${CLIENTS} clients for ${SECONDS} s on ${local.url} (${APPOINTMENTS} appointments to start)`,
  );
  const load = await mixedLoad(local);
  console.log(JSON.stringify(load, null, 2));
  console.log(`Import: ${IMPORT_ROWS} rows in files of ${ROWS_PER_FILE}`);
  const imported = await bulkImport(local);
  console.log(JSON.stringify(imported, null, 2));
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ load, import: imported }, null, 2)}\n`);
  const checks = {
    'no 5xx': load.serverErrors === 0,
    'only the expected statuses': load.unexpected.length === 0,
    'a race never lets both writes in': load.raceBothWon === 0,
    'stored versions match the writes seen': load.lostOrPhantomWrites.length === 0,
    'every imported row reported': imported.reported === IMPORT_ROWS && imported.problems.length === 0,
    'every imported row created': imported.created === IMPORT_ROWS,
    're-import changes nothing': imported.reimportFirstFile.unchanged === imported.reimportFirstFile.rows,
  };
  for (const [check, ok] of Object.entries(checks)) console.log(`${ok ? 'ok  ' : 'FAIL'} ${check}`);
  failed = Object.values(checks).some((ok) => !ok);
} finally {
  local.child.kill('SIGINT');
  await new Promise((resolve) => local.child.once('exit', resolve));
}
process.exitCode = failed ? 1 : 0;
