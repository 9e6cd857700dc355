/**
 * TypeScript shapes of the ROS 2 messages the bridge reads and writes: plain objects with the .msg field
 * names. rclnodejs (with typed arrays) and CDR-decoded bag messages both produce these shapes, so one
 * converter serves the live node and bag replay. Numeric arrays may arrive as typed arrays or plain arrays.
 */

export type NumberArray = Float64Array | Float32Array | readonly number[];
export type ByteArray = Uint8Array | readonly number[];

/** builtin_interfaces/msg/Time and Duration. */
export interface TimeMsg {
  sec: number;
  nanosec: number;
}
export type DurationMsg = TimeMsg;

/** std_msgs/msg/Header */
export interface HeaderMsg {
  stamp: TimeMsg;
  frame_id: string;
}

/** sensor_msgs/msg/Image */
export interface ImageMsg {
  header: HeaderMsg;
  height: number;
  width: number;
  encoding: string;
  is_bigendian: number | boolean;
  step: number;
  data: ByteArray;
}

/** sensor_msgs/msg/CompressedImage */
export interface CompressedImageMsg {
  header: HeaderMsg;
  format: string;
  data: ByteArray;
}

/** sensor_msgs/msg/JointState */
export interface JointStateMsg {
  header: HeaderMsg;
  name: readonly string[];
  position: NumberArray;
  velocity: NumberArray;
  effort: NumberArray;
}

/** trajectory_msgs/msg/JointTrajectoryPoint */
export interface JointTrajectoryPointMsg {
  positions: NumberArray;
  velocities: NumberArray;
  accelerations: NumberArray;
  effort: NumberArray;
  time_from_start: DurationMsg;
}

/** trajectory_msgs/msg/JointTrajectory */
export interface JointTrajectoryMsg {
  header: HeaderMsg;
  joint_names: readonly string[];
  points: readonly JointTrajectoryPointMsg[];
}

/** std_msgs/msg/MultiArrayDimension */
export interface MultiArrayDimensionMsg {
  label: string;
  size: number;
  stride: number;
}

/** std_msgs/msg/Float64MultiArray */
export interface Float64MultiArrayMsg {
  layout: { dim: readonly MultiArrayDimensionMsg[]; data_offset: number };
  data: NumberArray;
}

/** geometry_msgs/msg/Vector3 (and Point: same fields). */
export interface Vector3Msg {
  x: number;
  y: number;
  z: number;
}

/** geometry_msgs/msg/Quaternion */
export interface QuaternionMsg {
  x: number;
  y: number;
  z: number;
  w: number;
}

/** geometry_msgs/msg/TwistStamped */
export interface TwistStampedMsg {
  header: HeaderMsg;
  twist: { linear: Vector3Msg; angular: Vector3Msg };
}

/** geometry_msgs/msg/PoseStamped */
export interface PoseStampedMsg {
  header: HeaderMsg;
  pose: { position: Vector3Msg; orientation: QuaternionMsg };
}

/** std_msgs/msg/String */
export interface StringMsg {
  data: string;
}

/** std_msgs/msg/Bool */
export interface BoolMsg {
  data: boolean;
}

/** diagnostic_msgs/msg/KeyValue */
export interface KeyValueMsg {
  key: string;
  value: string;
}

/** diagnostic_msgs/msg/DiagnosticStatus (level: 0 OK, 1 WARN, 2 ERROR, 3 STALE). */
export interface DiagnosticStatusMsg {
  level: number;
  name: string;
  message: string;
  hardware_id: string;
  values: readonly KeyValueMsg[];
}

/** diagnostic_msgs/msg/DiagnosticArray */
export interface DiagnosticArrayMsg {
  header: HeaderMsg;
  status: readonly DiagnosticStatusMsg[];
}

/** rosgraph_msgs/msg/Clock */
export interface ClockMsg {
  clock: TimeMsg;
}

/** The ROS type names, as rosbag2 and rclnodejs spell them. */
export const ROS_TYPES = {
  image: 'sensor_msgs/msg/Image',
  compressedImage: 'sensor_msgs/msg/CompressedImage',
  jointState: 'sensor_msgs/msg/JointState',
  jointTrajectory: 'trajectory_msgs/msg/JointTrajectory',
  float64MultiArray: 'std_msgs/msg/Float64MultiArray',
  twistStamped: 'geometry_msgs/msg/TwistStamped',
  poseStamped: 'geometry_msgs/msg/PoseStamped',
  string: 'std_msgs/msg/String',
  bool: 'std_msgs/msg/Bool',
  diagnosticArray: 'diagnostic_msgs/msg/DiagnosticArray',
  clock: 'rosgraph_msgs/msg/Clock',
} as const;
