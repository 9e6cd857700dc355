import { z } from 'zod';

/**
 * The embodiment YAML: one file per robot. This schema is the single source of the config's types (`z.infer`).
 * Key names follow ROS conventions (ros2_control `joint_limits`: max_velocity, max_acceleration, max_jerk,
 * min_position, max_position). Every object is strict: a misspelled key is an error, not silently ignored.
 */

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const positive = finite.refine((v) => v > 0, { message: 'must be greater than 0' });
/** The fastest command rate an embodiment may ask for, Hz. */
export const MAX_COMMAND_HZ = 2000;
const nonNegative = finite.refine((v) => v >= 0, { message: 'must be 0 or greater' });
const vec3 = z.tuple([finite, finite, finite]);
const rosName = z
  .string()
  .min(1)
  .regex(/^[~/A-Za-z_][A-Za-z0-9_/~{}]*$/, { message: 'must be a ROS name (letters, digits, _ and /)' });

export const COMMAND_TYPES = [
  'trajectory_msgs/msg/JointTrajectory',
  'std_msgs/msg/Float64MultiArray',
  'sensor_msgs/msg/JointState',
  'geometry_msgs/msg/TwistStamped',
  'geometry_msgs/msg/PoseStamped',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

export const CONTROL_MODES = ['joint_position', 'joint_velocity', 'cartesian_twist', 'cartesian_pose'] as const;
export type ControlMode = (typeof CONTROL_MODES)[number];

/** Which command message types each control mode may publish. */
export const COMMAND_TYPES_BY_MODE: Readonly<Record<ControlMode, readonly CommandType[]>> = {
  joint_position: ['trajectory_msgs/msg/JointTrajectory', 'std_msgs/msg/Float64MultiArray', 'sensor_msgs/msg/JointState'],
  joint_velocity: ['std_msgs/msg/Float64MultiArray', 'sensor_msgs/msg/JointState'],
  cartesian_twist: ['geometry_msgs/msg/TwistStamped'],
  cartesian_pose: ['geometry_msgs/msg/PoseStamped'],
};

export const CameraConfigSchema = z.strictObject({
  /** The name the policy manifest uses for this camera (e.g. `primary`, `wrist`). */
  name: z.string().min(1),
  topic: rosName,
  /** sensor_msgs/msg/Image or sensor_msgs/msg/CompressedImage. */
  type: z.enum(['sensor_msgs/msg/Image', 'sensor_msgs/msg/CompressedImage']).default('sensor_msgs/msg/Image'),
  /** A frame older than this is stale (the watchdog stops the arm). */
  timeout_s: positive.default(0.5),
});
export type CameraConfig = z.infer<typeof CameraConfigSchema>;

export const JointLimitOverrideSchema = z.strictObject({
  min_position: finite.optional(),
  max_position: finite.optional(),
  max_velocity: positive.optional(),
  max_acceleration: positive.optional(),
  max_jerk: positive.optional(),
  /** Overrides the global margin for this joint (rad or m). */
  position_margin: nonNegative.optional(),
});
export type JointLimitOverride = z.infer<typeof JointLimitOverrideSchema>;

export const GripperConfigSchema = z.strictObject({
  /** The URDF joint that opens and closes the gripper (mimic fingers follow it). */
  joint: z.string().min(1),
  /** Joint position when fully open and fully closed. */
  open_position: finite,
  closed_position: finite,
  /**
   * How the policy's gripper dimension reads: `open_is_1` (Bridge/OpenVLA: 1 = open, 0 = closed) or
   * `close_is_1` (1 = closed). The value is clamped to [0, 1] and mapped linearly to a joint position.
   */
  action_convention: z.enum(['open_is_1', 'close_is_1']).default('open_is_1'),
  /** Publish the gripper on its own topic (Float64MultiArray with one position); else it joins the arm command. */
  command_topic: rosName.optional(),
});
export type GripperConfig = z.infer<typeof GripperConfigSchema>;

export const WorkspaceSchema = z
  .strictObject({
    /** Axis-aligned box in the base link frame, metres. */
    min: vec3,
    max: vec3,
  })
  .refine((w) => w.min.every((v, i) => v < w.max[i]!), { message: 'workspace.min must be below workspace.max on every axis' });

export const SafetyConfigSchema = z.strictObject({
  /** Kept away from the position limits of revolute joints, radians. */
  position_margin: nonNegative.default(0.0),
  /** Kept away from the position limits of prismatic joints, metres. */
  position_margin_m: nonNegative.default(0.0),
  /** Acceleration limit for joints without their own (rad/s^2 or m/s^2). */
  default_max_acceleration: positive.optional(),
  /** Per-joint limits; each value may only tighten what the URDF says. */
  joints: z.record(z.string(), JointLimitOverrideSchema).default({}),
  workspace: WorkspaceSchema.optional(),
  max_ee_linear_speed_m_per_s: positive.optional(),
  max_ee_angular_speed_rad_per_s: positive.optional(),
  /** How far a single tick may move a joint, whatever the velocity limit says (rad or m). */
  max_step_per_tick: positive.optional(),
});
export type SafetyConfig = z.infer<typeof SafetyConfigSchema>;

export const EmbodimentConfigSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { message: 'must be letters, digits and _ (it names the embodiment)' }),
  description: z.string().optional(),
  /** Path to the URDF, relative to this YAML file. */
  urdf: z.string().min(1),
  base_link: z.string().min(1),
  tool_link: z.string().min(1),
  /** The arm's joints in the embodiment's order: commands, states and actions use this order. */
  joints: z.array(z.string().min(1)).min(1),
  /** The joints the policy's joint actions drive, in the action's order (default: `joints`). */
  policy_joints: z.array(z.string().min(1)).min(1).optional(),
  gripper: GripperConfigSchema.optional(),
  topics: z.strictObject({
    joint_states: rosName.default('/joint_states'),
    cameras: z.array(CameraConfigSchema).default([]),
  }),
  control: z.strictObject({
    mode: z.enum(CONTROL_MODES),
    command_topic: rosName,
    command_type: z.enum(COMMAND_TYPES),
    /** frame_id for Cartesian commands (default: base_link). */
    frame_id: z.string().optional(),
    /** JointTrajectory: time_from_start of the single point, in seconds (default: one command period). */
    trajectory_time_from_start_s: positive.optional(),
  }),
  rates: z
    .strictObject({
      /** Up to 2 kHz (libfranka's 1 kHz with room): a higher rate cannot be served and would stall the loop. */
      command_hz: positive.refine((v) => v <= MAX_COMMAND_HZ, { message: `must be at most ${MAX_COMMAND_HZ} Hz` }).default(100),
      policy_hz: positive.default(10),
    })
    .refine((r) => r.policy_hz <= r.command_hz, {
      message: 'policy_hz must not exceed command_hz (each chunk is executed at the command rate)',
      path: ['policy_hz'],
    })
    .default({ command_hz: 100, policy_hz: 10 }),
  timeouts: z
    .strictObject({
      joint_state_s: positive.refine((v) => v <= 60, { message: 'must be at most 60 s' }).default(0.1),
      policy_deadline_s: positive.refine((v) => v <= 60, { message: 'must be at most 60 s' }).default(1.0),
    })
    .default({ joint_state_s: 0.1, policy_deadline_s: 1.0 }),
  safety: SafetyConfigSchema.default({ position_margin: 0, position_margin_m: 0, joints: {} }),
});

export type EmbodimentConfig = z.infer<typeof EmbodimentConfigSchema>;
