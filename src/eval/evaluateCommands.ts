import { percentile } from '../stats/orderStatistics';
import { secondsToNs } from '../time/rosTime';
import { isIntervention, type SafetyEvent } from '../safety/SafetyEvent';
import { type Alignment, alignStreams } from './alignStreams';
import type { CommandStream } from './CommandStream';
import { defaultMaxGapNs, detectGaps, type Gap } from './detectGaps';
import { type DimensionError, errorMetrics, tokenAccuracy } from './errorMetrics';

/** The predicted and recorded commands of one command topic. */
export interface ChannelInput {
  topic: string;
  predicted: CommandStream;
  recorded: CommandStream;
  /** Largest spacing of recorded commands that is not a gap; default 3x their median period. */
  maxGapNs?: bigint;
}

export interface EvalInputs {
  bag: string;
  policy: string;
  embodiment: string;
  /** One per command topic; their dimensions together are the embodiment's, in its order. */
  channels: readonly ChannelInput[];
  /** Times of the observation topics the replay read (cameras, joint states), to report their gaps. */
  observationTimesNs?: Readonly<Record<string, readonly bigint[]>>;
  /** Tokens of tokenized policies, with the tokens of the recorded actions. */
  tokens?: readonly { predicted: readonly number[]; expected: readonly number[] }[];
  /** Why token accuracy is null when it is (not a tokenized policy, no recorded actions to encode). */
  tokensNote?: string;
  safetyEvents?: readonly SafetyEvent[];
  /** Copied into metrics.json as they are (deterministic facts about the run: episodes, modelled latency). */
  replay?: Readonly<Record<string, unknown>>;
}

export interface TopicGap extends Gap {
  topic: string;
}

export interface ChannelResult {
  topic: string;
  alignment: Alignment;
  maxGapNs: bigint | undefined;
  /** Predicted samples left out because an observation topic had a gap at their time. */
  inObservationGap: number;
}

export interface EvalResult {
  channels: ChannelResult[];
  perDimension: (DimensionError & { topic: string })[];
  /** Gaps of the recorded commands (topic: the command topic) and of the observation topics. */
  gaps: TopicGap[];
  /** metrics.json, as written. */
  metrics: Record<string, unknown>;
}

const EXACT_NS = 2n ** 53n;

/**
 * Seconds from nanoseconds, for JSON: correctly rounded where nanoseconds are exact as a double (990000000 ns
 * is 0.99, not 0.9900000000000001), and split into whole and fractional seconds for epoch stamps beyond.
 */
export function seconds(ns: bigint): number {
  if (ns < EXACT_NS && ns > -EXACT_NS) return Number(ns) / 1e9;
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
}

function round(v: number | null, digits = 9): number | null {
  return v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(digits));
}

/** count, mean and percentiles of durations in milliseconds (null without samples). */
export function latencySummaryMs(secondsList: readonly number[]): Record<string, number | null> {
  const ms = secondsList.map((s) => s * 1e3);
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

function inAnyGap(tNs: bigint, gaps: readonly Gap[]): boolean {
  return gaps.some((g) => tNs > g.startNs && tNs < g.endNs);
}

/**
 * When the first channel's recorded commands were being sent: from the first send to the last, outside the gaps
 * between sends. Send times are the messages' log times (the ticks that published them), not the times the
 * commands apply at: a JointTrajectory point applies its time_from_start later, and the tick after an
 * episode's last command would otherwise still count as recorded.
 */
function recordedSendWindow(channel: ChannelInput | undefined, maxGapNs: bigint | undefined): (tNs: bigint) => boolean {
  const sent = [...new Set((channel?.recorded.samples ?? []).map((s) => s.sentNs ?? s.tNs))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sent.length === 0) return () => false;
  const gaps = maxGapNs === undefined ? [] : detectGaps(sent, maxGapNs);
  return (tNs) => tNs >= sent[0]! && tNs <= sent[sent.length - 1]! && !inAnyGap(tNs, gaps);
}

function meanOver(dims: readonly DimensionError[], f: (d: DimensionError) => number): number | null {
  const used = dims.filter((d) => d.count > 0);
  return used.length === 0 ? null : used.reduce((s, d) => s + f(d), 0) / used.length;
}

/**
 * Compares a replay's predicted commands with the recorded ones, topic by topic, and builds metrics.json:
 * per-dimension MSE and L1 (aligned in time, in the embodiment's order), the gaps of the recorded commands and
 * of the observation topics (reported, never interpolated across: a prediction made while an observation
 * topic was silent is not compared either), token accuracy, and safety interventions (events of severity warn
 * or error on the ticks while the recorded commands were being sent; the others are counted apart). Pure and deterministic: the same inputs give the same JSON.
 */
export function evaluateCommands(inputs: EvalInputs): EvalResult {
  const gaps: TopicGap[] = [];
  const observationGaps: TopicGap[] = [];
  for (const [topic, times] of Object.entries(inputs.observationTimesNs ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bound = defaultMaxGapNs(times);
    if (bound !== undefined) for (const g of detectGaps(times, bound)) observationGaps.push({ topic, ...g });
  }
  const channels: ChannelResult[] = [];
  const perDimension: (DimensionError & { topic: string })[] = [];
  const commands: Record<string, unknown>[] = [];
  for (const channel of inputs.channels) {
    const recordedTimes = channel.recorded.samples.map((s) => s.tNs);
    const maxGapNs = channel.maxGapNs ?? defaultMaxGapNs(recordedTimes);
    if (maxGapNs !== undefined) for (const g of detectGaps(recordedTimes, maxGapNs)) gaps.push({ topic: channel.topic, ...g });
    const kept = channel.predicted.samples.filter((s) => !inAnyGap(s.tNs, observationGaps));
    const inObservationGap = channel.predicted.samples.length - kept.length;
    const alignment = alignStreams({ names: channel.predicted.names, samples: kept }, channel.recorded, maxGapNs ?? 0n);
    const errors = errorMetrics(channel.predicted.names, alignment.pairs);
    perDimension.push(...errors.perDimension.map((d) => ({ ...d, topic: channel.topic })));
    channels.push({ topic: channel.topic, alignment, maxGapNs, inObservationGap });
    commands.push({
      topic: channel.topic,
      dimensions: channel.predicted.names,
      predicted: channel.predicted.samples.length,
      recorded: channel.recorded.samples.length,
      compared: alignment.pairs.length,
      skipped_in_gaps: alignment.inGap,
      skipped_in_observation_gaps: inObservationGap,
      skipped_outside_recording: alignment.outside,
      max_gap_s: maxGapNs === undefined ? null : seconds(maxGapNs),
    });
  }
  gaps.push(...observationGaps);
  const tokens = tokenAccuracy(inputs.tokens ?? []);
  // Interventions are counted where commands were compared: while the bag's commands were being sent (a
  // recording that goes on after an episode ended would otherwise count what the pipeline did on its own).
  const allInterventions = (inputs.safetyEvents ?? []).filter(isIntervention);
  const whileRecorded = recordedSendWindow(inputs.channels[0], channels[0]?.maxGapNs);
  const interventions = allInterventions.filter((e) => whileRecorded(secondsToNs(e.tS)));
  const metrics: Record<string, unknown> = {
    bag: inputs.bag,
    policy: inputs.policy,
    embodiment: inputs.embodiment,
    dimensions: perDimension.map((d) => d.name),
    per_dimension: perDimension.map((d) => ({
      name: d.name,
      topic: d.topic,
      mse: round(d.mse),
      l1: round(d.l1),
      max_abs: round(d.maxAbs),
      count: d.count,
    })),
    mean_mse: round(meanOver(perDimension, (d) => d.mse)),
    mean_l1: round(meanOver(perDimension, (d) => d.l1)),
    commands,
    token_accuracy: tokens.accuracy === null ? null : round(tokens.accuracy),
    tokens_compared: tokens.compared,
    ...(inputs.tokensNote === undefined ? {} : { token_accuracy_note: inputs.tokensNote }),
    safety_interventions: {
      total: interventions.length,
      by_limit: countBy(interventions, (e) => e.limit),
      by_target: countBy(interventions, (e) => e.target),
      outside_recorded_commands: allInterventions.length - interventions.length,
    },
    gaps: gaps.map((g) => ({
      topic: g.topic,
      start_s: seconds(g.startNs),
      end_s: seconds(g.endNs),
      duration_s: seconds(g.endNs - g.startNs),
    })),
    ...(inputs.replay === undefined ? {} : { replay: inputs.replay }),
  };
  return { channels, perDimension, gaps, metrics };
}
