/** A stretch of time in which a stream has no samples although it should. */
export interface Gap {
  /** Time of the last sample before the gap and of the first after it, nanoseconds. */
  startNs: bigint;
  endNs: bigint;
}

/** The median spacing of sorted times, or undefined with fewer than two. */
export function medianPeriodNs(timesNs: readonly bigint[]): bigint | undefined {
  if (timesNs.length < 2) return undefined;
  const d: bigint[] = [];
  for (let i = 1; i < timesNs.length; i++) d.push(timesNs[i]! - timesNs[i - 1]!);
  d.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return d[(d.length - 1) >> 1]!;
}

/**
 * The largest spacing that is not a gap: `factor` times the median period (a stream at 100 Hz with one
 * dropped message is not in a gap; one silent for a third of a second is), and at least `floorNs`.
 */
export function defaultMaxGapNs(timesNs: readonly bigint[], factor = 3, floorNs = 1_000_000n): bigint | undefined {
  const period = medianPeriodNs(timesNs);
  if (period === undefined) return undefined;
  const bound = period * BigInt(factor);
  return bound > floorNs ? bound : floorNs;
}

/** Every spacing between consecutive sorted times larger than `maxGapNs`. */
export function detectGaps(timesNs: readonly bigint[], maxGapNs: bigint): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < timesNs.length; i++) {
    if (timesNs[i]! - timesNs[i - 1]! > maxGapNs) gaps.push({ startNs: timesNs[i - 1]!, endNs: timesNs[i]! });
  }
  return gaps;
}
