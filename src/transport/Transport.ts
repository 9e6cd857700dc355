import type { Clock } from '../time/Clock';
import type {
  BoolMsg,
  ClockMsg,
  CompressedImageMsg,
  DiagnosticArrayMsg,
  Float64MultiArrayMsg,
  ImageMsg,
  JointStateMsg,
  JointTrajectoryMsg,
  PoseStampedMsg,
  StringMsg,
  TwistStampedMsg,
} from '../msgs/rosMessages';

/**
 * The message-level contract every transport implements: the built-in simulator, bag replay and the rclnodejs
 * node. Messages are plain objects with the .msg field names (src/msgs/rosMessages.ts), so the core never
 * knows which transport it runs on.
 */

/** The message shape for each ROS type name the bridge uses. */
export interface RosMessageMap {
  'sensor_msgs/msg/Image': ImageMsg;
  'sensor_msgs/msg/CompressedImage': CompressedImageMsg;
  'sensor_msgs/msg/JointState': JointStateMsg;
  'trajectory_msgs/msg/JointTrajectory': JointTrajectoryMsg;
  'std_msgs/msg/Float64MultiArray': Float64MultiArrayMsg;
  'geometry_msgs/msg/TwistStamped': TwistStampedMsg;
  'geometry_msgs/msg/PoseStamped': PoseStampedMsg;
  'std_msgs/msg/String': StringMsg;
  'std_msgs/msg/Bool': BoolMsg;
  'diagnostic_msgs/msg/DiagnosticArray': DiagnosticArrayMsg;
  'rosgraph_msgs/msg/Clock': ClockMsg;
}

/** The shape of messages of type `T`: known types are typed, others (e.g. vla_bridge/msg/SafetyEvent) are opaque. */
export type MessageOf<T extends string> = T extends keyof RosMessageMap ? RosMessageMap[T] : unknown;

/**
 * A hint mapped onto the transport's quality of service: `sensor_data` (best effort, shallow queue: cameras,
 * joint states) or `reliable` (commands, events). Transports without QoS ignore it.
 */
export type QosHint = 'sensor_data' | 'reliable';

export interface TopicOptions {
  qos?: QosHint;
}

/** Stops a subscription; calling it twice is harmless. */
export type Unsubscribe = () => void;

export interface Publisher<M = unknown> {
  readonly topic: string;
  readonly type: string;
  publish(msg: M): void;
}

export interface Transport {
  /** For logs: `sim`, `bag`, `ros`, `loopback`. */
  readonly name: string;
  /** The time base of this transport's messages (wall or ROS time live, bag time on replay, simulated time). */
  readonly clock: Clock;
  /**
   * While a subscriber callback runs: when the message being delivered was received, s on `clock` (its log
   * time on replay). Transports without it deliver at once: the receive time is `clock.nowS()`.
   */
  receivedAtS?(): number;
  /**
   * Calls `handler` for every message on `topic`. The type is the ROS type name (`sensor_msgs/msg/JointState`);
   * a topic carries one type, and asking for another is an error.
   */
  subscribe<T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void, options?: TopicOptions): Unsubscribe;
  createPublisher<T extends string>(topic: string, type: T, options?: TopicOptions): Publisher<MessageOf<T>>;
  /** Releases every subscription and publisher. */
  close(): Promise<void>;
}
