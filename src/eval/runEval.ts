import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BagReader } from '../bag/BagReader';
import { firstMessage } from '../bag/firstMessage';
import { McapRecorder } from '../bag/McapRecorder';
import type { Embodiment } from '../config/Embodiment';
import type { Handover } from '../control/queue/ActionQueue';
import { DEFAULT_HANDOVER_NAME } from '../control/queue/handovers';
import type { LatencyCompensation } from '../control/queue/latencyCompensation';
import { describeError, VlaError } from '../errors';
import { observationSourcesFor } from '../observation/ObservationAssembler';
import { nsToSeconds, secondsToNs } from '../time/rosTime';
import { VLA_MSG_TYPES } from '../msgs/vlaMessages';
import { DEFAULT_INSTRUCTION_TOPIC, RESOLVED_NODE_TOPICS, resolvedPreviewTopic } from '../outputs/nodeTopics';
import { actionChunkToMsg, safetyEventToMsg } from '../outputs/vlaConverters';
import type { Policy } from '../policy/Policy';
import { actionTokenizerFor, tokenPairs } from './actionTokens';
import { defaultMaxGapNs } from './detectGaps';
import { type EvalInputs, evaluateCommands, latencySummaryMs } from './evaluateCommands';
import { checkJointNames, planReplay, type ReplayPlan } from './planReplay';
import { chooseTimeBase, observationTimeBase, sampleStamps, type TimeBaseChoice, type TimeBaseOption } from './chooseTimeBase';
import { judgeReplay, type ReplayVerdict } from './judgeReplay';
import { renderReport } from './renderReport';
import { replayBag, type ReplayResult, type ReplaySink } from './replayBag';

export const EVAL_FILES = {
  metrics: 'metrics.json',
  report: 'report.html',
  predictions: 'predictions.mcap',
  timing: 'timing.json',
} as const;

export interface EvalRunOptions {
  /** The bag as the user named it (written into metrics.json). */
  bag: string;
  /** Its resolved path. */
  bagPath: string;
  embodiment: Embodiment;
  /** Loads the policy once the bag has been checked (bad input fails before a model loads); closed at the end. */
  openPolicy: () => Promise<Policy>;
  /** The policy folder, for token accuracy (its manifest and statistics say how actions became tokens). */
  policyDir?: string;
  outDir: string;
  /** Replaces the bag's instruction. */
  instruction?: string;
  instructionTopic?: string;
  /** Inference latency modelled in bag time, s (default 0.1, as `vla-bridge sim`). */
  latencyS?: number;
  latencyCompensation?: LatencyCompensation;
  handover?: Handover;
  /** Its name, for metrics.json. */
  handoverName?: string;
  /** Which time inputs are judged by (default `auto`: chooseTimeBase.ts). */
  timeBase?: TimeBaseOption;
  /** Once the bag is checked, before the replay: its start and duration in bag time, s. */
  onStart?(bag: { startS: number; durationS: number }): void;
  onProgress?(tS: number): void;
  /** Findings that do not stop the evaluation (bag warnings, topics not compared). */
  onWarning?(message: string): void;
  onInferenceError?(error: unknown): void;
}

export interface EvalRunResult {
  metrics: Record<string, unknown>;
  /** timing.json: wall-clock figures of this run (the only output that differs between runs). */
  timing: Record<string, unknown>;
  files: Record<keyof typeof EVAL_FILES, string>;
  replay: ReplayResult;
  plan: ReplayPlan;
  timeBase: TimeBaseChoice;
  /** Not a success when the policy never ran or most ticks held for stale input (the CLI exits 1). */
  verdict: ReplayVerdict;
}

/** Each sensor topic of the plan with its staleness timeout, s. */
function sensorTimeouts(embodiment: Embodiment, plan: ReplayPlan): { topic: string; timeoutS: number }[] {
  const sources = observationSourcesFor(embodiment);
  const timeoutOf = (topic: string): number =>
    topic === sources.jointStatesTopic
      ? sources.jointStateTimeoutS
      : (sources.cameras.find((c) => c.topic === topic)?.timeoutS ?? Infinity);
  return plan.sensors.map(({ topic }) => ({ topic, timeoutS: timeoutOf(topic) }));
}

/** Log times of the messages of each topic, in order, read in one pass without decoding. */
async function logTimesOf(reader: BagReader, topics: readonly string[]): Promise<Map<string, bigint[]>> {
  const times = new Map<string, bigint[]>(topics.map((topic) => [topic, []]));
  if (topics.length === 0) return times;
  for await (const m of reader.rawMessages({ topics })) times.get(m.topic)?.push(m.logTimeNs);
  return times;
}

function prepareOutDir(dir: string): void {
  try {
    if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false)
      throw new VlaError('ARGUMENT_INVALID', 'the output path exists and is not a folder', {
        file: dir,
        path: '--out',
        hint: 'give a folder for metrics.json, report.html and predictions.mcap',
      });
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if (err instanceof VlaError) throw err;
    throw new VlaError(
      'FILE_UNREADABLE',
      `cannot create the output folder (${(err as NodeJS.ErrnoException).code ?? describeError(err)})`,
      { file: dir, path: '--out', cause: err, hint: 'check that the parent folder is writable' },
    );
  }
}

/**
 * predictions.mcap: what the replayed pipeline did, in bag time, as a rosbag2 MCAP that Foxglove and
 * `ros2 bag play` open, written as the replay goes (bag-time order).
 */
function predictionsSink(recorder: McapRecorder): ReplaySink {
  const write = (topic: string, type: string, tNs: bigint, message: unknown): void => void recorder.write(topic, type, tNs, message);
  return {
    episode: (startNs, instruction) => write(RESOLVED_NODE_TOPICS.instruction, 'std_msgs/msg/String', startNs, { data: instruction }),
    published: (p) => write(resolvedPreviewTopic(p.topic), p.type, p.tNs, p.message),
    // The wall time an inference took differs from run to run: predictions.mcap leaves it out (timing.json has it).
    chunk: (tNs, chunk) =>
      write(RESOLVED_NODE_TOPICS.actionChunk, VLA_MSG_TYPES.actionChunk, tNs, { ...actionChunkToMsg(chunk), inference_s: NaN }),
    safetyEvent: (event) =>
      write(RESOLVED_NODE_TOPICS.safetyEvents, VLA_MSG_TYPES.safetyEvent, secondsToNs(event.tS), safetyEventToMsg(event)),
  };
}

/**
 * Token accuracy's inputs: the predicted chunks' tokens next to the recorded actions encoded as the policy's
 * training encoded actions, or why there are none.
 */
function tokenComparison(
  embodiment: Embodiment,
  policyDir: string | undefined,
  replay: ReplayResult,
): Pick<EvalInputs, 'tokens' | 'tokensNote'> {
  if (policyDir === undefined) return { tokensNote: 'no policy folder to read the action tokenization from' };
  const tokenizer = actionTokenizerFor(policyDir);
  if ('reason' in tokenizer) return { tokensNote: tokenizer.reason };
  const channels = replay.channels.map((c) => ({ recorded: c.recorded, maxGapNs: defaultMaxGapNs(c.recorded.samples.map((s) => s.tNs)) }));
  const tokens = tokenPairs(embodiment, tokenizer, replay.chunks, channels);
  return tokens.length > 0 ? { tokens } : { tokens, tokensNote: 'no chunk had all its steps where commands were recorded' };
}

/**
 * `vla-bridge eval`: checks the bag against the embodiment, replays it through the live pipeline in bag time
 * (replayBag), compares the predicted commands with the recorded ones (evaluateCommands) and writes
 * metrics.json, report.html and predictions.mcap (deterministic: the same bag, policy and options give the
 * same bytes) and timing.json (wall-clock figures: replay speed, measured inference latency).
 */
export async function runEval(options: EvalRunOptions): Promise<EvalRunResult> {
  const { embodiment } = options;
  const instructionTopic = options.instructionTopic ?? DEFAULT_INSTRUCTION_TOPIC;
  const latencyS = options.latencyS ?? 0.1;
  prepareOutDir(options.outDir);
  const files = {
    metrics: join(options.outDir, EVAL_FILES.metrics),
    report: join(options.outDir, EVAL_FILES.report),
    predictions: join(options.outDir, EVAL_FILES.predictions),
    timing: join(options.outDir, EVAL_FILES.timing),
  };
  const reader = await BagReader.open(options.bagPath, { onWarning: options.onWarning });
  let replay: ReplayResult;
  let plan: ReplayPlan;
  let timeBase: TimeBaseChoice;
  let wallS: number;
  let policy: Policy | undefined;
  let recorder: McapRecorder | undefined;
  let done = false;
  try {
    const info = await reader.info({ verify: false });
    plan = planReplay(info.topics, embodiment, { bag: options.bag, instruction: options.instruction, instructionTopic });
    for (const w of plan.warnings) options.onWarning?.(w);
    const arm = plan.channels[0]!;
    checkJointNames(
      embodiment,
      options.bag,
      await firstMessage(reader, plan.sensors[0]!.topic),
      arm.recordedType === undefined
        ? undefined
        : { ...(await firstMessage(reader, arm.channel.topic))!, dimensions: arm.channel.dimensions },
    );
    const topics = [
      ...plan.sensors.map((s) => s.topic),
      ...plan.channels.filter((c) => c.recordedType !== undefined).map((c) => c.channel.topic),
    ];
    if (plan.instructionTopic !== undefined) topics.push(plan.instructionTopic);
    timeBase = chooseTimeBase(options.timeBase ?? 'auto', await sampleStamps(reader, sensorTimeouts(embodiment, plan)), options.bag);
    options.onStart?.({ startS: info.startNs === undefined ? 0 : nsToSeconds(info.startNs), durationS: nsToSeconds(info.durationNs) });
    // Episodes start at the instruction messages and end where their recorded commands end: read both topics'
    // log times ahead, in one pass.
    const aheadTopics = [plan.instructionTopic, arm.recordedType === undefined ? undefined : arm.channel.topic].filter(
      (topic): topic is string => topic !== undefined,
    );
    const ahead = await logTimesOf(reader, aheadTopics);
    const episodeStartsNs = plan.instructionTopic === undefined ? [] : ahead.get(plan.instructionTopic)!;
    const recordedCommandTimesNs = arm.recordedType === undefined ? undefined : BigInt64Array.from(ahead.get(arm.channel.topic)!);
    policy = await options.openPolicy();
    recorder = await McapRecorder.open(files.predictions);
    const wallStart = performance.now();
    replay = await replayBag({
      embodiment,
      policy,
      plan,
      messages: reader.messages({ topics }),
      instruction: options.instruction,
      episodeStartsNs,
      recordedCommandTimesNs,
      latencyS,
      latencyCompensation: options.latencyCompensation,
      handover: options.handover,
      timeBase: observationTimeBase(timeBase.used),
      onStampWarning: options.onWarning,
      onProgress: options.onProgress,
      onInferenceError: options.onInferenceError,
      sink: predictionsSink(recorder),
    });
    wallS = (performance.now() - wallStart) / 1000;
    await recorder.close();
    done = true;
  } finally {
    await policy?.close();
    await reader.close();
    if (!done && recorder !== undefined) {
      // A failed replay leaves no partial predictions behind.
      await recorder.close().catch(() => undefined);
      for (const file of [files.predictions, join(options.outDir, 'metadata.yaml')]) rmSync(file, { force: true });
    }
  }
  const verdict = judgeReplay(replay.stats, timeBase);
  const durationS = replay.startNs === undefined || replay.endNs === undefined ? 0 : nsToSeconds(replay.endNs - replay.startNs);
  const result = evaluateCommands({
    bag: options.bag,
    policy: replay.policyName,
    embodiment: embodiment.name,
    channels: replay.channels.map((c) => ({ topic: c.channel.topic, predicted: c.predicted, recorded: c.recorded })),
    observationTimesNs: replay.observationTimesNs,
    ...tokenComparison(embodiment, options.policyDir, replay),
    safetyEvents: replay.safetyEvents,
    replay: {
      start_s: replay.startNs === undefined ? null : nsToSeconds(replay.startNs),
      duration_s: durationS,
      messages: replay.messagesPlayed,
      episodes: replay.episodes.length,
      instructions: [...new Set(replay.episodes.map((e) => e.instruction))],
      modelled_latency_s: latencyS,
      latency_compensation: options.latencyCompensation ?? 'keep_fed',
      handover: options.handoverName ?? DEFAULT_HANDOVER_NAME,
      ticks: replay.stats.ticks,
      ticks_without_state: replay.stats.ticksWithoutState,
      inferences: replay.stats.inferences.requested,
      chunks: replay.stats.inferences.completed,
      inference_failures: replay.stats.inferences.failed,
      overdue_ticks: replay.stats.overdueTicks,
      late_chunks: replay.stats.lateChunks.count,
      max_chunk_delay_s: replay.stats.lateChunks.maxDelayS,
      holding_ticks: replay.stats.holdingTicks,
      stale_holding_ticks: replay.stats.staleHoldingTicks,
    },
  });
  const metrics: Record<string, unknown> = {
    success: verdict.success,
    ...(verdict.success ? {} : { failure_reasons: verdict.reasons }),
    ...result.metrics,
    time_base: {
      option: timeBase.option,
      used: timeBase.used,
      reason: timeBase.reason,
      topics: timeBase.topics.map((t) => ({
        topic: t.topic,
        messages_sampled: t.messages,
        zero_stamps: t.zeroStamps,
        median_lag_s: t.medianLagS === null ? null : Number(t.medianLagS.toPrecision(9)),
        verdict: t.verdict,
        judged_by_log_time: replay.receiveTimedMessages[t.topic] ?? 0,
      })),
    },
  };
  const timing = {
    replay_wall_s: wallS,
    bag_duration_s: durationS,
    real_time_factor: wallS > 0 ? durationS / wallS : null,
    inference_wall_ms: latencySummaryMs(replay.inferenceWallS),
    note: 'wall-clock figures of this run; every other output is the same for the same bag, policy and options',
  };
  const html = renderReport(
    { ...result, metrics },
    replay.channels.map((c) => ({ topic: c.channel.topic, predicted: c.predicted, recorded: c.recorded, units: c.channel.units })),
    {
      failure: verdict.success ? undefined : verdict.reasons,
      notes: [
        `Inputs judged by ${timeBase.used === 'log' ? 'their log time' : 'their header stamps'} ` +
          `(time base ${timeBase.used}, ${timeBase.option === 'auto' ? `chosen automatically: ${timeBase.reason}` : `as asked with ${timeBase.reason}`}).`,
        `Replayed in bag time, in lockstep with a modelled inference latency of ${latencyS} s; predicted commands are written to ${EVAL_FILES.predictions} ` +
          `on ${replay.channels.map((c) => resolvedPreviewTopic(c.channel.topic)).join(', ')}.`,
        `The policy's measured inference latency and the replay speed of each run are in ${EVAL_FILES.timing}.`,
      ],
    },
  );
  writeFileSync(files.metrics, `${JSON.stringify(metrics, null, 2)}\n`);
  writeFileSync(files.report, html);
  writeFileSync(files.timing, `${JSON.stringify(timing, null, 2)}\n`);
  return { metrics, timing, files, replay, plan, timeBase, verdict };
}
