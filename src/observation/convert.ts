import { VlaError } from '../errors';
import type { CompressedImageFrame, ImageFrame, JointStateSample, RawImageFrame } from './Observation';
import type { CompressedImageMsg, HeaderMsg, ImageMsg, JointStateMsg, NumberArray } from '../msgs/rosMessages';
import { secondsToTime, timeToSeconds } from '../time/rosTime';

/**
 * Converters between the observation messages (sensor_msgs JointState, Image, CompressedImage) and the
 * observation types. The ROS transport (rclnodejs objects), bag replay (CDR-decoded objects) and the simulator
 * all go through these: one converter, one truth. Stamps are copied as the header has them; which time an
 * observation is judged by is decided after conversion (stampTime.ts).
 */

export interface ConvertContext {
  /** Topic the message came from, for error messages. */
  topic?: string;
  /**
   * Keep non-finite positions (NaN, Inf) instead of refusing the message: once the safety layer has a finite
   * state, such a message must reach it, so that it stops on a non-finite measurement rather than on a
   * joint state that merely looks stale.
   */
  keepNonFinite?: boolean;
}

/** Maps a JointState onto `jointNames` by name (never by index). Missing joints or non-finite values are errors. */
export class JointStateMapper {
  private readonly jointNames: readonly string[];
  private lastNames: readonly string[] | undefined;
  private indices: Int32Array;

  constructor(jointNames: readonly string[]) {
    this.jointNames = jointNames;
    this.indices = new Int32Array(jointNames.length);
  }

  map(msg: JointStateMsg, ctx: ConvertContext = {}): JointStateSample {
    if (msg.name !== this.lastNames) this.reindex(msg, ctx);
    const n = this.jointNames.length;
    const position = new Float64Array(n);
    const hasVelocity = msg.velocity.length === msg.name.length && msg.velocity.length > 0;
    const velocity = hasVelocity ? new Float64Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      const k = this.indices[i]!;
      const p = msg.position[k];
      if (p === undefined || (!Number.isFinite(p) && ctx.keepNonFinite !== true)) {
        throw new VlaError(
          'MESSAGE_INVALID',
          `JointState position of joint "${this.jointNames[i]}" is ${p === undefined ? 'missing' : p}`,
          {
            path: ctx.topic,
            joint: this.jointNames[i],
            hint: 'the joint state publisher must report a finite position for every commanded joint',
          },
        );
      }
      position[i] = p;
      if (velocity !== undefined) {
        const v = msg.velocity[k]!;
        velocity[i] = Number.isFinite(v) ? v : 0;
      }
    }
    const sample: JointStateSample = { stampS: timeToSeconds(msg.header.stamp), position };
    if (velocity !== undefined) sample.velocity = velocity;
    return sample;
  }

  private reindex(msg: JointStateMsg, ctx: ConvertContext): void {
    if (msg.position.length !== msg.name.length) {
      throw new VlaError('MESSAGE_INVALID', `JointState has ${msg.name.length} names but ${msg.position.length} positions`, {
        path: ctx.topic,
        hint: 'name and position must have the same length',
      });
    }
    const byName = new Map<string, number>();
    msg.name.forEach((name, k) => byName.set(name, k));
    this.jointNames.forEach((joint, i) => {
      const k = byName.get(joint);
      if (k === undefined) {
        throw new VlaError(
          'MESSAGE_INVALID',
          `JointState does not contain joint "${joint}" (it has: ${msg.name.join(', ') || 'no joints'})`,
          {
            path: ctx.topic,
            joint,
            hint: 'check the joint names in the embodiment YAML against the robot driver',
          },
        );
      }
      this.indices[i] = k;
    });
    this.lastNames = msg.name;
  }
}

function bytes(data: ArrayLike<number>): Uint8Array {
  return data instanceof Uint8Array ? data : Uint8Array.from(data);
}

export function imageMsgToFrame(msg: ImageMsg, ctx: ConvertContext = {}): RawImageFrame {
  const data = bytes(msg.data);
  if (msg.width <= 0 || msg.height <= 0 || msg.step < msg.width || data.length < msg.step * msg.height) {
    throw new VlaError(
      'MESSAGE_INVALID',
      `Image ${msg.width}x${msg.height} step ${msg.step} has ${data.length} bytes (needs ${msg.step * msg.height})`,
      {
        path: ctx.topic,
        hint: 'the camera driver published an inconsistent sensor_msgs/Image',
      },
    );
  }
  return {
    kind: 'raw',
    stampS: timeToSeconds(msg.header.stamp),
    frameId: msg.header.frame_id,
    width: msg.width,
    height: msg.height,
    encoding: msg.encoding,
    step: msg.step,
    isBigEndian: Boolean(msg.is_bigendian),
    data,
  };
}

export function compressedImageMsgToFrame(msg: CompressedImageMsg): CompressedImageFrame {
  return {
    kind: 'compressed',
    stampS: timeToSeconds(msg.header.stamp),
    frameId: msg.header.frame_id,
    format: msg.format,
    data: bytes(msg.data),
  };
}

export function headerAt(stampS: number, frameId: string): HeaderMsg {
  return { stamp: secondsToTime(stampS), frame_id: frameId };
}

export function frameToImageMsg(frame: RawImageFrame): ImageMsg {
  return {
    header: headerAt(frame.stampS, frame.frameId),
    height: frame.height,
    width: frame.width,
    encoding: frame.encoding,
    is_bigendian: frame.isBigEndian ? 1 : 0,
    step: frame.step,
    data: frame.data,
  };
}

export function frameToMsg(frame: ImageFrame): ImageMsg | CompressedImageMsg {
  return frame.kind === 'raw'
    ? frameToImageMsg(frame)
    : { header: headerAt(frame.stampS, frame.frameId), format: frame.format, data: frame.data };
}

export function sampleToJointStateMsg(sample: JointStateSample, jointNames: readonly string[], effort: NumberArray = []): JointStateMsg {
  return {
    header: headerAt(sample.stampS, ''),
    name: jointNames,
    position: sample.position,
    velocity: sample.velocity ?? [],
    effort,
  };
}
