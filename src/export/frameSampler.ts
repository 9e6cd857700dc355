import type { Embodiment } from '../config/Embodiment';
import { isVlaError, VlaError } from '../errors';
import type { CommandSample } from '../eval/CommandStream';
import type { PlannedChannel } from '../eval/planReplay';
import { recordedCommandSamples } from '../eval/recordedCommands';
import type { Observation } from '../observation/Observation';
import { isObservation, ObservationAssembler, observationSourcesFor } from '../observation/ObservationAssembler';
import { frameToMat } from '../policy/preprocess/frameToMat';
import { BagTransport } from '../transport/BagTransport';

/** What `action` holds: the commanded joint targets, or their difference from the measured state. */
export type ActionMode = 'absolute' | 'delta';

/** One frame as the policy would have seen it, with the command the arm was sent at that instant. */
export interface SampledFrame {
  tS: number;
  state: Float64Array;
  action: Float64Array;
  /** Per camera, packed rgb24 pixels. */
  images: Map<string, { rgb: Uint8Array; widthPx: number; heightPx: number }>;
}

/** Why a frame was not assembled: `stale /topic`, `missing /topic`, `no command on /topic`, `invalid image "camera"`. */
export type DropReason = string;

/**
 * The latest command on one channel at any instant: samples are kept in time order (a JointTrajectory's later
 * points wait for their time) and the one in force is the last at or before the instant.
 */
class CommandTrack {
  private readonly pending: CommandSample[] = [];
  private current: CommandSample | undefined;

  constructor(readonly planned: PlannedChannel) {}

  add(type: string, message: unknown, logTimeNs: bigint): void {
    const { channel } = this.planned;
    for (const s of recordedCommandSamples(type, message, logTimeNs, channel.dimensions, channel.field)) this.pending.push(s);
    this.pending.sort((a, b) => (a.tNs < b.tNs ? -1 : a.tNs > b.tNs ? 1 : 0));
  }

  at(tNs: bigint): CommandSample | undefined {
    while (this.pending.length > 0 && this.pending[0]!.tNs <= tNs) this.current = this.pending.shift();
    return this.current;
  }
}

export interface FrameSamplerOptions {
  embodiment: Embodiment;
  /** The command channels to read `action` from (the arm's, then the gripper's). */
  channels: readonly PlannedChannel[];
  action: ActionMode;
  startS: number;
  /** Stamps that are zero, implausible or late (the assembler then judges by receive time, as the node does). */
  onStampWarning?(message: string): void;
}

/**
 * Assembles frames from a bag's messages exactly as the live node assembles observations: the sensor messages
 * go through a BagTransport into the node's own ObservationAssembler (latest joint state mapped by name,
 * cameras matched in time, staleness against the frame's instant), and the recorded commands give `action`.
 * Feed messages in log-time order with `message()`; ask for frames with `sample()` at instants after every
 * message logged before them was fed (a message logged at the very instant comes after, as in replay).
 */
export class FrameSampler {
  readonly actionNames: readonly string[];
  readonly stateNames: readonly string[];
  private readonly transport: BagTransport;
  private readonly assembler: ObservationAssembler;
  private readonly tracks = new Map<string, CommandTrack>();
  private readonly sensorTopics: Set<string>;
  private readonly deltaIndex: number[] | undefined;
  private readonly invalid: VlaError[] = [];

  constructor(private readonly options: FrameSamplerOptions) {
    const { embodiment } = options;
    this.transport = new BagTransport({ startS: options.startS });
    const sources = observationSourcesFor(embodiment);
    this.sensorTopics = new Set([sources.jointStatesTopic, ...sources.cameras.map((c) => c.topic)]);
    this.assembler = new ObservationAssembler(this.transport, sources, {
      onInvalidMessage: (e) => this.invalid.push(e),
      onStampWarning: (m) => options.onStampWarning?.(m),
    });
    for (const c of options.channels) this.tracks.set(c.channel.topic, new CommandTrack(c));
    this.stateNames = sources.jointNames;
    this.actionNames = options.channels.flatMap((c) => c.channel.dimensions);
    if (options.action === 'delta') {
      const mode = embodiment.config.control.mode;
      if (mode !== 'joint_position') {
        throw new VlaError(
          'ARGUMENT_INVALID',
          `--action delta needs joint position commands; embodiment "${embodiment.name}" commands ${mode}`,
          {
            path: '--action',
            file: embodiment.configFile,
            hint: 'export absolute actions (the default) for velocity and Cartesian command modes',
          },
        );
      }
      this.deltaIndex = this.actionNames.map((n) => this.stateNames.indexOf(n));
    }
  }

  /** Messages that could not be converted (a bad image, a joint state missing a joint), dropped by the assembler. */
  get invalidMessages(): readonly VlaError[] {
    return this.invalid;
  }

  isSensor(topic: string): boolean {
    return this.sensorTopics.has(topic);
  }

  /** Feeds one recorded message (a sensor or a command; others are ignored). */
  async message(topic: string, type: string, logTimeNs: bigint, message: unknown): Promise<void> {
    if (this.sensorTopics.has(topic)) {
      await this.transport.play(topic, type, Number(logTimeNs) / 1e9, message);
      return;
    }
    this.tracks.get(topic)?.add(type, message, logTimeNs);
  }

  /** The frame at `tNs` with the given task, or why it cannot be assembled. */
  sample(tNs: bigint, task: string): SampledFrame | { dropped: DropReason } {
    const tS = Number(tNs) / 1e9;
    const stale = this.assembler.stale(tS);
    if (stale.length > 0) return { dropped: `stale ${stale[0]}` };
    const observation = this.assembler.assemble(task);
    if (!isObservation(observation)) return { dropped: `missing ${observation.missing[0]}` };
    const action = new Float64Array(this.actionNames.length);
    let offset = 0;
    for (const track of this.tracks.values()) {
      const command = track.at(tNs);
      if (command === undefined) return { dropped: `no command on ${track.planned.channel.topic}` };
      action.set(command.values, offset);
      offset += command.values.length;
    }
    if (action.some((v) => !Number.isFinite(v))) return { dropped: 'command without a value for every joint' };
    const state = observation.jointState.position;
    if (this.deltaIndex !== undefined) this.deltaIndex.forEach((i, k) => (action[k] = action[k]! - (i >= 0 ? state[i]! : 0)));
    const images = this.images(observation);
    if ('dropped' in images) return images;
    return { tS, state: Float64Array.from(state), action, images };
  }

  async close(): Promise<void> {
    this.assembler.close();
    await this.transport.close();
  }

  private images(observation: Observation): SampledFrame['images'] | { dropped: DropReason } {
    const out: SampledFrame['images'] = new Map();
    for (const [camera, frame] of observation.images) {
      try {
        const mat = frameToMat(frame, camera, 'rgb');
        out.set(camera, { rgb: new Uint8Array(mat.getData()), widthPx: mat.cols, heightPx: mat.rows });
      } catch (err) {
        if (!isVlaError(err)) throw err;
        this.invalid.push(err);
        return { dropped: `invalid image "${camera}"` };
      }
    }
    return out;
  }
}
