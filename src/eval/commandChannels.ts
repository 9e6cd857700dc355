import type { Embodiment } from '../config/Embodiment';
import { type CommandField, POSE_DIMENSIONS, TWIST_DIMENSIONS } from './recordedCommands';

/**
 * One command topic of an embodiment, as offline evaluation compares it: the topic its controller reads (the
 * bag holds what was really sent there; the replayed pipeline publishes its own), the dimensions it carries in
 * the embodiment's order, and whether positions or velocities are compared.
 */
export interface CommandChannel {
  topic: string;
  /** The type the embodiment publishes; the bag may hold another supported command type on the topic. */
  type: string;
  dimensions: readonly string[];
  field: CommandField;
  /** Unit of each dimension, for the report. */
  units: readonly string[];
}

function jointUnit(embodiment: Embodiment, joint: string, field: CommandField): string {
  const prismatic = embodiment.robot.joints.find((j) => j.name === joint)?.type === 'prismatic';
  const base = prismatic ? 'm' : 'rad';
  return field === 'velocity' ? `${base}/s` : base;
}

/**
 * The embodiment's command channels: `control.command_topic` (joints in the embodiment's order, or the twist
 * or pose axes), then `gripper.command_topic` when the gripper has a topic of its own.
 */
export function commandChannelsFor(embodiment: Embodiment): CommandChannel[] {
  const { control, gripper } = embodiment.config;
  const separateGripper = gripper?.command_topic !== undefined;
  const field: CommandField = control.mode === 'joint_velocity' ? 'velocity' : 'position';
  let arm: CommandChannel;
  if (control.mode === 'cartesian_twist') {
    arm = {
      topic: control.command_topic,
      type: control.command_type,
      dimensions: TWIST_DIMENSIONS,
      field: 'position',
      units: ['m/s', 'm/s', 'm/s', 'rad/s', 'rad/s', 'rad/s'],
    };
  } else if (control.mode === 'cartesian_pose') {
    arm = {
      topic: control.command_topic,
      type: control.command_type,
      dimensions: POSE_DIMENSIONS,
      field: 'position',
      units: ['m', 'm', 'm', '', '', '', ''],
    };
  } else {
    const joints = embodiment.commandJointNames.filter((n) => !(separateGripper && n === gripper!.joint));
    arm = {
      topic: control.command_topic,
      type: control.command_type,
      dimensions: joints,
      field,
      units: joints.map((j) => jointUnit(embodiment, j, field)),
    };
  }
  if (!separateGripper) return [arm];
  const grip: CommandChannel = {
    topic: gripper!.command_topic!,
    type: 'std_msgs/msg/Float64MultiArray',
    dimensions: [gripper!.joint],
    field: 'position',
    units: [jointUnit(embodiment, gripper!.joint, 'position')],
  };
  return [arm, grip];
}
