/**
 * npm run simulate -- --seeds N [--first F] [--seed S] [--no-shrink]
 *
 * Starts DynamoDB Local, runs N seeds (from F, default 1) or replays one
 * seed S, and prints each failure with its seed, the invariants it broke
 * and the shortest schedule that still breaks them. Exit code 1 on any
 * failure. Randomness and time come from the seed only.
 */
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { restoreAwsMocks } from './aws-hub';
import { connect, DEFAULT_CONCURRENCY, runSchedule, runSeeds, shrink } from './run';
import { DEFAULT_SIZE, generateSchedule } from './schedule';

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

async function main(): Promise<number> {
  const seed = option('seed');
  const count = integer('seeds', 10);
  const first = integer('first', 1);
  const steps = integer('steps', DEFAULT_SIZE.steps);
  const size = { ...DEFAULT_SIZE, steps };
  const dynamo = await startDynamoDbLocal({ sharedDb: true });
  const db = connect(dynamo.endpoint);
  try {
    if (seed !== undefined) {
      const schedule = generateSchedule(integer('seed', 0), size);
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
    let done = 0;
    const summary = await runSeeds(first, count, db, {
      size,
      concurrency: integer('concurrency', DEFAULT_CONCURRENCY),
      shrinkFailures: !process.argv.includes('--no-shrink'),
      onResult: (result) => {
        done += 1;
        if (result.violations.length > 0)
          console.log(
            `seed ${result.seed} FAILED: ${result.violations.map((v) => `${v.invariant}: ${v.detail}`).join('; ')}`,
          );
        if (done % 100 === 0) console.log(`${done}/${count} seeds`);
      },
    });
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
          steps: summary.steps,
          providerCalls: summary.providerCalls,
          faults: summary.faults,
          seconds: Math.round(summary.ms / 1000),
        },
        null,
        1,
      ),
    );
    for (const failure of summary.failures) {
      console.log(
        `seed ${failure.seed}: ${failure.violations.map((v) => `${v.invariant}: ${v.detail}`).join('; ')}`,
      );
      if (failure.shrunk) console.log(`  shortest failing steps: ${JSON.stringify(failure.shrunk.steps)}`);
      console.log(`  replay: npm run simulate -- --seed ${failure.seed}`);
    }
    console.log(`${duplicates} duplicates, ${lost} lost, ${violations} invariant violations`);
    return summary.failures.length === 0 ? 0 : 1;
  } finally {
    restoreAwsMocks();
    db.close();
    await dynamo.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
