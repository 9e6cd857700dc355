import type { Embodiment } from '../config/Embodiment';
import { SimClock } from '../time/SimClock';
import { rigidFromPose } from '../robot/poseMath';
import { encode as encodeJpeg } from 'jpeg-js';
import type {
  CompressedImageMsg,
  Float64MultiArrayMsg,
  ImageMsg,
  JointStateMsg,
  JointTrajectoryMsg,
  PoseStampedMsg,
  TwistStampedMsg,
} from '../msgs/rosMessages';
import { secondsToTime } from '../time/rosTime';
import { LoopbackTransport } from '../transport/LoopbackTransport';
import type { MessageOf, Publisher, TopicOptions, Transport, Unsubscribe } from '../transport/Transport';
import { SimWorld, type SimWorldOptions } from './SimWorld';

export interface SimTransportOptions extends SimWorldOptions {
  /** Rate of sensor_msgs/JointState on the embodiment's joint_states topic, Hz. */
  jointStateHz?: number;
  /** Rate of each camera's sensor_msgs/Image, Hz. */
  cameraHz?: number;
  /** Physics step, seconds. */
  physicsDtS?: number;
  /** Pace simulated time to wall time. */
  realtime?: boolean;
}

/** Sensor and tick times this close are one instant, s. */
const SAME_INSTANT_S = 1e-9;

interface Periodic {
  periodS: number;
  nextS: number;
  fire: (tS: number) => void;
}

/**
 * The built-in simulator as a transport: the bridge subscribes to joint states and camera images and
 * publishes commands exactly as it would on ROS 2, and the simulated arm answers on the same in-process topics
 * (the embodiment's names and types). Simulated time moves when the bridge sleeps on `clock`.
 *
 * Cameras: the first is the scene's fixed view; further cameras look from further round the table. A camera
 * of type CompressedImage gets JPEG frames. Commands are read per `control.command_type` (JointTrajectory,
 * Float64MultiArray and JointState as positions or, in joint_velocity mode, velocities; TwistStamped;
 * PoseStamped through IK) and the gripper from its own topic when it has one.
 */
export class SimTransport implements Transport {
  readonly name = 'sim';
  readonly clock: SimClock;
  readonly world: SimWorld;
  private readonly bus: LoopbackTransport;
  private readonly physicsDtS: number;
  private periodic: Periodic[] = [];
  private readonly unsubscribes: Unsubscribe[] = [];
  private readonly jointStatePublisher: Publisher<JointStateMsg>;
  private readonly cameraPublishers: { publisher: Publisher<unknown>; compressed: boolean }[];
  private readonly jointStateHz: number;
  private readonly cameraHz: number;
  private frames = 0;

  constructor(embodiment: Embodiment, options: SimTransportOptions = {}) {
    this.clock = new SimClock({ realtime: options.realtime ?? false });
    this.bus = new LoopbackTransport(this.clock, 'sim');
    this.world = new SimWorld(embodiment, options);
    this.physicsDtS = options.physicsDtS ?? 0.002;
    this.jointStateHz = options.jointStateHz ?? Math.max(100, embodiment.config.rates.command_hz);
    this.cameraHz = options.cameraHz ?? 10;
    const topics = embodiment.config.topics;
    this.jointStatePublisher = this.bus.createPublisher(topics.joint_states, 'sensor_msgs/msg/JointState', { qos: 'sensor_data' });
    this.cameraPublishers = topics.cameras.map((c) => ({
      publisher: this.bus.createPublisher(c.topic, c.type, { qos: 'sensor_data' }) as Publisher<unknown>,
      compressed: c.type === 'sensor_msgs/msg/CompressedImage',
    }));
    this.listenForCommands(embodiment);
    this.clock.setStepper((toS) => this.stepTo(toS));
    this.restartSensors(this.clock.nowS());
  }

  /** Images rendered so far. */
  get framesRendered(): number {
    return this.frames;
  }

  subscribe<T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void, options?: TopicOptions): Unsubscribe {
    return this.bus.subscribe(topic, type, handler, options);
  }

  createPublisher<T extends string>(topic: string, type: T, options?: TopicOptions): Publisher<MessageOf<T>> {
    return this.bus.createPublisher(topic, type, options);
  }

  /** Publishes every sensor now (as a driver does on start) and restarts their schedules from `tS`. */
  restartSensors(tS: number): void {
    const camerasCount = this.cameraPublishers.length;
    this.periodic = [
      { periodS: 1 / this.jointStateHz, nextS: tS, fire: (t) => this.jointStatePublisher.publish(this.world.arm.jointStateMsg(t)) },
      ...(camerasCount > 0 ? [{ periodS: 1 / this.cameraHz, nextS: tS, fire: (t: number) => this.publishImages(t) }] : []),
    ];
    this.fireDue(tS);
  }

  async close(): Promise<void> {
    this.clock.setStepper(undefined);
    for (const u of this.unsubscribes) u();
    await this.bus.close();
  }

  /** Integrates the world up to `toS`, publishing each sensor at its own times on the way. */
  private stepTo(toS: number): void {
    let nowS = this.clock.nowS();
    for (;;) {
      const nextEvent = Math.min(...this.periodic.map((p) => p.nextS));
      const until = Math.min(nextEvent, toS);
      while (until - nowS > 1e-12) {
        const dt = Math.min(this.physicsDtS, until - nowS);
        this.world.step(dt);
        nowS += dt;
      }
      nowS = until;
      // A sensor due at the instant a sleeper (a control tick) is due publishes right after it wakes, whichever
      // way rounding put the two times: sensors and deadlines add their periods up differently, and a bag,
      // which stores nanoseconds, can only be replayed the same way if the order does not hang on the last bit.
      if (nextEvent >= toS - SAME_INSTANT_S) return;
      // Sensors publish at their own time: a recorder or any subscriber reading the clock sees that time.
      this.clock.set(Math.max(nextEvent, this.clock.nowS()));
      this.fireDue(nextEvent);
    }
  }

  private fireDue(tS: number): void {
    for (const p of this.periodic) {
      if (p.nextS <= tS + 1e-9) {
        p.fire(tS);
        // Absolute schedule (no drift): the next multiple of the period after tS.
        p.nextS += p.periodS * Math.max(1, Math.floor((tS - p.nextS) / p.periodS + 1e-9) + 1);
      }
    }
  }

  private publishImages(tS: number): void {
    const { imageWidth: width, imageHeight: height } = this.world;
    this.cameraPublishers.forEach(({ publisher, compressed }, k) => {
      const data = this.world.render(k);
      this.frames++;
      const header = { stamp: secondsToTime(tS), frame_id: `sim_camera_${k}` };
      if (compressed) {
        const msg: CompressedImageMsg = { header, format: 'rgb8; jpeg compressed bgr8', data: jpegOf(data, width, height) };
        publisher.publish(msg);
      } else {
        const msg: ImageMsg = { header, height, width, encoding: 'rgb8', is_bigendian: 0, step: width * 3, data };
        publisher.publish(msg);
      }
    });
  }

  private listenForCommands(embodiment: Embodiment): void {
    const { control, gripper } = embodiment.config;
    const arm = this.world.arm;
    const names = embodiment.commandJointNames;
    const indexOf = (jointNames: readonly string[]): number[] => jointNames.map((n) => names.indexOf(n));
    const sub = <T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void): void => {
      this.unsubscribes.push(this.bus.subscribe(topic, type, handler, { qos: 'reliable' }));
    };
    const armIndices =
      gripper?.command_topic === undefined ? names.map((_, i) => i) : names.map((_, i) => i).filter((i) => names[i] !== gripper.joint);
    switch (control.command_type) {
      case 'trajectory_msgs/msg/JointTrajectory':
        sub(control.command_topic, control.command_type, (msg: JointTrajectoryMsg) => {
          const point = msg.points[0];
          if (point !== undefined)
            arm.commandPositions(point.positions, indexOf(msg.joint_names), point.velocities.length > 0 ? point.velocities : undefined);
        });
        break;
      case 'std_msgs/msg/Float64MultiArray':
        sub(control.command_topic, control.command_type, (msg: Float64MultiArrayMsg) => {
          if (control.mode === 'joint_velocity') arm.commandVelocities(msg.data, armIndices);
          else arm.commandPositions(msg.data, armIndices);
        });
        break;
      case 'sensor_msgs/msg/JointState':
        sub(control.command_topic, control.command_type, (msg: JointStateMsg) => {
          if (control.mode === 'joint_velocity') arm.commandVelocities(msg.velocity, indexOf(msg.name));
          else arm.commandPositions(msg.position, indexOf(msg.name), msg.velocity.length > 0 ? msg.velocity : undefined);
        });
        break;
      case 'geometry_msgs/msg/TwistStamped':
        sub(control.command_topic, control.command_type, (msg: TwistStampedMsg) => {
          const { linear: l, angular: a } = msg.twist;
          arm.commandTwist([l.x, l.y, l.z, a.x, a.y, a.z]);
        });
        break;
      case 'geometry_msgs/msg/PoseStamped':
        sub(control.command_topic, control.command_type, (msg: PoseStampedMsg) => {
          const { position: p, orientation: o } = msg.pose;
          arm.commandPose(rigidFromPose([p.x, p.y, p.z, o.x, o.y, o.z, o.w], new Float64Array(16)));
        });
        break;
    }
    if (gripper?.command_topic !== undefined) {
      const gi = names.indexOf(gripper.joint);
      sub(gripper.command_topic, 'std_msgs/msg/Float64MultiArray', (msg: Float64MultiArrayMsg) =>
        arm.commandPositions(msg.data.slice(0, 1), [gi]),
      );
    }
  }
}

/** JPEG bytes of rgb8 pixels (what compressed_image_transport publishes). */
function jpegOf(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i]!;
    rgba[j + 1] = rgb[i + 1]!;
    rgba[j + 2] = rgb[i + 2]!;
    rgba[j + 3] = 255;
  }
  return new Uint8Array(encodeJpeg({ data: rgba, width, height }, 90).data);
}
