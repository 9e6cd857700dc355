/**
 * Order statistics over samples (latencies, errors, lateness): the one definition that the evaluation, the
 * simulator's episode summaries, the served-policy latency ring and the benchmarks all quote.
 */

/** The nearest-rank p-th percentile (p in 0..100); NaN for no samples. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(samples).sort();
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median (the mean of the two middle samples for an even count); NaN for no samples. */
export function median(samples: ArrayLike<number>): number {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}
