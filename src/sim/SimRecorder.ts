import type { Embodiment } from '../config/Embodiment';
import { McapRecorder } from '../bag/McapRecorder';
import { secondsToNs } from '../time/rosTime';
import { VLA_MSG_TYPES } from '../msgs/vlaMessages';
import { RESOLVED_NODE_TOPICS } from '../outputs/nodeTopics';
import { safetyEventToMsg } from '../outputs/vlaConverters';
import type { SafetyEvent } from '../safety/SafetyEvent';
import type { Transport, Unsubscribe } from '../transport/Transport';

/**
 * Records what the bridge saw and commanded in the simulator as a rosbag2 MCAP file (real ROS 2 schemas, so
 * `ros2 bag play` and Foxglove open it): joint states, camera images, the commands on every command topic,
 * the safety events and each episode's instruction (on the node's own topics, as the node would publish them),
 * stamped with simulated time.
 */
export class SimRecorder {
  readonly path: string;
  private readonly recorder: McapRecorder;
  private readonly transport: Transport;
  private readonly unsubscribes: Unsubscribe[] = [];
  private firstError: unknown;
  private written = 0;

  private constructor(path: string, recorder: McapRecorder, transport: Transport) {
    this.path = path;
    this.recorder = recorder;
    this.transport = transport;
  }

  /** Opens `path` (a `.mcap` file, or a bag folder) and starts recording the embodiment's topics on `transport`. */
  static async open(path: string, transport: Transport, embodiment: Embodiment): Promise<SimRecorder> {
    const recorder = new SimRecorder(path, await McapRecorder.open(path), transport);
    const { topics, control, gripper } = embodiment.config;
    recorder.listen(topics.joint_states, 'sensor_msgs/msg/JointState');
    for (const camera of topics.cameras) recorder.listen(camera.topic, camera.type);
    recorder.listen(control.command_topic, control.command_type);
    if (gripper?.command_topic !== undefined) recorder.listen(gripper.command_topic, 'std_msgs/msg/Float64MultiArray');
    return recorder;
  }

  /** The .mcap file written. */
  get file(): string {
    return this.recorder.file;
  }

  get messages(): number {
    return this.written;
  }

  safetyEvent(event: SafetyEvent): void {
    this.write(RESOLVED_NODE_TOPICS.safetyEvents, VLA_MSG_TYPES.safetyEvent, event.tS, safetyEventToMsg(event));
  }

  instruction(text: string): void {
    this.write(RESOLVED_NODE_TOPICS.instruction, 'std_msgs/msg/String', this.transport.clock.nowS(), { data: text });
  }

  /** Stops listening, finishes the file; throws the first write error, if any. */
  async close(): Promise<void> {
    for (const u of this.unsubscribes) u();
    await this.recorder.close();
    if (this.firstError !== undefined) throw this.firstError;
  }

  private listen(topic: string, type: string): void {
    this.unsubscribes.push(this.transport.subscribe(topic, type, (msg) => this.write(topic, type, this.transport.clock.nowS(), msg)));
  }

  private write(topic: string, type: string, tS: number, message: unknown): void {
    this.written++;
    this.recorder.write(topic, type, secondsToNs(tS), message).catch((err: unknown) => {
      this.firstError ??= err;
    });
  }
}
