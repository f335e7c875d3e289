/** Small helpers the benchmark scripts share for their figures and their setup loops. */

/**
 * The nearest-rank percentile of sorted numbers (0 for none).
 *
 * @param sorted - the values, ascending
 * @param p - the percentile, 0–100
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * Runs the work for each item, `size` at a time, each group after the one before.
 *
 * @param size - how many run at once
 */
export async function inChunks<T>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let start = 0; start < items.length; start += size)
    await Promise.all(items.slice(start, start + size).map(work));
}

/** A figure with a fixed number of decimals. */
export const fmt = (n: number, digits = 2) => n.toFixed(digits);
