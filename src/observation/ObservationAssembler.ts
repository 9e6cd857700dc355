import { EMPTY, type Observable, type OperatorFunction, mergeMap, of, type Subscription } from 'rxjs';
import type { Embodiment } from '../config/Embodiment';
import { isVlaError, VlaError } from '../errors';
import { compressedImageMsgToFrame, imageMsgToFrame, JointStateMapper } from '../msgs/convert';
import type { CompressedImageMsg, ImageMsg } from '../msgs/rosMessages';
import { fromTopic } from '../transport/fromTopic';
import type { Transport } from '../transport/Transport';
import type { ImageFrame, JointStateSample, Observation } from './Observation';

export interface CameraSource {
  /** The name the policy uses (`primary`, `wrist`). */
  name: string;
  topic: string;
  type: 'sensor_msgs/msg/Image' | 'sensor_msgs/msg/CompressedImage';
  /** A frame older than this is stale, seconds. */
  timeoutS: number;
}

export interface ObservationSources {
  jointStatesTopic: string;
  /** The joints to read, in the embodiment's command order (mapped by name from each message). */
  jointNames: readonly string[];
  jointStateTimeoutS: number;
  cameras: readonly CameraSource[];
}

export function observationSourcesFor(embodiment: Embodiment): ObservationSources {
  const { topics, timeouts } = embodiment.config;
  return {
    jointStatesTopic: topics.joint_states,
    jointNames: embodiment.commandJointNames,
    jointStateTimeoutS: timeouts.joint_state_s,
    cameras: topics.cameras.map((c) => ({ name: c.name, topic: c.topic, type: c.type, timeoutS: c.timeout_s })),
  };
}

/** How old the latest data is, seconds (Infinity when none arrived yet). */
export interface SensorAges {
  jointStateAgeS: number;
  cameraAgesS: Record<string, number>;
}

export interface AssemblerOptions {
  /** Recent frames kept per camera, to pick frames close in time across cameras. */
  framesPerCamera?: number;
  /** Called for every message that could not be converted (missing joint, bad image); the message is dropped. */
  onInvalidMessage?: (error: VlaError) => void;
}

/** Why no observation could be assembled. */
export interface MissingData {
  missing: string[];
}

/**
 * Keeps the latest joint state (mapped by name) and the recent frames of every camera, with their stamps,
 * and assembles observations: the joint state, and for each camera the frame closest in time to it.
 * Staleness is judged on header stamps against the clock.
 */
export class ObservationAssembler {
  readonly sources: ObservationSources;
  private readonly framesPerCamera: number;
  private readonly onInvalid: ((error: VlaError) => void) | undefined;
  private joint: JointStateSample | undefined;
  private readonly frames = new Map<string, ImageFrame[]>();
  private readonly subscriptions: Subscription[] = [];
  private invalidCount = 0;
  private skewS = 0;

  constructor(transport: Transport, sources: ObservationSources, options: AssemblerOptions = {}) {
    this.sources = sources;
    this.framesPerCamera = Math.max(1, options.framesPerCamera ?? 6);
    this.onInvalid = options.onInvalidMessage;
    const mapper = new JointStateMapper(sources.jointNames);
    const topic = sources.jointStatesTopic;
    this.subscriptions.push(
      fromTopic(transport, topic, 'sensor_msgs/msg/JointState', { qos: 'sensor_data' })
        .pipe(this.convert((msg) => mapper.map(msg, { topic })))
        .subscribe((sample) => {
          if (this.joint === undefined || sample.stampS >= this.joint.stampS) this.joint = sample;
        }),
    );
    for (const camera of sources.cameras) {
      this.frames.set(camera.name, []);
      const ctx = { topic: camera.topic };
      const frames$: Observable<ImageFrame> =
        camera.type === 'sensor_msgs/msg/Image'
          ? fromTopic(transport, camera.topic, camera.type, { qos: 'sensor_data' }).pipe(this.convert((msg: ImageMsg) => imageMsgToFrame(msg, ctx)))
          : fromTopic(transport, camera.topic, camera.type, { qos: 'sensor_data' }).pipe(this.convert((msg: CompressedImageMsg) => compressedImageMsgToFrame(msg)));
      this.subscriptions.push(frames$.subscribe((frame) => this.keepFrame(camera.name, frame)));
    }
  }

  /** Messages dropped because they could not be converted. */
  get invalidMessages(): number {
    return this.invalidCount;
  }

  /** Largest stamp difference between the frames and the joint state in the last assembled observation, s. */
  get lastSkewS(): number {
    return this.skewS;
  }

  latestJointState(): JointStateSample | undefined {
    return this.joint;
  }

  latestFrame(camera: string): ImageFrame | undefined {
    const list = this.frames.get(camera);
    return list?.[list.length - 1];
  }

  ages(nowS: number): SensorAges {
    const cameraAgesS: Record<string, number> = {};
    for (const camera of this.sources.cameras) {
      const frame = this.latestFrame(camera.name);
      cameraAgesS[camera.name] = frame === undefined ? Infinity : nowS - frame.stampS;
    }
    return { jointStateAgeS: this.joint === undefined ? Infinity : nowS - this.joint.stampS, cameraAgesS };
  }

  /** Names of the sources whose latest data is older than their timeout (or never came). */
  stale(nowS: number): string[] {
    const ages = this.ages(nowS);
    const out: string[] = [];
    if (!(ages.jointStateAgeS <= this.sources.jointStateTimeoutS)) out.push(this.sources.jointStatesTopic);
    for (const camera of this.sources.cameras) if (!(ages.cameraAgesS[camera.name]! <= camera.timeoutS)) out.push(camera.topic);
    return out;
  }

  /**
   * The observation at the latest joint state, with each camera's frame closest to it in time. `cameras`
   * limits the images to the ones the policy needs (default: every camera). Returns the missing sources when
   * one of them has not delivered anything yet.
   */
  assemble(instruction: string, cameras?: readonly string[]): Observation | MissingData {
    const missing: string[] = [];
    const joint = this.joint;
    if (joint === undefined) missing.push(this.sources.jointStatesTopic);
    const wanted = cameras ?? this.sources.cameras.map((c) => c.name);
    const images = new Map<string, ImageFrame>();
    let skew = 0;
    for (const name of wanted) {
      const list = this.frames.get(name);
      if (list === undefined || list.length === 0) {
        missing.push(this.sources.cameras.find((c) => c.name === name)?.topic ?? name);
        continue;
      }
      const reference = joint?.stampS ?? list[list.length - 1]!.stampS;
      let best = list[list.length - 1]!;
      for (const frame of list) if (Math.abs(frame.stampS - reference) < Math.abs(best.stampS - reference)) best = frame;
      skew = Math.max(skew, Math.abs(best.stampS - reference));
      images.set(name, best);
    }
    if (missing.length > 0 || joint === undefined) return { missing };
    this.skewS = skew;
    return { stampS: joint.stampS, images, jointState: joint, instruction };
  }

  close(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions.length = 0;
  }

  /** Converts each message; one that fails is counted, reported and dropped, and the stream goes on. */
  private convert<M, R>(fn: (msg: M) => R): OperatorFunction<M, R> {
    return mergeMap((msg: M) => {
      try {
        return of(fn(msg));
      } catch (err) {
        this.invalidCount++;
        if (!isVlaError(err)) throw err;
        this.onInvalid?.(err);
        return EMPTY;
      }
    });
  }

  private keepFrame(camera: string, frame: ImageFrame): void {
    const list = this.frames.get(camera)!;
    const last = list[list.length - 1];
    if (last !== undefined && frame.stampS < last.stampS) return;
    list.push(frame);
    if (list.length > this.framesPerCamera) list.shift();
  }
}

export function isObservation(value: Observation | MissingData): value is Observation {
  return 'jointState' in value;
}
