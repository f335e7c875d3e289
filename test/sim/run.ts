/**
 * Runs seeds: each on tables of its own (a prefix per run) in one shared
 * DynamoDB Local, the invariants after every step (the cheap ones) and at
 * the end (all of them), and, for a failing seed, the shortest schedule that
 * still fails, found by dropping steps and running again.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { type DynamoClients, makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { createTables, deleteTables } from '../../shared/adapters/dynamodb/create-tables';
import { prefixedTableNames } from '../../shared/tables';
import { forgetAwsCalls, withAwsAnswers } from './aws-hub';
import { checkInvariants, checkNoDuplicates, digestOf, storedMessages, type Violation } from './invariants';
import { DEFAULT_SIZE, generateSchedule, type Schedule, type ScheduleSize } from './schedule';
import { SimWorld } from './world';

export interface SimDatabase {
  clients: DynamoClients;
  streams: DynamoDBStreamsClient;
  close(): void;
}

/** Clients for a DynamoDB Local endpoint (dummy keys: synthetic data only). */
export function connect(endpoint: string): SimDatabase {
  const clients = makeDynamoClients({ endpoint });
  const streams = new DynamoDBStreamsClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    clients,
    streams,
    close() {
      clients.raw.destroy();
      streams.destroy();
    },
  };
}

export interface RunOptions {
  /** A deliberately broken invariant, to test the shrinker (never used against the product). */
  extraInvariant?: (world: SimWorld) => Violation[] | Promise<Violation[]>;
}

export interface RunResult {
  seed: number;
  steps: number;
  violations: Violation[];
  digest: string;
  faults: Record<string, number>;
  providerCalls: number;
  ms: number;
}

let runs = 0;

/**
 * Runs one schedule on fresh tables and checks every invariant.
 *
 * @param schedule - what to run
 * @param db - the shared DynamoDB Local
 * @param options - an extra invariant (shrinker tests)
 */
export async function runSchedule(
  schedule: Schedule,
  db: SimDatabase,
  options: RunOptions = {},
): Promise<RunResult> {
  const started = performance.now();
  const names = prefixedTableNames(`sim${schedule.seed}-${++runs}-`);
  await createTables(db.clients.raw, names);
  const world = new SimWorld(schedule, db.clients, names, db.streams);
  try {
    return await withAwsAnswers(world.aws, () => runWorld(world, schedule, options, started));
  } finally {
    forgetAwsCalls();
    await deleteTables(db.clients.raw, names);
  }
}

async function runWorld(
  world: SimWorld,
  schedule: Schedule,
  options: RunOptions,
  started: number,
): Promise<RunResult> {
  {
    await world.setUp();
    const violations: Violation[] = [];
    for (const step of schedule.steps) {
      await world.run(step);
      const found = checkNoDuplicates(world.log.calls);
      if (found.length > 0) {
        violations.push(...found.map((v) => ({ ...v, detail: `${v.detail} (after step ${step.id})` })));
        break;
      }
    }
    await world.finish();
    const messages = await storedMessages(world);
    if (violations.length === 0) violations.push(...(await checkInvariants(world, messages)));
    if (options.extraInvariant) violations.push(...(await options.extraInvariant(world)));
    return {
      seed: schedule.seed,
      steps: schedule.steps.length,
      violations,
      digest: await digestOf(world, messages),
      faults: world.log.faults,
      providerCalls: world.log.calls.length,
      ms: performance.now() - started,
    };
  }
}

/**
 * The shortest schedule found that still breaks the same invariant: drops
 * halves, then quarters, … then single steps, keeping each drop that still fails.
 *
 * @param schedule - a failing schedule
 * @param invariant - the invariant it breaks
 * @param maxRuns - a bound on re-runs
 */
export async function shrink(
  schedule: Schedule,
  invariant: string,
  db: SimDatabase,
  options: RunOptions = {},
  maxRuns = 80,
): Promise<{ schedule: Schedule; runs: number }> {
  let current = schedule;
  let tried = 0;
  const fails = async (candidate: Schedule) => {
    tried += 1;
    const result = await runSchedule(candidate, db, options);
    return result.violations.some((v) => v.invariant === invariant);
  };
  let chunk = Math.max(1, Math.floor(current.steps.length / 2));
  while (chunk >= 1 && tried < maxRuns) {
    let removedAny = false;
    for (let from = 0; from < current.steps.length && tried < maxRuns; ) {
      const candidate = {
        ...current,
        steps: [...current.steps.slice(0, from), ...current.steps.slice(from + chunk)],
      };
      if (await fails(candidate)) {
        current = candidate;
        removedAny = true;
      } else {
        from += chunk;
      }
    }
    if (!removedAny || chunk > 1) chunk = Math.floor(chunk / 2);
    else if (chunk === 1) break;
  }
  return { schedule: current, runs: tried };
}

export interface SeedsSummary {
  seeds: number;
  steps: number;
  providerCalls: number;
  faults: Record<string, number>;
  failures: { seed: number; violations: Violation[]; shrunk?: Schedule }[];
  ms: number;
}

/**
 * Runs the given seeds, `concurrency` at a time (each on tables of its own;
 * a run waits on DynamoDB Local much of the time), shrinking each failure.
 *
 * @param seeds - which seeds (the CLI's workers each take every n-th one)
 * @param onResult - called after each seed (progress)
 */
export async function runSeeds(
  seeds: readonly number[],
  db: SimDatabase,
  options: RunOptions & {
    size?: ScheduleSize;
    concurrency?: number;
    shrinkFailures?: boolean;
    onResult?: (result: RunResult, failure?: SeedsSummary['failures'][number]) => void;
  } = {},
): Promise<SeedsSummary> {
  const started = performance.now();
  const summary: SeedsSummary = { seeds: 0, steps: 0, providerCalls: 0, faults: {}, failures: [], ms: 0 };
  let next = 0;
  const worker = async () => {
    for (let at = next++; at < seeds.length; at = next++) {
      const seed = seeds[at] as number;
      const schedule = generateSchedule(seed, options.size ?? DEFAULT_SIZE);
      const result = await runSchedule(schedule, db, options);
      addResult(summary, result);
      let failure: SeedsSummary['failures'][number] | undefined;
      if (result.violations.length > 0) {
        failure = { seed, violations: result.violations };
        const broken = result.violations[0];
        if (options.shrinkFailures !== false && broken)
          failure.shrunk = (await shrink(schedule, broken.invariant, db, options)).schedule;
        summary.failures.push(failure);
      }
      options.onResult?.(result, failure);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? DEFAULT_CONCURRENCY }, worker));
  summary.failures.sort((a, b) => a.seed - b.seed);
  summary.ms = performance.now() - started;
  return summary;
}

/** Adds one seed's figures to a summary (its failure, if any, is the caller's). */
export function addResult(
  summary: SeedsSummary,
  result: Pick<RunResult, 'steps' | 'providerCalls' | 'faults'>,
): void {
  summary.seeds += 1;
  summary.steps += result.steps;
  summary.providerCalls += result.providerCalls;
  for (const [kind, times] of Object.entries(result.faults))
    summary.faults[kind] = (summary.faults[kind] ?? 0) + times;
}

/** Seeds `first` … `first + count - 1`. */
export function seedRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

/** Seeds at once: enough to keep DynamoDB Local and the handlers busy on two cores. */
export const DEFAULT_CONCURRENCY = 4;
