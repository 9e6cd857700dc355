import type { Observable, Subscription } from 'rxjs';
import type { Embodiment } from '../config/Embodiment';
import type { VlaError } from '../errors';
import type { ImageMsg } from '../msgs/rosMessages';
import { fromTopic } from '../transport/fromTopic';
import type { Transport } from '../transport/Transport';
import { compressedImageMsgToFrame, imageMsgToFrame, JointStateMapper } from './convert';
import type { ImageFrame, JointStateSample, Observation } from './Observation';
import { describeStamp, type ObservationTimeBase, type StampVerdict } from './stampTime';
import { closestInTime, convertEach, inTimeOrder, onTimeBase, recentWindow, type Stamped } from './streams';

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
  /** Which time observations are judged by (default `header`, with receive time for implausible stamps). */
  timeBase?: ObservationTimeBase;
  /** Called for every message that could not be converted (missing joint, bad image); the message is dropped. */
  onInvalidMessage?: (error: VlaError) => void;
  /** Called once per topic, for the first stamp that is zero, implausible or late (stampTime.ts). */
  onStampWarning?: (message: string, topic: string, verdict: Exclude<StampVerdict, 'ok'>) => void;
}

/** Why no observation could be assembled. */
export interface MissingData {
  missing: string[];
}

/**
 * Keeps the latest joint state (mapped by name) and the recent frames of every camera, and assembles
 * observations: the joint state, and for each camera the frame closest in time to it. Each topic is one rxjs
 * stream: converted, put on the time base (header stamps, or receive time where a stamp cannot be on the
 * receiver's clock), kept in time order and windowed; staleness and time matching read what the streams keep,
 * against the clock, when the control loop asks.
 */
export class ObservationAssembler {
  readonly sources: ObservationSources;
  readonly timeBase: ObservationTimeBase;
  private joint: JointStateSample | undefined;
  private readonly windows = new Map<string, readonly ImageFrame[]>();
  private readonly subscriptions: Subscription[] = [];
  private readonly warned = new Set<string>();
  private readonly receiveTimed = new Map<string, number>();
  private invalidCount = 0;
  private skewS = 0;

  constructor(transport: Transport, sources: ObservationSources, options: AssemblerOptions = {}) {
    this.sources = sources;
    this.timeBase = options.timeBase ?? 'header';
    const framesPerCamera = Math.max(1, options.framesPerCamera ?? 6);
    const receivedAtS = (): number => transport.receivedAtS?.() ?? transport.clock.nowS();
    const onInvalid = (error: VlaError): void => {
      this.invalidCount++;
      options.onInvalidMessage?.(error);
    };
    /** One topic's stream: converted, on the time base, in time order. */
    const stream = <M, T extends Stamped>(
      topic: string,
      messages: Observable<M>,
      convert: (msg: M) => T,
      timeoutS: number,
    ): Observable<T> =>
      messages.pipe(
        convertEach(convert, onInvalid),
        onTimeBase<T>({
          timeBase: this.timeBase,
          receivedAtS,
          timeoutS,
          onStamp: (verdict, lagS) => {
            if (verdict !== 'late') this.receiveTimed.set(topic, (this.receiveTimed.get(topic) ?? 0) + 1);
            if (this.warned.has(topic)) return;
            this.warned.add(topic);
            options.onStampWarning?.(describeStamp(topic, verdict, lagS), topic, verdict);
          },
        }),
        inTimeOrder<T>(),
      );

    const mapper = new JointStateMapper(sources.jointNames);
    const jointTopic = sources.jointStatesTopic;
    const joints$ = fromTopic(transport, jointTopic, 'sensor_msgs/msg/JointState', { qos: 'sensor_data' });
    const samples$ = stream(
      jointTopic,
      joints$,
      (msg) => mapper.map(msg, { topic: jointTopic, keepNonFinite: this.joint !== undefined }),
      sources.jointStateTimeoutS,
    );
    this.subscriptions.push(samples$.subscribe((sample) => (this.joint = sample)));
    for (const camera of sources.cameras) {
      this.windows.set(camera.name, []);
      const ctx = { topic: camera.topic };
      const qos = { qos: 'sensor_data' } as const;
      const frames$: Observable<ImageFrame> =
        camera.type === 'sensor_msgs/msg/Image'
          ? stream(
              camera.topic,
              fromTopic(transport, camera.topic, camera.type, qos),
              (msg: ImageMsg) => imageMsgToFrame(msg, ctx),
              camera.timeoutS,
            )
          : stream(camera.topic, fromTopic(transport, camera.topic, camera.type, qos), compressedImageMsgToFrame, camera.timeoutS);
      this.subscriptions.push(
        frames$.pipe(recentWindow<ImageFrame>(framesPerCamera)).subscribe((window) => this.windows.set(camera.name, window)),
      );
    }
  }

  /** Messages dropped because they could not be converted. */
  get invalidMessages(): number {
    return this.invalidCount;
  }

  /** Per topic, the messages judged by their receive time because their header stamp was zero or implausible. */
  get receiveTimedMessages(): ReadonlyMap<string, number> {
    return this.receiveTimed;
  }

  /** Largest stamp difference between the frames and the joint state in the last assembled observation, s. */
  get lastSkewS(): number {
    return this.skewS;
  }

  latestJointState(): JointStateSample | undefined {
    return this.joint;
  }

  latestFrame(camera: string): ImageFrame | undefined {
    const window = this.windows.get(camera);
    return window?.[window.length - 1];
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

  /** Whether any source is older than its timeout in `ages` (from `ages()`), without listing them. */
  anyStale(ages: SensorAges): boolean {
    if (!(ages.jointStateAgeS <= this.sources.jointStateTimeoutS)) return true;
    for (const camera of this.sources.cameras) if (!(ages.cameraAgesS[camera.name]! <= camera.timeoutS)) return true;
    return false;
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
      const window = this.windows.get(name) ?? [];
      const reference = joint?.stampS ?? window[window.length - 1]?.stampS ?? 0;
      const best = closestInTime(window, reference);
      if (best === undefined) {
        missing.push(this.sources.cameras.find((c) => c.name === name)?.topic ?? name);
        continue;
      }
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
}

export function isObservation(value: Observation | MissingData): value is Observation {
  return 'jointState' in value;
}
