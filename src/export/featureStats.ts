/**
 * Per-feature statistics as LeRobot's meta/stats.json holds them: for each dimension min, max, mean, std
 * (population), and the 1st and 99th percentiles (numpy's default linear interpolation), plus the row count.
 * q01/q99 make the same file usable for quantile normalization (OpenVLA, openpi).
 */
export interface FeatureStats {
  min: number[];
  max: number[];
  mean: number[];
  std: number[];
  count: number[];
  q01: number[];
  q99: number[];
}

/** The q-quantile of sorted values with linear interpolation between the two nearest ranks (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Collects the rows of a vector feature (every value kept: quantiles are exact). */
export class VectorStats {
  private readonly columns: number[][];

  constructor(readonly dims: number) {
    this.columns = Array.from({ length: dims }, () => []);
  }

  get count(): number {
    return this.columns[0]?.length ?? 0;
  }

  add(row: ArrayLike<number>): void {
    if (row.length !== this.dims) throw new RangeError(`a row has ${row.length} values, the feature has ${this.dims}`);
    for (let d = 0; d < this.dims; d++) this.columns[d]!.push(row[d]!);
  }

  result(): FeatureStats {
    const out: FeatureStats = { min: [], max: [], mean: [], std: [], count: [this.count], q01: [], q99: [] };
    for (const column of this.columns) {
      const sorted = Float64Array.from(column).sort();
      let sum = 0;
      for (const v of sorted) sum += v;
      const mean = sum / sorted.length;
      let squares = 0;
      for (const v of sorted) squares += (v - mean) * (v - mean);
      out.min.push(sorted[0]!);
      out.max.push(sorted[sorted.length - 1]!);
      out.mean.push(mean);
      out.std.push(Math.sqrt(squares / sorted.length));
      out.q01.push(quantileSorted(sorted, 0.01));
      out.q99.push(quantileSorted(sorted, 0.99));
    }
    return out;
  }
}

/** Image statistics per channel over every pixel of every frame, in [0, 1], shaped (3, 1, 1) as LeRobot writes them. */
export interface ImageFeatureStats {
  min: number[][][];
  max: number[][][];
  mean: number[][][];
  std: number[][][];
  count: number[];
  q01: number[][][];
  q99: number[][][];
}

/** Per-channel histograms of packed rgb24 frames: exact statistics of 8-bit values in constant memory. */
export class ImageStats {
  private readonly histograms = [new Float64Array(256), new Float64Array(256), new Float64Array(256)];
  private frames = 0;

  add(rgb: Uint8Array): void {
    const [r, g, b] = this.histograms as [Float64Array, Float64Array, Float64Array];
    for (let i = 0; i + 2 < rgb.length; i += 3) {
      r[rgb[i]!]!++;
      g[rgb[i + 1]!]!++;
      b[rgb[i + 2]!]!++;
    }
    this.frames++;
  }

  result(): ImageFeatureStats {
    const per = this.histograms.map((h) => histogramStats(h));
    const shaped = (key: keyof ReturnType<typeof histogramStats>): number[][][] => per.map((s) => [[s[key] / 255]]);
    return {
      min: shaped('min'),
      max: shaped('max'),
      mean: shaped('mean'),
      std: shaped('std'),
      count: [this.frames],
      q01: shaped('q01'),
      q99: shaped('q99'),
    };
  }
}

function histogramStats(h: Float64Array): { min: number; max: number; mean: number; std: number; q01: number; q99: number } {
  let n = 0;
  let sum = 0;
  let min = NaN;
  let max = NaN;
  for (let v = 0; v < 256; v++) {
    if (h[v] === 0) continue;
    if (Number.isNaN(min)) min = v;
    max = v;
    n += h[v]!;
    sum += v * h[v]!;
  }
  const mean = sum / n;
  let squares = 0;
  for (let v = 0; v < 256; v++) squares += h[v]! * (v - mean) * (v - mean);
  /** The value of sorted rank k (0-based) in the histogram. */
  const at = (k: number): number => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += h[v]!;
      if (seen > k) return v;
    }
    return max;
  };
  const quantile = (q: number): number => {
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    return at(lo) + (at(Math.min(lo + 1, n - 1)) - at(lo)) * (pos - lo);
  };
  return { min, max, mean, std: Math.sqrt(squares / n), q01: quantile(0.01), q99: quantile(0.99) };
}
