import type { Embodiment } from '../config/Embodiment';
import { ControlLoop, type ControlLoopStats } from '../control/ControlLoop';
import type { Handover } from '../control/queue/ActionQueue';
import type { LatencyCompensation } from '../control/queue/latencyCompensation';
import { type SafetyGate, safetyGateFor } from '../control/SafetyGate';
import { VlaError } from '../errors';
import type { StringMsg } from '../msgs/rosMessages';
import { nsToSeconds, secondsToNs } from '../time/rosTime';
import type { Observation } from '../observation/Observation';
import type { ObservationTimeBase } from '../observation/stampTime';
import type { ActionChunk, Policy } from '../policy/Policy';
import { DelegatingPolicy } from '../policy/DelegatingPolicy';
import type { SafetyEvent } from '../safety/SafetyEvent';
import { BagTransport } from '../transport/BagTransport';
import type { CommandChannel } from './commandChannels';
import type { CommandSample, CommandStream } from './CommandStream';
import type { ReplayPlan } from './planReplay';
import { recordedCommandSamples } from './recordedCommands';

/** A decoded bag message (BagReader.messages() yields these). */
export interface ReplayMessage {
  topic: string;
  type: string;
  logTimeNs: bigint;
  message: unknown;
}

export interface ReplayOptions {
  embodiment: Embodiment;
  policy: Policy;
  plan: ReplayPlan;
  /** The bag's messages on the plan's topics, in log-time order. */
  messages: AsyncIterable<ReplayMessage>;
  /** Replaces the bag's instruction (episodes still start at the bag's instruction messages). */
  instruction?: string;
  /**
   * Log times of the bag's instruction messages, read ahead: each episode's loop stops short of the next
   * episode's start, also while it plays the messages logged at that instant before the instruction.
   */
  episodeStartsNs?: readonly bigint[];
  /** Inference latency modelled in bag time, s: a chunk is used from the first tick this long after its request. */
  latencyS: number;
  latencyCompensation?: LatencyCompensation;
  handover?: Handover;
  /** Safety layer per episode (default: the embodiment's). */
  safety?: (embodiment: Embodiment) => SafetyGate;
  /** Which time inputs are judged by: header stamps (default) or log time (`receive`). */
  timeBase?: ObservationTimeBase;
  /** Once per sensor topic: its stamps are zero, implausible or late against the log time. */
  onStampWarning?(message: string): void;
  /** Bag time of each message as it is replayed, s. */
  onProgress?(tS: number): void;
  /** Every failed inference (the loop goes on: the watchdog holds the arm). */
  onInferenceError?(error: unknown): void;
  /**
   * What the replay produces, as it happens, in bag-time order (for predictions.mcap): each episode's start,
   * every message the pipeline published on a command topic, every chunk, every safety event.
   */
  sink?: ReplaySink;
}

/** Receives the replay's output as it happens, in bag-time order. */
export interface ReplaySink {
  episode?(startNs: bigint, instruction: string): void;
  published?(message: PublishedMessage): void;
  chunk?(tNs: bigint, chunk: ActionChunk): void;
  safetyEvent?(event: SafetyEvent): void;
}

/** A message the replayed pipeline published, at the bag time of the tick that published it. */
export interface PublishedMessage {
  topic: string;
  type: string;
  tNs: bigint;
  message: unknown;
}

export interface ReplayChannel {
  channel: CommandChannel;
  predicted: CommandStream;
  recorded: CommandStream;
}

export interface ReplayStats {
  ticks: number;
  ticksWithoutState: number;
  inferencesRequested: number;
  chunks: number;
  inferenceFailures: number;
  overdueTicks: number;
  holdingTicks: number;
  /** Holding ticks on which a sensor input was stale. */
  staleHoldingTicks: number;
  /** Per sensor topic, the messages judged by their log time because their stamp was zero or implausible. */
  receiveTimedMessages: Record<string, number>;
  commandsSent: number;
  /** Safety interventions on every replayed tick (`isIntervention`); metrics count those at recorded ticks. */
  safetyInterventions: number;
  /** Chunks run later than their observation's time to keep the queue fed, and the largest delay, s. */
  lateChunks: number;
  maxChunkDelayS: number;
}

export interface ReplayResult {
  policyName: string;
  /** Log time of the first and last replayed message (undefined for a bag without them). */
  startNs: bigint | undefined;
  endNs: bigint | undefined;
  channels: ReplayChannel[];
  /** Log times of each sensor topic, to find their gaps. */
  observationTimesNs: Record<string, bigint[]>;
  safetyEvents: SafetyEvent[];
  /** Every chunk that entered the action queue, at the tick it entered, with the joint state it was computed from. */
  chunks: { tNs: bigint; chunk: ActionChunk; state: Float64Array | undefined }[];
  episodes: { startNs: bigint; instruction: string }[];
  stats: ReplayStats;
  /** Wall time of each inference as the policy measured it, s (not deterministic; never used for timing). */
  inferenceWallS: number[];
  messagesPlayed: number;
}

interface Episode {
  loop: ControlLoop;
  startS: number;
  startNs: bigint;
  running: Promise<void> | undefined;
}

/**
 * The policy as replay runs it: without a wall-clock deadline on inference (latency is modelled in bag time,
 * so a slow or busy machine must not turn into failed inferences and different results), remembering the joint
 * state each inference was asked about.
 */
class ReplayPolicy extends DelegatingPolicy {
  private readonly states = new Map<number, Float64Array>();

  override infer(observation: Observation): Promise<ActionChunk> {
    this.states.set(observation.stampS, observation.jointState.position);
    return this.inner.infer(observation);
  }

  /** The joint state of the observation stamped `stampS` that the policy was asked about. */
  stateAt(stampS: number): Float64Array | undefined {
    return this.states.get(stampS);
  }
}

function byTime(a: CommandSample, b: CommandSample): number {
  return a.tNs < b.tNs ? -1 : a.tNs > b.tNs ? 1 : 0;
}

function addStats(total: ReplayStats, s: ControlLoopStats): void {
  total.ticks += s.ticks;
  total.ticksWithoutState += s.ticksWithoutState;
  total.inferencesRequested += s.inferences.requested;
  total.chunks += s.inferences.completed;
  total.inferenceFailures += s.inferences.failed;
  total.overdueTicks += s.overdueTicks;
  total.holdingTicks += s.holdingTicks;
  total.staleHoldingTicks += s.staleHoldingTicks;
  total.commandsSent += s.commandsSent;
  total.safetyInterventions += s.safetyInterventions;
  total.lateChunks += s.lateChunks.count;
  total.maxChunkDelayS = Math.max(total.maxChunkDelayS, s.lateChunks.maxDelayS);
}

/**
 * Replays a bag through the live pipeline (observation assembly, policy, action queue, safety layer, command
 * publisher: the ControlLoop the node and the simulator run) on a BagTransport, in bag time and in lockstep
 * with inference, so the same bag and policy give the same result every time, as fast as the machine allows.
 *
 * Episodes: each message on the instruction topic starts one, as `vla-bridge sim --record` and the live node
 * write them: the loop and its safety layer start afresh from the measured state (a simulator recording resets
 * the arm between episodes). The bag's recorded commands are read in the same pass and never reach the
 * pipeline; what the pipeline publishes stays in memory.
 */
export async function replayBag(options: ReplayOptions): Promise<ReplayResult> {
  const { embodiment, plan } = options;
  const policy = new ReplayPolicy(options.policy);
  const sensorTopics = new Set(plan.sensors.map((s) => s.topic));
  const recordedBy = new Map(plan.channels.filter((c) => c.recordedType !== undefined).map((c) => [c.channel.topic, { channel: c.channel, samples: [] as CommandSample[] }]));
  const observationTimesNs: Record<string, bigint[]> = Object.fromEntries(plan.sensors.map((s) => [s.topic, []]));
  const sink = options.sink ?? {};
  const predictedBy = new Map(plan.channels.map((c) => [c.channel.topic, [] as CommandSample[]]));
  const safetyEvents: SafetyEvent[] = [];
  const chunks: ReplayResult['chunks'] = [];
  const episodes: { startNs: bigint; instruction: string }[] = [];
  const inferenceWallS: number[] = [];
  const stampWarned = new Set<string>();
  const stats: ReplayStats = { ticks: 0, ticksWithoutState: 0, inferencesRequested: 0, chunks: 0, inferenceFailures: 0, overdueTicks: 0, holdingTicks: 0, staleHoldingTicks: 0, receiveTimedMessages: {}, commandsSent: 0, safetyInterventions: 0, lateChunks: 0, maxChunkDelayS: 0 };
  let transport: BagTransport | undefined;
  let episode: Episode | undefined;
  let failure: unknown;
  let startNs: bigint | undefined;
  let endNs: bigint | undefined;

  const open = (startS: number): BagTransport => {
    const t = new BagTransport({ startS });
    for (const { channel } of plan.channels) {
      t.subscribe(channel.topic, channel.type, (message) => {
        const tNs = secondsToNs(t.clock.nowS());
        predictedBy.get(channel.topic)!.push(...recordedCommandSamples(channel.type, message, tNs, channel.dimensions, channel.field));
        sink.published?.({ topic: channel.topic, type: channel.type, tNs, message });
      });
    }
    return t;
  };
  const newEpisode = (t: BagTransport, instruction: string, tS: number, tNs: bigint): Episode => {
    const loop = new ControlLoop({
      embodiment,
      transport: t,
      policy,
      safety: (options.safety ?? safetyGateFor)(embodiment),
      instruction,
      handover: options.handover,
      inference: { kind: 'lockstep', latencyS: options.latencyS },
      timeBase: options.timeBase,
      latencyCompensation: options.latencyCompensation,
      listeners: {
        safetyEvent: (event) => {
          safetyEvents.push(event);
          sink.safetyEvent?.(event);
        },
        chunk: (chunk) => {
          const tNs = secondsToNs(t.clock.nowS());
          chunks.push({ tNs, chunk, state: policy.stateAt(chunk.observationStampS) });
          if (chunk.inferenceS !== undefined) inferenceWallS.push(chunk.inferenceS);
          sink.chunk?.(tNs, chunk);
        },
        inferenceError: (error) => options.onInferenceError?.(error),
        stampWarning: (message, topic) => {
          if (stampWarned.has(topic)) return;
          stampWarned.add(topic);
          options.onStampWarning?.(message);
        },
      },
    });
    episodes.push({ startNs: tNs, instruction });
    const next = options.episodeStartsNs?.find((b) => nsToSeconds(b) > tS + t.simultaneityS);
    t.setFence(next === undefined ? Infinity : nsToSeconds(next));
    return { loop, startS: tS, startNs: tNs, running: undefined };
  };
  /** Starts a created episode's loop at its start time, after every message logged at that instant. */
  const start = async (t: BagTransport, e: Episode): Promise<void> => {
    sink.episode?.(e.startNs, e.loop.instruction);
    await t.advanceTo(e.startS);
    e.running = e.loop.run().catch((err: unknown) => {
      failure ??= err;
    });
    await t.settle();
  };
  /** Runs the episode's ticks due up to `tS` (short of the next episode's start), then ends it. */
  const finish = async (t: BagTransport, e: Episode, tS: number): Promise<void> => {
    if (e.running === undefined) await start(t, e);
    await t.catchUp(tS);
    await e.loop.stop();
    await e.running;
    await e.loop.settle();
    e.loop.close();
    addStats(stats, e.loop.stats());
    for (const [topic, n] of e.loop.assembler.receiveTimedMessages) stats.receiveTimedMessages[topic] = (stats.receiveTimedMessages[topic] ?? 0) + n;
  };

  try {
    for await (const m of options.messages) {
      if (failure !== undefined) break;
      const tS = nsToSeconds(m.logTimeNs);
      startNs ??= m.logTimeNs;
      endNs = m.logTimeNs;
      transport ??= open(tS);
      options.onProgress?.(tS);
      if (episode !== undefined && episode.running === undefined && tS > episode.startS + transport.simultaneityS) await start(transport, episode);
      const recorded = recordedBy.get(m.topic);
      if (recorded !== undefined) {
        try {
          recorded.samples.push(...recordedCommandSamples(m.type, m.message, m.logTimeNs, recorded.channel.dimensions, recorded.channel.field));
        } catch (err) {
          if (err instanceof VlaError) throw new VlaError(err.code, `${m.topic}: ${err.message}`, { path: m.topic, hint: err.hint, cause: err });
          throw err;
        }
        continue;
      }
      if (m.topic === plan.instructionTopic) {
        const text = options.instruction ?? (m.message as StringMsg).data;
        if (episode !== undefined && episode.running === undefined) {
          // Logged at the instant the episode starts: the same episode.
          episode.loop.setInstruction(text);
          episodes[episodes.length - 1]!.instruction = text;
        } else {
          if (episode !== undefined) await finish(transport, episode, tS);
          episode = newEpisode(transport, text, tS, m.logTimeNs);
        }
        continue;
      }
      if (!sensorTopics.has(m.topic)) continue;
      if (episode === undefined && options.instruction !== undefined) episode = newEpisode(transport, options.instruction, tS, m.logTimeNs);
      observationTimesNs[m.topic]!.push(m.logTimeNs);
      await transport.play(m.topic, m.type, tS, m.message);
    }
    if (failure === undefined && transport !== undefined && episode !== undefined && endNs !== undefined) {
      await finish(transport, episode, nsToSeconds(endNs));
      episode = undefined;
    }
  } finally {
    if (episode !== undefined) {
      await episode.loop.stop();
      await episode.running;
      await episode.loop.settle();
      episode.loop.close();
    }
    await transport?.close();
  }
  if (failure !== undefined) throw failure;

  const channels: ReplayChannel[] = plan.channels.map(({ channel }) => {
    const predicted = predictedBy.get(channel.topic)!;
    const recorded = recordedBy.get(channel.topic)?.samples ?? [];
    return {
      channel,
      predicted: { names: channel.dimensions, samples: predicted.sort(byTime) },
      recorded: { names: channel.dimensions, samples: recorded.sort(byTime) },
    };
  });
  return { policyName: policy.name, startNs, endNs, channels, observationTimesNs, safetyEvents, chunks, episodes, stats, inferenceWallS, messagesPlayed: transport?.played ?? 0 };
}
