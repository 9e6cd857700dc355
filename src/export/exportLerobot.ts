import { BagReader } from '../bag/BagReader';
import { firstMessage } from '../bag/firstMessage';
import type { Embodiment } from '../config/Embodiment';
import { VlaError } from '../errors';
import { checkJointNames, planReplay } from '../eval/planReplay';
import type { StringMsg } from '../msgs/rosMessages';
import { type ActionMode, FrameSampler } from './frameSampler';
import { LeRobotDatasetWriter } from './LeRobotDatasetWriter';
import type { VideoCodec } from './VideoEncoder';

/** Where episodes start: at each instruction message, at pauses of the recording, or at each message on a marker topic. */
export type EpisodeSplit = 'instruction' | 'gap' | 'marker';

export interface ExportOptions {
  bagPath: string;
  embodiment: Embodiment;
  outDir: string;
  overwrite?: boolean;
  /** Frames per second sampled on the bag's clock (default 30). */
  fps?: number;
  episodes?: EpisodeSplit;
  /** The node's instruction topic (default /vla_bridge/instruction). */
  instructionTopic: string;
  /** The task of frames no instruction names (required for `gap` and `marker` on a bag without instructions). */
  task?: string;
  /** `marker`: the topic whose every message starts an episode (a std_msgs/String names its task). */
  markerTopic?: string;
  /** `gap`: a pause of the sensors longer than this starts a new episode, s (default 1). */
  gapS?: number;
  codec?: VideoCodec;
  action?: ActionMode;
  onWarning?(message: string): void;
  /** Bag time of the frame being assembled, s, and the bag's start and end. */
  onProgress?(tS: number, startS: number, endS: number): void;
}

/** An episode ended early because frames could not be assembled: it never spans the hole silently. */
export interface EpisodeSplitReport {
  /** Bag time of the first frame that could not be assembled, s. */
  atS: number;
  reason: string;
}

export interface ExportResult {
  dir: string;
  episodes: number;
  frames: number;
  tasks: number;
  fps: number;
  /** Frames that could not be assembled, per reason. */
  dropped: Record<string, number>;
  droppedTotal: number;
  /** Where an episode was cut by dropped frames. */
  splits: EpisodeSplitReport[];
  /** Each written episode: its task, frame count and the bag time of its first frame (frame k is at startS + k / fps). */
  episodeList: { index: number; task: string; frames: number; startS: number }[];
  /** Messages the assembler could not convert. */
  invalidMessages: number;
  stateNames: readonly string[];
  actionNames: readonly string[];
  warnings: string[];
}

const NS_PER_S = 1_000_000_000n;

/**
 * `vla-bridge export-lerobot`: a recorded bag as a LeRobot v3.0 dataset. Frames are sampled at `fps` on the
 * bag's clock and assembled by FrameSampler (the live node's observation rules); `action` is the command sent
 * at the frame's instant. Episodes start at instruction messages, at pauses, or at marker messages, and also
 * wherever frames cannot be assembled: each run of consecutive frames is an episode, and each cut is reported.
 */
export async function exportLerobot(options: ExportOptions): Promise<ExportResult> {
  const { embodiment } = options;
  const fps = options.fps ?? 30;
  const mode = options.episodes ?? 'instruction';
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    options.onWarning?.(m);
  };
  const reader = await BagReader.open(options.bagPath, { onWarning: warn });
  let writer: LeRobotDatasetWriter | undefined;
  let sampler: FrameSampler | undefined;
  try {
    const info = await reader.info({ verify: false });
    const fallbackTask = options.task ?? (mode === 'instruction' ? undefined : '');
    const plan = planReplay(info.topics, embodiment, {
      bag: options.bagPath,
      instruction: fallbackTask,
      instructionTopic: options.instructionTopic,
    });
    const missing = plan.channels.filter((c) => c.recordedType === undefined);
    if (missing.length > 0) {
      throw new VlaError(
        'BAG_TOPIC_MISSING',
        `the bag has no commands on ` +
          `${missing.map((c) => `${c.channel.topic} (${c.channel.dimensions.join(', ')})`).join('; ')}: the ` +
          `dataset's action needs them`,
        {
          file: options.bagPath,
          path: missing[0]!.channel.topic,
          hint: `record ${missing.map((c) => c.channel.topic).join(' and ')} (vla-bridge check lists the topics to record)`,
        },
      );
    }
    const markerTopic = mode === 'marker' ? requireMarker(options, info.topics) : undefined;
    const arm = plan.channels[0]!;
    checkJointNames(embodiment, options.bagPath, await firstMessage(reader, plan.sensors[0]!.topic), {
      ...(await firstMessage(reader, arm.channel.topic))!,
      dimensions: arm.channel.dimensions,
    });

    const startNs = info.startNs ?? 0n;
    const endNs = info.endNs ?? startNs;
    sampler = new FrameSampler({
      embodiment,
      channels: plan.channels,
      action: options.action ?? 'absolute',
      startS: Number(startNs) / 1e9,
      onStampWarning: warn,
    });
    writer = new LeRobotDatasetWriter({
      dir: options.outDir,
      overwrite: options.overwrite,
      fps,
      robotType: embodiment.name,
      vectors: [
        { key: 'observation.state', names: sampler.stateNames },
        { key: 'action', names: sampler.actionNames },
      ],
      cameras: embodiment.config.topics.cameras.map((c) => c.name),
      codec: options.codec ?? 'av1',
    });
    const episodes = new EpisodeCutter(writer, fallbackTask);
    const topics = [...plan.sensors.map((s) => s.topic), ...plan.channels.map((c) => c.channel.topic)];
    if (plan.instructionTopic !== undefined) topics.push(plan.instructionTopic);
    if (markerTopic !== undefined) topics.push(markerTopic);
    const gapNs = BigInt(Math.round((options.gapS ?? 1) * 1e9));
    let k = 0n;
    const frameNs = (i: bigint): bigint => startNs + (i * NS_PER_S) / BigInt(fps);
    /** Assembles every frame due up to `tNs` (its instant included: a message logged then comes after the frame, as in replay). */
    const framesUpTo = async (tNs: bigint): Promise<void> => {
      for (; frameNs(k) <= tNs && frameNs(k) <= endNs; k++) {
        const t = frameNs(k);
        options.onProgress?.(Number(t) / 1e9, Number(startNs) / 1e9, Number(endNs) / 1e9);
        await episodes.frame(t, sampler!);
      }
    };
    let lastSensorNs: bigint | undefined;
    for await (const m of reader.messages({ topics })) {
      await framesUpTo(m.logTimeNs);
      if (m.topic === plan.instructionTopic && mode === 'instruction') await episodes.boundary((m.message as StringMsg).data);
      else if (m.topic === markerTopic)
        await episodes.boundary(
          typeof (m.message as Partial<StringMsg>).data === 'string' && (m.message as StringMsg).data !== ''
            ? (m.message as StringMsg).data
            : undefined,
        );
      else if (m.topic === plan.instructionTopic) await episodes.setTask((m.message as StringMsg).data);
      if (sampler.isSensor(m.topic)) {
        if (mode === 'gap' && lastSensorNs !== undefined && m.logTimeNs - lastSensorNs > gapNs) await episodes.boundary(undefined);
        lastSensorNs = m.logTimeNs;
      }
      await sampler.message(m.topic, m.type, m.logTimeNs, m.message);
    }
    await framesUpTo(endNs);
    await episodes.end();
    if (writer.frames === 0) {
      const reasons = Object.entries(episodes.dropped)
        .map(([r, n]) => `${n} ${r}`)
        .join(', ');
      throw new VlaError('RUN_FAILED', `no frame could be assembled from the bag (dropped: ${reasons || 'the bag holds no frame time'})`, {
        file: options.bagPath,
        hint: 'check the topics and their stamps with vla-bridge bag-info, and the staleness timeouts of the embodiment',
      });
    }
    const written = await writer.close();
    for (const e of sampler.invalidMessages.slice(0, 5)) warn(`a message was dropped: ${e.describe()}`);
    const droppedTotal = Object.values(episodes.dropped).reduce((a, b) => a + b, 0);
    return {
      dir: options.outDir,
      ...written,
      fps,
      dropped: episodes.dropped,
      droppedTotal,
      splits: episodes.splits,
      episodeList: episodes.written,
      invalidMessages: sampler.invalidMessages.length,
      stateNames: sampler.stateNames,
      actionNames: sampler.actionNames,
      warnings,
    };
  } catch (err) {
    await writer?.abort();
    throw err;
  } finally {
    await sampler?.close();
    await reader.close();
  }
}

function requireMarker(options: ExportOptions, topics: readonly { name: string; count: number }[]): string {
  const topic = options.markerTopic;
  if (topic === undefined)
    throw new VlaError('ARGUMENT_INVALID', '--episodes marker needs the topic that marks episode starts', {
      path: '--marker-topic',
      hint: 'add --marker-topic /your/topic',
    });
  if (!topics.some((t) => t.name === topic && t.count > 0)) {
    throw new VlaError('BAG_TOPIC_MISSING', `the bag has no messages on the marker topic ${topic}`, {
      file: options.bagPath,
      path: topic,
      hint: `the bag has: ${topics.map((t) => t.name).join(', ')}`,
    });
  }
  return topic;
}

/** Turns the stream of assembled and dropped frames into episodes, counting every dropped frame by reason. */
class EpisodeCutter {
  readonly dropped: Record<string, number> = {};
  readonly splits: EpisodeSplitReport[] = [];
  readonly written: ExportResult['episodeList'] = [];
  private open = false;
  private startS = 0;

  constructor(
    private readonly writer: LeRobotDatasetWriter,
    private task: string | undefined,
  ) {}

  /** A new instruction: a new task starts a new episode (an episode has one task). */
  async setTask(task: string): Promise<void> {
    if (task !== this.task) await this.boundary(task);
  }

  /** A new episode starts with the next frame (`task` replaces the current one when given). */
  async boundary(task: string | undefined): Promise<void> {
    await this.end();
    if (task !== undefined) this.task = task;
  }

  async frame(tNs: bigint, sampler: FrameSampler): Promise<void> {
    if (this.task === undefined) return this.drop(tNs, 'before the first instruction');
    const frame = sampler.sample(tNs, this.task);
    if ('dropped' in frame) return this.drop(tNs, frame.dropped);
    for (const [camera, image] of frame.images) {
      this.writer.setCameraSize(camera, image.widthPx, image.heightPx);
      const size = this.writer.cameraSize(camera)!;
      if (size.widthPx !== image.widthPx || size.heightPx !== image.heightPx)
        return this.drop(tNs, `frame size of "${camera}" changed from ${size.widthPx}x${size.heightPx}`);
    }
    if (!this.open) {
      this.writer.beginEpisode(this.task);
      this.open = true;
      this.startS = Number(tNs) / 1e9;
    }
    await this.writer.addFrame({
      vectors: { 'observation.state': frame.state, action: frame.action },
      images: new Map([...frame.images].map(([camera, image]) => [camera, image.rgb])),
    });
  }

  async end(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    const episode = await this.writer.endEpisode();
    if (episode !== undefined) this.written.push({ index: episode.index, task: episode.task, frames: episode.length, startS: this.startS });
  }

  private async drop(tNs: bigint, reason: string): Promise<void> {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
    if (this.open) {
      this.splits.push({ atS: Number(tNs) / 1e9, reason });
      await this.end();
    }
  }
}
