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
  /**
   * Set on the events of stop conditions (e-stop, stop, watchdog, tracking, a non-finite measurement), which are
   * reported when the condition begins, when a manual watchdog resume latches it, and when it ends; never on
   * the events of limits that act tick by tick (position, velocity, ...).
   */
  condition?: 'begin' | 'latched' | 'end';
}

const LIMIT_WORDS: Readonly<Record<SafetyLimit, string>> = {
  non_finite: 'non-finite value',
  position: 'position limit',
  velocity: 'velocity limit',
  acceleration: 'acceleration limit',
  jerk: 'jerk limit',
  max_step: 'largest step per tick',
  braking: 'braking ahead of a position limit',
  workspace: 'workspace wall',
  ee_linear_speed: 'end-effector linear speed limit',
  ee_angular_speed: 'end-effector angular speed limit',
  estop: 'e-stop',
  stop: 'controlled stop',
  watchdog_joint_state: 'joint state watchdog',
  watchdog_camera: 'camera watchdog',
  watchdog_policy: 'policy watchdog',
  tracking: 'tracking error',
  clock: 'clock',
};

/** The limit in words, e.g. "position limit". */
export function limitInWords(limit: SafetyLimit): string {
  return LIMIT_WORDS[limit];
}

const num = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));

/** The event's message, or one made from its fields: "panda_joint4: position limit (asked 2.95, applied 2.8973)". */
export function describeSafetyEvent(event: SafetyEvent): string {
  if (event.message !== undefined && event.message !== '') return event.message;
  const who = event.target === undefined || event.target === '' ? '' : `${event.target}: `;
  const values =
    event.requested !== undefined && event.applied !== undefined ? ` (asked ${num(event.requested)}, applied ${num(event.applied)})` : '';
  return `${who}${LIMIT_WORDS[event.limit]}${values}`;
}

/**
 * The one counting rule for safety interventions (sim, demos, eval, the node and the benchmarks): an event of
 * severity `warn` or `error`, emitted on a tick of the control loop, is one intervention. `info` events (a
 * requested stop, a recovery) are reported and recorded but not counted. Limits that act tick by tick report one
 * event per joint (or axis) and tick, so a clamp lasting N ticks is N interventions; stop conditions report when
 * they begin, so a stop lasting N ticks is one. EpisodeStats (src/control) counts by this rule; eval counts the
 * events of the ticks at which the recording's commands were sent, and ends each replayed episode at its last
 * recorded command, so a simulator run and the eval of its recording agree exactly.
 */
export function isIntervention(event: SafetyEvent): boolean {
  return event.severity !== 'info';
}
