import { percentile } from '../bench/stats';
import type { SafetyEvent } from '../safety/SafetyEvent';
import { type Alignment, alignStreams } from './alignStreams';
import type { CommandStream } from './CommandStream';
import { defaultMaxGapNs, detectGaps, type Gap } from './detectGaps';
import { type ErrorMetrics, errorMetrics, tokenAccuracy } from './errorMetrics';

export interface EvalInputs {
  bag: string;
  policy: string;
  embodiment: string;
  predicted: CommandStream;
  recorded: CommandStream;
  /** Largest spacing of recorded commands that is not a gap; default 3x their median period. */
  maxGapNs?: bigint;
  /** Times of the observation topics the replay read (cameras, joint states), to report their gaps. */
  observationTimesNs?: Readonly<Record<string, readonly bigint[]>>;
  /** Tokens of tokenized policies, with the tokens of the recorded actions. */
  tokens?: readonly { predicted: readonly number[]; expected: readonly number[] }[];
  safetyEvents?: readonly SafetyEvent[];
  /** Wall time of each inference, seconds. */
  inferenceS?: readonly number[];
}

export interface TopicGap extends Gap {
  topic: string;
}

export interface EvalResult {
  alignment: Alignment;
  errors: ErrorMetrics;
  gaps: TopicGap[];
  maxGapNs: bigint | undefined;
  /** metrics.json, as written. */
  metrics: Record<string, unknown>;
}

const RECORDED = 'recorded commands';

/** Seconds from nanoseconds, correctly rounded (990000000 ns is 0.99, not 0.9900000000000001). */
export function seconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
}

function round(v: number | null, digits = 9): number | null {
  return v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(digits));
}

function latencySummary(seconds: readonly number[]): Record<string, number | null> {
  const ms = seconds.map((s) => s * 1e3);
  const stat = (p: number): number | null => (ms.length === 0 ? null : round(percentile(ms, p), 6));
  return {
    count: ms.length,
    mean: ms.length === 0 ? null : round(ms.reduce((a, b) => a + b, 0) / ms.length, 6),
    p50: stat(50),
    p90: stat(90),
    p99: stat(99),
    max: stat(100),
  };
}

function countBy<T>(items: readonly T[], key: (t: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Compares a replay's predicted commands with the recorded ones and builds metrics.json: per-dimension MSE and
 * L1 (aligned in time, in the embodiment's order), gaps of the recorded commands and observations (reported,
 * never interpolated across), token accuracy, safety interventions and inference latency. Pure and
 * deterministic: the same inputs give the same JSON.
 */
export function evaluateCommands(inputs: EvalInputs): EvalResult {
  const recordedTimes = inputs.recorded.samples.map((s) => s.tNs);
  const maxGapNs = inputs.maxGapNs ?? defaultMaxGapNs(recordedTimes);
  const alignment = alignStreams(inputs.predicted, inputs.recorded, maxGapNs ?? 0n);
  const errors = errorMetrics(inputs.predicted.names, alignment.pairs);
  const gaps: TopicGap[] = [];
  if (maxGapNs !== undefined) for (const g of detectGaps(recordedTimes, maxGapNs)) gaps.push({ topic: RECORDED, ...g });
  for (const [topic, times] of Object.entries(inputs.observationTimesNs ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bound = defaultMaxGapNs(times);
    if (bound !== undefined) for (const g of detectGaps(times, bound)) gaps.push({ topic, ...g });
  }
  const tokens = tokenAccuracy(inputs.tokens ?? []);
  const events = inputs.safetyEvents ?? [];
  const metrics = {
    bag: inputs.bag,
    policy: inputs.policy,
    embodiment: inputs.embodiment,
    dimensions: inputs.predicted.names,
    commands: {
      predicted: inputs.predicted.samples.length,
      recorded: inputs.recorded.samples.length,
      compared: alignment.pairs.length,
      skipped_in_gaps: alignment.inGap,
      skipped_outside_recording: alignment.outside,
      max_gap_s: maxGapNs === undefined ? null : seconds(maxGapNs),
    },
    per_dimension: errors.perDimension.map((d) => ({ name: d.name, mse: round(d.mse), l1: round(d.l1), max_abs: round(d.maxAbs), count: d.count })),
    mean_mse: round(errors.meanMse),
    mean_l1: round(errors.meanL1),
    token_accuracy: tokens.accuracy === null ? null : round(tokens.accuracy),
    tokens_compared: tokens.compared,
    safety_interventions: { total: events.length, by_limit: countBy(events, (e) => e.limit), by_target: countBy(events, (e) => e.target) },
    inference_latency_ms: latencySummary(inputs.inferenceS ?? []),
    gaps: gaps.map((g) => ({ topic: g.topic, start_s: seconds(g.startNs), end_s: seconds(g.endNs), duration_s: seconds(g.endNs - g.startNs) })),
  };
  return { alignment, errors, gaps, maxGapNs, metrics };
}
