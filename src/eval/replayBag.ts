import type { Embodiment } from '../config/Embodiment';
import type { ControlLoop } from '../control/ControlLoop';
import { addEpisodeStats, emptyEpisodeStats, type EpisodeStats } from '../control/EpisodeStats';
import type { Handover } from '../control/queue/ActionQueue';
import type { LatencyCompensation } from '../control/queue/latencyCompensation';
import { createEpisodeLoop, type EpisodeOutcome, runEpisode } from '../control/runEpisode';
import type { SafetyGate } from '../control/SafetyGate';
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
  /**
   * Log times of the recorded commands on the first command topic, in order, read ahead. Each episode's loop
   * ends at the tick of the episode's last recorded command, where the recorded run stopped commanding (a
   * simulator episode ends when the goal is reached; the recording then goes on without commands until the next
   * instruction), so the replay runs the ticks the recorded run ran. An episode without recorded commands runs
   * until the next episode's start or the end of the bag.
   */
  recordedCommandTimesNs?: BigInt64Array;
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
  /** The episodes' statistics summed (EpisodeStats: the counting rule the simulator and the node use). */
  stats: EpisodeStats;
  /** Per sensor topic, the messages judged by their log time because their stamp was zero or implausible. */
  receiveTimedMessages: Record<string, number>;
  /** Wall time of each inference as the policy measured it, s (not deterministic; never used for timing). */
  inferenceWallS: number[];
  messagesPlayed: number;
}

interface Episode {
  loop: ControlLoop;
  startS: number;
  startNs: bigint;
  running: Promise<EpisodeOutcome | undefined> | undefined;
  /** Bag time of the episode's last recorded command, s (Infinity: none recorded). */
  endS: number;
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

/** The last of the sorted `times` in [fromNs, beforeNs), or undefined. */
function lastBetween(times: BigInt64Array, fromNs: bigint, beforeNs: bigint | undefined): bigint | undefined {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (beforeNs === undefined || times[mid]! < beforeNs) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && times[lo - 1]! >= fromNs ? times[lo - 1] : undefined;
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
  const recordedBy = new Map(
    plan.channels
      .filter((c) => c.recordedType !== undefined)
      .map((c) => [c.channel.topic, { channel: c.channel, samples: [] as CommandSample[] }]),
  );
  const observationTimesNs: Record<string, bigint[]> = Object.fromEntries(plan.sensors.map((s) => [s.topic, []]));
  const sink = options.sink ?? {};
  const predictedBy = new Map(plan.channels.map((c) => [c.channel.topic, [] as CommandSample[]]));
  const safetyEvents: SafetyEvent[] = [];
  const chunks: ReplayResult['chunks'] = [];
  const episodes: { startNs: bigint; instruction: string }[] = [];
  const inferenceWallS: number[] = [];
  const stampWarned = new Set<string>();
  let stats = emptyEpisodeStats();
  const receiveTimedMessages: Record<string, number> = {};
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
    const loop = createEpisodeLoop({
      embodiment,
      transport: t,
      policy,
      safety: options.safety?.(embodiment),
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
    const lastCommandNs = options.recordedCommandTimesNs === undefined ? undefined : lastBetween(options.recordedCommandTimesNs, tNs, next);
    return {
      loop,
      startS: tS,
      startNs: tNs,
      running: undefined,
      endS: lastCommandNs === undefined ? Infinity : nsToSeconds(lastCommandNs),
    };
  };
  /** Starts a created episode's loop at its start time, after every message logged at that instant. */
  const start = async (t: BagTransport, e: Episode): Promise<void> => {
    sink.episode?.(e.startNs, e.loop.instruction);
    await t.advanceTo(e.startS);
    const endS = e.endS - t.simultaneityS;
    e.running = runEpisode(e.loop, { until: (tS) => tS >= endS }).catch((err: unknown) => {
      failure ??= err;
      return undefined;
    });
    await t.settle();
  };
  /** Runs the episode's ticks due up to `tS` (short of the next episode's start), then ends it. */
  const finish = async (t: BagTransport, e: Episode, tS: number): Promise<void> => {
    if (e.running === undefined) await start(t, e);
    await t.catchUp(tS);
    await e.loop.stop();
    const outcome = await e.running;
    if (outcome !== undefined) stats = addEpisodeStats(stats, outcome.stats);
    for (const [topic, n] of e.loop.assembler.receiveTimedMessages) receiveTimedMessages[topic] = (receiveTimedMessages[topic] ?? 0) + n;
  };

  try {
    for await (const m of options.messages) {
      if (failure !== undefined) break;
      const tS = nsToSeconds(m.logTimeNs);
      startNs ??= m.logTimeNs;
      endNs = m.logTimeNs;
      transport ??= open(tS);
      options.onProgress?.(tS);
      if (episode !== undefined && episode.running === undefined && tS > episode.startS + transport.simultaneityS)
        await start(transport, episode);
      const recorded = recordedBy.get(m.topic);
      if (recorded !== undefined) {
        try {
          recorded.samples.push(
            ...recordedCommandSamples(m.type, m.message, m.logTimeNs, recorded.channel.dimensions, recorded.channel.field),
          );
        } catch (err) {
          if (err instanceof VlaError)
            throw new VlaError(err.code, `${m.topic}: ${err.message}`, { path: m.topic, hint: err.hint, cause: err });
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
      // A started episode settles and closes its loop as runEpisode ends; one never started only closes.
      if (episode.running === undefined) episode.loop.close();
      else await episode.running;
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
  return {
    policyName: policy.name,
    startNs,
    endNs,
    channels,
    observationTimesNs,
    safetyEvents,
    chunks,
    episodes,
    stats,
    receiveTimedMessages,
    inferenceWallS,
    messagesPlayed: transport?.played ?? 0,
  };
}
