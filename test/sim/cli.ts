/**
 * npm run simulate -- --seeds N [--first F] [--seed S] [--steps K] [--visits V]
 *   [--workers W] [--concurrency C] [--round R] [--no-shrink]
 *
 * Starts DynamoDB Local, runs N seeds (from F, default 1) or replays one
 * seed S, and prints each failure with its seed, the invariants it broke
 * and the shortest schedule that still breaks them. Exit code 1 on any
 * failure. Randomness and time come from the seed only.
 *
 * The handlers' side of a seed is CPU-bound Node work (the AWS SDK's
 * per-request cost), so W worker processes (default 2: the build machine's
 * cores) share the one DynamoDB Local, worker k taking every W-th seed, C at
 * a time each; a seed's result does not depend on which worker ran it.
 * Seeds go in rounds of R (default 100), each round on a fresh DynamoDB Local
 * and fresh workers.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { restoreAwsMocks } from './aws-hub';
import type { Violation } from './invariants';
import {
  addResult,
  connect,
  DEFAULT_CONCURRENCY,
  type RunResult,
  runSchedule,
  runSeeds,
  type SeedsSummary,
  type SimDatabase,
  seedRange,
  shrink,
} from './run';
import { DEFAULT_SIZE, generateSchedule, type ScheduleSize } from './schedule';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

function integer(name: string, fallback: number): number {
  const text = option(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`--${name} must be an integer, not ${text}`);
  return value;
}

/** What a worker process reports to the parent. */
type WorkerMessage =
  | {
      type: 'result';
      result: Pick<RunResult, 'seed' | 'steps' | 'providerCalls' | 'faults' | 'violations'>;
      failure?: SeedsSummary['failures'][number];
    }
  | { type: 'done' };

const DEFAULT_WORKERS = 2;
const DEFAULT_ROUND = 100;

function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.invariant}: ${v.detail}`).join('; ');
}

async function replay(seed: number, size: ScheduleSize, db: SimDatabase): Promise<number> {
  const schedule = generateSchedule(seed, size);
  const result = await runSchedule(schedule, db);
  console.log(
    JSON.stringify({
      seed: result.seed,
      digest: result.digest,
      faults: result.faults,
      ms: Math.round(result.ms),
    }),
  );
  if (result.violations.length === 0) {
    console.log(`seed ${result.seed}: 0 invariant violations`);
    return 0;
  }
  console.log(`seed ${result.seed} FAILED:`);
  for (const v of result.violations) console.log(`  ${v.invariant}: ${v.detail}`);
  const first = result.violations[0];
  if (first && !process.argv.includes('--no-shrink')) {
    const shrunk = await shrink(schedule, first.invariant, db);
    console.log(`shortest schedule still failing ${first.invariant} (${shrunk.runs} re-runs):`);
    console.log(JSON.stringify(shrunk.schedule.steps, null, 1));
  }
  return 1;
}

/** A worker: its share of the seeds on the parent's DynamoDB Local, each result sent to the parent. */
async function work(size: ScheduleSize): Promise<number> {
  const endpoint = option('endpoint');
  if (!endpoint) throw new Error('--worker needs --endpoint');
  const seeds = seedRange(integer('first', 1), integer('seeds', 10)).filter(
    (_, i) => i % integer('workers', 1) === integer('worker', 0),
  );
  const db = connect(endpoint);
  const send = (message: WorkerMessage) =>
    new Promise<void>((resolve, reject) =>
      process.send?.(message, (error: Error | null) => (error ? reject(error) : resolve())),
    );
  const sent: Promise<void>[] = [];
  try {
    await runSeeds(seeds, db, {
      size,
      concurrency: integer('concurrency', DEFAULT_CONCURRENCY),
      shrinkFailures: !process.argv.includes('--no-shrink'),
      onResult: (result, failure) => {
        const { seed, steps, providerCalls, faults, violations } = result;
        sent.push(
          send({
            type: 'result',
            result: { seed, steps, providerCalls, faults, violations },
            ...(failure ? { failure } : {}),
          }),
        );
      },
    });
    await Promise.all(sent);
    await send({ type: 'done' });
    return 0;
  } finally {
    restoreAwsMocks();
    db.close();
  }
}

type Summary = SeedsSummary & { stopped?: boolean };

/**
 * Forks the workers for seeds `first` … `first + count - 1` on one DynamoDB
 * Local and adds what they report to `summary`, printing progress every 100
 * seeds of `total`.
 */
async function runWorkers(
  endpoint: string,
  first: number,
  count: number,
  total: number,
  summary: Summary,
  started: number,
): Promise<void> {
  const workers = Math.max(1, Math.min(integer('workers', DEFAULT_WORKERS), count));
  const passOn = [
    '--first',
    String(first),
    '--seeds',
    String(count),
    ...['steps', 'visits', 'concurrency'].flatMap((name) => {
      const value = option(name);
      return value === undefined ? [] : [`--${name}`, value];
    }),
    ...(process.argv.includes('--no-shrink') ? ['--no-shrink'] : []),
  ];
  const script = fileURLToPath(import.meta.url);
  const children: ReturnType<typeof fork>[] = [];
  // SIGTERM or SIGINT (a run out of time) stops the workers and reports the seeds finished so far.
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const onSignal = () => {
    summary.stopped = true;
    for (const child of children) child.kill();
    stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const finished = Array.from(
    { length: workers },
    (_, k) =>
      new Promise<void>((resolve, reject) => {
        const child = fork(script, [
          ...passOn,
          '--worker',
          String(k),
          '--workers',
          String(workers),
          '--endpoint',
          endpoint,
        ]);
        children.push(child);
        let done = false;
        child.on('message', (message: WorkerMessage) => {
          if (summary.stopped) return;
          if (message.type === 'done') {
            done = true;
            return;
          }
          addResult(summary, message.result);
          if (message.failure) {
            summary.failures.push(message.failure);
            console.log(
              `seed ${message.result.seed} FAILED: ${describeViolations(message.result.violations)}`,
            );
          }
          if (summary.seeds % 100 === 0)
            console.log(
              `${summary.seeds}/${total} seeds, ${summary.steps} steps, ${summary.failures.length} failing, ${Math.round((performance.now() - started) / 1000)} s`,
            );
        });
        child.on('exit', (code) =>
          done && code === 0 ? resolve() : reject(new Error(`worker ${k} ended with code ${code}`)),
        );
      }),
  );
  try {
    await Promise.race([Promise.all(finished), stopped]);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/**
 * Seeds run in rounds of `--round` (default 100), each on a DynamoDB Local
 * and workers of its own: one process over thousands of seeds slowed down
 * (about 35 s per 100 seeds at first, 80 s after 400, on this machine)
 * whatever the Java heap, and a fresh round starts at full speed again.
 */
async function runRounds(first: number, count: number): Promise<Summary> {
  const started = performance.now();
  const round = Math.max(1, integer('round', DEFAULT_ROUND));
  const summary: Summary = { seeds: 0, steps: 0, providerCalls: 0, faults: {}, failures: [], ms: 0 };
  for (let from = first; from < first + count && !summary.stopped; from += round) {
    const dynamo = await startDynamoDbLocal({ sharedDb: true });
    try {
      await runWorkers(dynamo.endpoint, from, Math.min(round, first + count - from), count, summary, started);
    } finally {
      await dynamo.stop();
    }
  }
  summary.failures.sort((a, b) => a.seed - b.seed);
  summary.ms = performance.now() - started;
  return summary;
}

async function main(): Promise<number> {
  const size = {
    steps: integer('steps', DEFAULT_SIZE.steps),
    visits: integer('visits', DEFAULT_SIZE.visits),
  };
  if (process.argv.includes('--worker')) return work(size);
  const seed = option('seed');
  const count = integer('seeds', 10);
  const first = integer('first', 1);
  if (seed !== undefined) {
    const dynamo = await startDynamoDbLocal({ sharedDb: true });
    const db = connect(dynamo.endpoint);
    try {
      return await replay(integer('seed', 0), size, db);
    } finally {
      restoreAwsMocks();
      db.close();
      await dynamo.stop();
    }
  }
  {
    const summary = await runRounds(first, count);
    const duplicates = summary.failures.filter((f) =>
      f.violations.some((v) => v.invariant === 'no-duplicates'),
    ).length;
    const lost = summary.failures.filter((f) => f.violations.some((v) => v.invariant === 'none-lost')).length;
    const violations = summary.failures.reduce((total, f) => total + f.violations.length, 0);
    console.log(
      JSON.stringify(
        {
          seeds: summary.seeds,
          firstSeed: first,
          ...(summary.stopped
            ? { stoppedEarly: `by a signal, after ${summary.seeds} of ${count} seeds` }
            : {}),
          size,
          steps: summary.steps,
          providerCalls: summary.providerCalls,
          faults: Object.fromEntries(Object.entries(summary.faults).sort(([a], [b]) => a.localeCompare(b))),
          seconds: Math.round(summary.ms / 1000),
        },
        null,
        1,
      ),
    );
    for (const failure of summary.failures) {
      console.log(`seed ${failure.seed}: ${describeViolations(failure.violations)}`);
      if (failure.shrunk) console.log(`  shortest failing steps: ${JSON.stringify(failure.shrunk.steps)}`);
      console.log(`  replay: npm run simulate -- --seed ${failure.seed}`);
    }
    console.log(`${duplicates} duplicates, ${lost} lost, ${violations} invariant violations`);
    return summary.failures.length === 0 && !summary.stopped ? 0 : 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
