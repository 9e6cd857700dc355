/**
 * One benchmark figure (DESIGN §8). Names are stable once published: figures are tracked over time.
 * `ratio` is `median / baseline median`, both measured in the same run.
 */
export interface BenchFigure {
  name: string;
  median: number;
  p99: number;
  unit: string;
  /** What the ratio compares against, measured in the same run (e.g. "bare clamp"). */
  baseline: string;
  ratio: number;
  /** How it was measured, in one sentence. */
  method: string;
  /** Anything else worth printing (p50/max, counts). */
  extra?: Record<string, number | string>;
}

export interface BenchOptions {
  /** Fewer iterations (for smoke tests of the benchmark code itself). */
  quick: boolean;
}

export interface Benchmark {
  /** Prefix of its figures' names (e.g. `safety`), selectable with `--only`. */
  name: string;
  run(options: BenchOptions): Promise<BenchFigure[]>;
}
