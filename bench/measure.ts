/** Small measuring helpers shared by the scenarios. */

export interface BenchOptions {
  /** Smaller sizes, for the smoke test: the whole run stays under a minute. */
  quick: boolean;
  /** The booking storm's number of users (default 2,000; quick 300). */
  users?: number;
}

export interface Figure {
  scenario: string;
  case: string;
  /** The measured value, e.g. events/s. */
  value: number;
  unit: string;
  /** Free-form details (counts, latencies, ratios). */
  details?: Record<string, number | string>;
}

export async function timed<T>(work: () => Promise<T> | T): Promise<{ result: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Runs `count` tasks with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  });
  await Promise.all(workers);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export const round = (value: number, digits = 0) => Number(value.toFixed(digits));
