/**
 * Every intervention of the safety layer is one of these: which joint or axis, which limit, what was asked
 * and what was applied. They are counted, published (vla_bridge/msg/SafetyEvent, /diagnostics) and recorded.
 */

/**
 * Which limit acted. Beyond the joint and Cartesian limits: `max_step` (largest step per tick), `braking`
 * (slowing ahead of a position limit), `tracking` (the arm is not following its commands), `clock` (a tick
 * whose time does not advance: the last command is repeated), `stop` (a requested controlled stop, such as a
 * deactivation: the e-stop's ramp, reported with severity `info` because nothing went wrong).
 */
export const SAFETY_LIMITS = [
  'non_finite',
  'position',
  'velocity',
  'acceleration',
  'jerk',
  'max_step',
  'braking',
  'workspace',
  'ee_linear_speed',
  'ee_angular_speed',
  'estop',
  'stop',
  'watchdog_joint_state',
  'watchdog_camera',
  'watchdog_policy',
  'tracking',
  'clock',
] as const;
export type SafetyLimit = (typeof SAFETY_LIMITS)[number];

export type SafetySeverity = 'info' | 'warn' | 'error';

export interface SafetyEvent {
  /** Time of the tick, seconds. */
  tS: number;
  limit: SafetyLimit;
  /** Joint name, Cartesian axis (`x`, `y`, `z`, `linear`, `angular`) or topic, where one applies. */
  target?: string;
  /** What the proposal asked for (NaN when it was not a finite number). */
  requested?: number;
  /** What the layer let through. */
  applied?: number;
  severity: SafetySeverity;
  message?: string;
}
