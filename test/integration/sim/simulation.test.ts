import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { restoreAwsMocks } from '../../sim/aws-hub';
import type { Violation } from '../../sim/invariants';
import {
  connect,
  type RunResult,
  runSchedule,
  runSeeds,
  type SimDatabase,
  seedRange,
  shrink,
} from '../../sim/run';
import { generateSchedule, type Schedule, TEST_SIZE } from '../../sim/schedule';
import type { SimWorld } from '../../sim/world';

/** Seeds npm test runs; `npm run simulate -- --seeds 10000` runs the long version. */
const SEEDS = 50;

let db: SimDatabase;
beforeAll(() => {
  db = connect(inject('dynamoEndpoint'));
});
afterAll(() => {
  restoreAwsMocks();
  db.close();
});

describe('the simulator', () => {
  const results = new Map<number, RunResult>();

  it(`keeps every guarantee over ${SEEDS} seeds of combined faults on the shipped handlers`, async () => {
    const summary = await runSeeds(seedRange(1, SEEDS), db, {
      size: TEST_SIZE,
      shrinkFailures: false,
      onResult: (result) => results.set(result.seed, result),
    });

    expect(summary.failures).toEqual([]);
    expect(summary.seeds).toBe(SEEDS);
    // The seeds do inject faults, and of many kinds.
    expect(Object.keys(summary.faults).length).toBeGreaterThanOrEqual(6);
    expect(summary.providerCalls).toBeGreaterThan(SEEDS);
  }, 300_000);

  it('sim seeds 2125, 3577, 6154, 7072, 7105 (the 10,000-seed run): a receipt for a send that ended unknown keeps it counted unknown and gives it the provider id', async () => {
    for (const seed of [2125, 3577, 6154, 7072, 7105]) {
      const result = await runSchedule(generateSchedule(seed, TEST_SIZE), db);
      expect(result.violations, `seed ${seed}`).toEqual([]);
    }
  }, 60_000);

  it('replays a seed message for message: same provider calls, same final tables', async () => {
    const first = results.get(7);
    expect(first).toBeDefined();

    const again = await runSchedule(generateSchedule(7, TEST_SIZE), db);

    expect(again.digest).toBe(first?.digest);
    expect(again.faults).toEqual(first?.faults);
  }, 60_000);
});

describe('the shrinker', () => {
  /** A deliberately wrong invariant (the product is right): "no cancellation notice ever goes out". */
  async function noCancellationNotice(world: SimWorld): Promise<Violation[]> {
    const sent = world.log.calls.filter((call) => call.messageId.includes('#cancellation#'));
    return sent.map((call) => ({ invariant: 'injected-bug', detail: `${call.messageId} went out` }));
  }

  it('finds the shortest schedule that still breaks an invariant: the booking and its cancel', async () => {
    const base = generateSchedule(3);
    const schedule: Schedule = {
      ...base,
      visits: [
        {
          ...base.visits[0],
          startsAfterMinutes: 2 * 24 * 60,
          durationMinutes: 30,
        } as Schedule['visits'][number],
        {
          ...base.visits[1],
          startsAfterMinutes: 3 * 24 * 60,
          durationMinutes: 30,
        } as Schedule['visits'][number],
      ],
      steps: [
        { id: 0, action: { kind: 'book', visit: 0 }, faults: {} },
        { id: 1, action: { kind: 'book', visit: 1 }, faults: { duplicateSqs: 1 } },
        { id: 2, action: { kind: 'cancel', visit: 0 }, faults: {} },
        { id: 3, action: { kind: 'replay' }, faults: {} },
      ],
    };
    const options = { extraInvariant: noCancellationNotice };
    const failing = await runSchedule(schedule, db, options);
    expect(failing.violations.map((v) => v.invariant)).toContain('injected-bug');

    const shrunk = await shrink(schedule, 'injected-bug', db, options, 8);

    expect(shrunk.schedule.steps.map((step) => step.action)).toEqual([
      { kind: 'book', visit: 0 },
      { kind: 'cancel', visit: 0 },
    ]);
    // The shortest schedule still fails, and replays from the schedule alone.
    const replayed = await runSchedule(shrunk.schedule, db, options);
    expect(replayed.violations.map((v) => v.invariant)).toContain('injected-bug');
  }, 120_000);
});
