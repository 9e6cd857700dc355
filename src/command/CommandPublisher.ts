import type { Embodiment } from '../config/Embodiment';
import type { CommandType, ControlMode } from '../config/EmbodimentConfig';
import { VlaError } from '../errors';
import type {
  Float64MultiArrayMsg,
  HeaderMsg,
  JointStateMsg,
  JointTrajectoryMsg,
  PoseStampedMsg,
  TwistStampedMsg,
} from '../msgs/rosMessages';
import { secondsToTime } from '../time/rosTime';
import { type SafeCommand, type SafeJointCommand, unsafeReason } from '../safety/SafeCommand';
import type { Publisher, Transport } from '../transport/Transport';

/** What a publish sent, for recording: topic, type and the message. */
export interface SentMessage {
  topic: string;
  type: string;
  message: unknown;
}

export interface CommandPublisherOptions {
  /** Called with every message sent (recording, tests). */
  onSent?: (sent: SentMessage) => void;
}

const ZERO_TIME = { sec: 0, nanosec: 0 };

/**
 * The only way to a command topic. It accepts a `SafeCommand` and nothing else: the type says so at compile
 * time and `unsafeReason` checks it again at run time, so a command built by hand (or cast), or changed after
 * the safety layer made it, is refused with COMMAND_REFUSED. It maps the command onto the embodiment's `control.command_type`:
 *
 * - trajectory_msgs/JointTrajectory: one point, positions and velocities, `time_from_start` from
 *   `control.trajectory_time_from_start_s` (default one command period), header stamp zero ("start now", as
 *   joint_trajectory_controller reads it);
 * - std_msgs/Float64MultiArray: positions (joint_position) or velocities (joint_velocity), joint order;
 * - sensor_msgs/JointState: names with positions and velocities (velocities only in joint_velocity mode);
 * - geometry_msgs/TwistStamped and PoseStamped: in `control.frame_id` (default base_link).
 *
 * The gripper goes in the arm command, or on `gripper.command_topic` as a one-element Float64MultiArray. In the
 * Cartesian modes the safe command carries the gripper (limited as a joint) and it goes on that topic.
 */
export class CommandPublisher {
  readonly commandType: CommandType;
  readonly mode: ControlMode;
  private readonly publisher: Publisher<unknown>;
  private readonly gripperPublisher: Publisher<unknown> | undefined;
  private readonly armIndices: number[];
  private readonly armNames: string[];
  private readonly gripperIndex: number;
  private readonly jointNames: readonly string[];
  private readonly frameId: string;
  private readonly timeFromStart: { sec: number; nanosec: number };
  private readonly onSent: ((sent: SentMessage) => void) | undefined;
  private refusedCount = 0;
  private sentCount = 0;

  constructor(transport: Transport, embodiment: Embodiment, options: CommandPublisherOptions = {}) {
    const { control, gripper, rates } = embodiment.config;
    this.commandType = control.command_type;
    this.mode = control.mode;
    this.publisher = transport.createPublisher(control.command_topic, control.command_type, { qos: 'reliable' }) as Publisher<unknown>;
    const names = embodiment.commandJointNames;
    this.jointNames = names;
    this.gripperIndex = gripper === undefined ? -1 : names.indexOf(gripper.joint);
    const separateGripper = gripper?.command_topic !== undefined;
    this.gripperPublisher = separateGripper
      ? (transport.createPublisher(gripper.command_topic!, 'std_msgs/msg/Float64MultiArray', { qos: 'reliable' }) as Publisher<unknown>)
      : undefined;
    this.armIndices = names.map((_, i) => i).filter((i) => !(separateGripper && i === this.gripperIndex));
    this.armNames = this.armIndices.map((i) => names[i]!);
    this.frameId = control.frame_id ?? embodiment.config.base_link;
    this.timeFromStart = secondsToTime(control.trajectory_time_from_start_s ?? 1 / rates.command_hz);
    this.onSent = options.onSent;
  }

  /** Commands refused because they did not come from the safety layer (or did not fit the control mode). */
  get refused(): number {
    return this.refusedCount;
  }

  get sent(): number {
    return this.sentCount;
  }

  /** Publishes a command of the embodiment's control mode (joint commands also carry the gripper). */
  publish(command: SafeCommand): void {
    this.checkSafe(command);
    const header: HeaderMsg = { stamp: secondsToTime(command.stampS), frame_id: this.frameId };
    switch (command.kind) {
      case 'joint':
        if (this.mode !== 'joint_position' && this.mode !== 'joint_velocity')
          this.refuse(`a joint command cannot be sent in ${this.mode} mode`);
        this.send(this.publisher, this.jointMessage(command));
        if (this.gripperIndex >= 0) this.sendGripper(command.positions[this.gripperIndex]!);
        return;
      case 'twist': {
        if (this.mode !== 'cartesian_twist') this.refuse(`a twist command cannot be sent in ${this.mode} mode`);
        const [vx, vy, vz] = command.linearMPerS;
        const [wx, wy, wz] = command.angularRadPerS;
        const msg: TwistStampedMsg = {
          header: { ...header, frame_id: command.frameId },
          twist: { linear: { x: vx, y: vy, z: vz }, angular: { x: wx, y: wy, z: wz } },
        };
        this.send(this.publisher, msg);
        if (command.gripper !== undefined) this.sendGripper(command.gripper.position);
        return;
      }
      case 'pose': {
        if (this.mode !== 'cartesian_pose') this.refuse(`a pose command cannot be sent in ${this.mode} mode`);
        const [x, y, z] = command.positionM;
        const [qx, qy, qz, qw] = command.orientationXyzw;
        const msg: PoseStampedMsg = {
          header: { ...header, frame_id: command.frameId },
          pose: { position: { x, y, z }, orientation: { x: qx, y: qy, z: qz, w: qw } },
        };
        this.send(this.publisher, msg);
        if (command.gripper !== undefined) this.sendGripper(command.gripper.position);
        return;
      }
    }
  }

  private checkSafe(command: unknown): asserts command is SafeCommand {
    const why = unsafeReason(command);
    if (why !== undefined) this.refuse(why);
  }

  private refuse(why: string): never {
    this.refusedCount++;
    throw new VlaError('COMMAND_REFUSED', `command refused: ${why}`, {
      path: this.publisher.topic,
      hint: 'commands reach a publisher only through the safety layer (SafetyLayer.enforce*)',
    });
  }

  private jointMessage(command: SafeJointCommand): JointTrajectoryMsg | Float64MultiArrayMsg | JointStateMsg {
    if (command.jointNames.length !== this.jointNames.length || command.jointNames.some((n, i) => n !== this.jointNames[i])) {
      this.refuse(`the command's joints (${command.jointNames.join(', ')}) are not the embodiment's (${this.jointNames.join(', ')})`);
    }
    const positions = Float64Array.from(this.armIndices, (i) => command.positions[i]!);
    const velocities = Float64Array.from(this.armIndices, (i) => command.velocities[i]!);
    const velocityMode = this.mode === 'joint_velocity';
    switch (this.commandType) {
      case 'trajectory_msgs/msg/JointTrajectory':
        return {
          header: { stamp: ZERO_TIME, frame_id: '' },
          joint_names: this.armNames,
          points: [{ positions, velocities, accelerations: [], effort: [], time_from_start: this.timeFromStart }],
        };
      case 'std_msgs/msg/Float64MultiArray':
        return float64Array(velocityMode ? velocities : positions);
      case 'sensor_msgs/msg/JointState':
        return {
          header: { stamp: secondsToTime(command.stampS), frame_id: '' },
          name: this.armNames,
          position: velocityMode ? [] : positions,
          velocity: velocities,
          effort: [],
        };
      default:
        return this.refuse(`command type ${this.commandType} cannot carry a joint command`);
    }
  }

  /** The gripper position on the gripper's own topic, when it has one (else it went in the arm command). */
  private sendGripper(positionM: number): void {
    if (this.gripperPublisher === undefined) return;
    this.send(this.gripperPublisher, float64Array(Float64Array.of(positionM)));
  }

  private send(publisher: Publisher<unknown>, message: unknown): void {
    publisher.publish(message);
    this.sentCount++;
    this.onSent?.({ topic: publisher.topic, type: publisher.type, message });
  }
}

function float64Array(data: Float64Array): Float64MultiArrayMsg {
  return { layout: { dim: [], data_offset: 0 }, data };
}
