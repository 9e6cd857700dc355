/**
 * The typed robot parsed from a URDF. Plain data: no methods, no rclnodejs, no file access.
 * Units follow URDF: metres, radians, seconds, newtons (or N·m).
 */

export type Vec3 = readonly [number, number, number];

export type JointType = 'revolute' | 'continuous' | 'prismatic' | 'fixed' | 'floating' | 'planar';

/** `<limit>`: absent attributes stay undefined (a continuous joint has no position limits). */
export interface UrdfLimit {
  lower?: number;
  upper?: number;
  /** rad/s or m/s. 0 or undefined is unusable for motion and must be given by the embodiment YAML. */
  velocity?: number;
  effort?: number;
  /**
   * Non-standard `acceleration` (rad/s^2 or m/s^2) and `jerk` (rad/s^3 or m/s^3) attributes some URDFs carry
   * (the Google Robot's): the robot's own description, applied wherever they are tighter than the embodiment's.
   */
  acceleration?: number;
  jerk?: number;
}

/** `<safety_controller>`: the soft limits are kept only when the element was valid (see RobotModel.warnings). */
export interface UrdfSafetyController {
  softLowerLimit?: number;
  softUpperLimit?: number;
  kPosition?: number;
  kVelocity?: number;
}

export interface UrdfMimic {
  joint: string;
  multiplier: number;
  offset: number;
}

export interface Origin {
  xyz: Vec3;
  /** roll, pitch, yaw about fixed X, Y, Z (URDF convention: R = Rz(yaw) Ry(pitch) Rx(roll)). */
  rpy: Vec3;
}

export interface Joint {
  name: string;
  type: JointType;
  parent: string;
  child: string;
  origin: Origin;
  /** Unit axis in the joint frame (URDF default 1 0 0). */
  axis: Vec3;
  limit?: UrdfLimit;
  safetyController?: UrdfSafetyController;
  mimic?: UrdfMimic;
}

export interface Link {
  name: string;
}

export interface UrdfWarning {
  /** Joint or link concerned, if any. */
  element?: string;
  message: string;
}

export interface RobotModel {
  name: string;
  /** The file the model came from (for messages). */
  sourceFile?: string;
  links: readonly Link[];
  /** In file order. Never rely on this order for anything but display: map joints by name. */
  joints: readonly Joint[];
  jointByName: ReadonlyMap<string, Joint>;
  linkByName: ReadonlyMap<string, Link>;
  /** The one link that is nobody's child. */
  rootLink: string;
  /** What was not standard but could be read (non-standard attributes, malformed safety controllers, "inf"). */
  warnings: readonly UrdfWarning[];
}

/** Joints that move (have a degree of freedom) and are not mimics of another joint. */
export function isActuated(joint: Joint): boolean {
  return (joint.type === 'revolute' || joint.type === 'continuous' || joint.type === 'prismatic') && joint.mimic === undefined;
}
