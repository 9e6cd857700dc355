import type { AlignedPair } from './alignStreams';

export interface DimensionError {
  name: string;
  /** Mean squared error. */
  mse: number;
  /** Mean absolute error (L1). */
  l1: number;
  maxAbs: number;
  /** Pairs in which both sides had a value for this dimension. */
  count: number;
}

export interface ErrorMetrics {
  perDimension: DimensionError[];
  /** Means over the dimensions that have at least one pair (null when none has). */
  meanMse: number | null;
  meanL1: number | null;
}

/** Per-dimension MSE, L1 and max |error| over aligned pairs; NaN on either side leaves that value out. */
export function errorMetrics(names: readonly string[], pairs: readonly AlignedPair[]): ErrorMetrics {
  const sq = new Float64Array(names.length);
  const abs = new Float64Array(names.length);
  const max = new Float64Array(names.length);
  const count = new Float64Array(names.length);
  for (const { predicted, recorded } of pairs) {
    for (let i = 0; i < names.length; i++) {
      const e = predicted[i]! - recorded[i]!;
      if (Number.isNaN(e)) continue;
      const a = Math.abs(e);
      sq[i] = sq[i]! + e * e;
      abs[i] = abs[i]! + a;
      if (a > max[i]!) max[i] = a;
      count[i] = count[i]! + 1;
    }
  }
  const perDimension = names.map((name, i) => {
    const n = count[i]!;
    return { name, mse: n === 0 ? NaN : sq[i]! / n, l1: n === 0 ? NaN : abs[i]! / n, maxAbs: n === 0 ? NaN : max[i]!, count: n };
  });
  const used = perDimension.filter((d) => d.count > 0);
  const mean = (f: (d: DimensionError) => number): number | null =>
    used.length === 0 ? null : used.reduce((s, d) => s + f(d), 0) / used.length;
  return { perDimension, meanMse: mean((d) => d.mse), meanL1: mean((d) => d.l1) };
}

/** Fraction of positions where the predicted token equals the expected one, over all compared sequences. */
export function tokenAccuracy(sequences: readonly { predicted: readonly number[]; expected: readonly number[] }[]): {
  accuracy: number | null;
  compared: number;
} {
  let equal = 0;
  let compared = 0;
  for (const { predicted, expected } of sequences) {
    const n = Math.min(predicted.length, expected.length);
    for (let i = 0; i < n; i++) if (predicted[i] === expected[i]) equal++;
    // A missing or extra token counts as a miss.
    compared += Math.max(predicted.length, expected.length);
  }
  return { accuracy: compared === 0 ? null : equal / compared, compared };
}
