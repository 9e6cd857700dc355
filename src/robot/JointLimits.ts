/**
 * The limits the safety layer enforces on one commanded joint, after layering: URDF `<limit>`, then a valid
 * `<safety_controller>`'s soft limits, then the embodiment YAML (which may only tighten), then the position
 * margin. Unbounded quantities are +/-Infinity, so limit math needs no special cases.
 */
export interface JointLimits {
  name: string;
  type: 'revolute' | 'continuous' | 'prismatic';
  /** rad or m; -Infinity for continuous joints. */
  minPosition: number;
  /** rad or m; +Infinity for continuous joints. */
  maxPosition: number;
  /** rad/s or m/s; always finite and > 0. */
  maxVelocity: number;
  /** rad/s^2 or m/s^2; Infinity when no acceleration limit is set. */
  maxAcceleration: number;
  /** rad/s^3 or m/s^3; Infinity when no jerk limit is set. */
  maxJerk: number;
}
