import type { Embodiment } from '../config/Embodiment';
import type { Float64MultiArrayMsg, JointStateMsg, JointTrajectoryMsg } from '../msgs/rosMessages';
import { secondsToTime } from '../time/rosTime';
import type { Publisher, Transport } from '../transport/Transport';

/**
 * A test arm on a transport: it executes every joint command exactly (position = command) and publishes joint
 * states and small camera frames when told to, so loop tests control every message and every instant.
 */
export class ExactArm {
  readonly positions: Float64Array;
  /** Every arm command received: its positions in command joint order. */
  readonly commands: Float64Array[] = [];
  private readonly names: readonly string[];
  private readonly jointStates: Publisher<JointStateMsg>;
  private readonly cameras: Publisher<unknown>[];

  constructor(transport: Transport, embodiment: Embodiment, start: ArrayLike<number>) {
    this.names = embodiment.commandJointNames;
    this.positions = Float64Array.from(start);
    const { topics, control, gripper } = embodiment.config;
    this.jointStates = transport.createPublisher(topics.joint_states, 'sensor_msgs/msg/JointState');
    this.cameras = topics.cameras.map((c) => transport.createPublisher(c.topic, c.type) as Publisher<unknown>);
    if (control.command_type !== 'trajectory_msgs/msg/JointTrajectory') throw new RangeError('ExactArm follows JointTrajectory commands');
    transport.subscribe(control.command_topic, 'trajectory_msgs/msg/JointTrajectory', (msg: JointTrajectoryMsg) => {
      const point = msg.points[0]!;
      msg.joint_names.forEach((name, k) => {
        this.positions[this.names.indexOf(name)] = point.positions[k]!;
      });
      this.commands.push(Float64Array.from(this.positions));
    });
    if (gripper?.command_topic !== undefined) {
      const gi = this.names.indexOf(gripper.joint);
      transport.subscribe(gripper.command_topic, 'std_msgs/msg/Float64MultiArray', (msg: Float64MultiArrayMsg) => {
        this.positions[gi] = msg.data[0]!;
      });
    }
  }

  /** Joint state at `tS`, names in reverse order (the bridge must map by name). */
  publishState(tS: number): void {
    const order = [...this.names.keys()].reverse();
    this.jointStates.publish({
      header: { stamp: secondsToTime(tS), frame_id: '' },
      name: order.map((i) => this.names[i]!),
      position: order.map((i) => this.positions[i]!),
      velocity: [],
      effort: [],
    });
  }

  /** A 4x4 grey rgb8 frame on every camera, stamped `stampS` (default `tS`; 0 as many camera drivers leave it). */
  publishFrames(tS: number, stampS = tS): void {
    for (const camera of this.cameras) {
      camera.publish({
        header: { stamp: secondsToTime(stampS), frame_id: 'camera' },
        height: 4,
        width: 4,
        encoding: 'rgb8',
        is_bigendian: 0,
        step: 12,
        data: new Uint8Array(48).fill(128),
      });
    }
  }
}
