import type { SafetyEvent, SafetyLimit } from './SafetyEvent';
import type { StopConditions } from './StopConditions';

/** What the control loop tells the layer about the freshness of its inputs, every tick. */
export interface WatchdogInputs {
  /** now - stamp of the latest joint state, seconds. */
  jointStateAgeS: number;
  /** Per camera name: now - stamp of its latest frame, seconds (Infinity when none arrived yet). */
  cameraAgesS: Readonly<Record<string, number>>;
  /** The policy missed its deadline, or the action queue ran dry. */
  policyOverdue: boolean;
}

/** How old an input may be before the watchdog stops the arm. */
export interface WatchdogTimeouts {
  /** Joint states older than this are stale (embodiment `timeouts.joint_state_s`). */
  jointStateS: number;
  /** Per camera name (embodiment `topics.cameras[].timeout_s`). A listed camera missing from the inputs is stale. */
  cameraS: Readonly<Record<string, number>>;
  /** For a camera reported in the inputs but not listed in `cameraS`. */
  defaultCameraS: number;
}

/**
 * What happens when fresh data returns after a watchdog stop. `auto`: the arm moves again by itself. `manual`:
 * a stop that lasted longer than `graceS` stays latched, like the e-stop, until the layer is reset; a shorter
 * gap resumes by itself.
 */
export interface WatchdogResume {
  mode: 'auto' | 'manual';
  graceS: number;
}

export const DEFAULT_CAMERA_TIMEOUT_S = 0.5;
export const DEFAULT_WATCHDOG_RESUME: Readonly<WatchdogResume> = { mode: 'auto', graceS: 0.25 };

/** The watchdog's part of the layer's shared state: which stops wait for a reset, and which a reset released. */
export interface WatchdogLatches {
  /** Condition keys whose data is fresh again but which hold until reset (watchdog_resume: manual). */
  readonly latched: Set<string>;
  /** Keys released by a reset, cleared (with their events) at the next tick. */
  readonly released: Set<string>;
}

interface Condition {
  limit: SafetyLimit;
  target: string;
  sinceS: number;
}

/**
 * Turns the watchdog inputs into stop conditions: stale joint states, stale camera frames, an overdue policy.
 * An age that is not a number (NaN) counts as stale. Each condition begins and ends with an event; with
 * `watchdog_resume: manual` a long one ends only at a reset.
 */
export class Watchdog {
  private readonly timeouts: WatchdogTimeouts;
  private readonly resume: WatchdogResume;
  private readonly latches: WatchdogLatches;
  private readonly keys = new Map<string, string>();
  private readonly conditions = new Map<string, Condition>();

  constructor(
    timeouts: WatchdogTimeouts,
    resume: WatchdogResume = DEFAULT_WATCHDOG_RESUME,
    latches: WatchdogLatches = { latched: new Set(), released: new Set() },
  ) {
    this.timeouts = timeouts;
    this.resume = resume;
    this.latches = latches;
  }

  update(tS: number, inputs: WatchdogInputs, stops: StopConditions, events: SafetyEvent[]): void {
    this.releaseLatched(tS, stops, events);
    const t = this.timeouts;
    const jointAge = inputs.jointStateAgeS;
    this.set(
      tS,
      'joint_states',
      'watchdog_joint_state',
      'joint_states',
      isStale(jointAge, t.jointStateS),
      stops,
      events,
      () => `joint state is ${jointAge} s old (timeout ${t.jointStateS} s): stopping`,
    );
    for (const name in t.cameraS) this.camera(tS, name, inputs.cameraAgesS[name] ?? Infinity, t.cameraS[name]!, stops, events);
    for (const name in inputs.cameraAgesS) {
      if (!Object.hasOwn(t.cameraS, name)) this.camera(tS, name, inputs.cameraAgesS[name]!, t.defaultCameraS, stops, events);
    }
    this.set(
      tS,
      'policy',
      'watchdog_policy',
      'policy',
      inputs.policyOverdue,
      stops,
      events,
      () => 'the policy missed its deadline: stopping',
    );
  }

  private camera(tS: number, name: string, ageS: number, timeoutS: number, stops: StopConditions, events: SafetyEvent[]): void {
    let key = this.keys.get(name);
    if (key === undefined) this.keys.set(name, (key = `camera:${name}`));
    this.set(
      tS,
      key,
      'watchdog_camera',
      name,
      isStale(ageS, timeoutS),
      stops,
      events,
      () => `camera "${name}" frame is ${ageS} s old (timeout ${timeoutS} s): stopping`,
    );
  }

  private set(
    tS: number,
    key: string,
    limit: SafetyLimit,
    target: string,
    stale: boolean,
    stops: StopConditions,
    events: SafetyEvent[],
    message: () => string,
  ): void {
    if (stale) {
      // Stale again while latched: the condition is live again; its fresh return is judged anew.
      this.latches.latched.delete(key);
      if (!stops.changes(key, true)) return;
      stops.update(tS, key, limit, true, target, message(), events);
      this.conditions.set(key, { limit, target, sinceS: tS });
      return;
    }
    if (!stops.changes(key, false) || this.latches.latched.has(key)) return;
    const lastedS = tS - (this.conditions.get(key)?.sinceS ?? tS);
    if (this.resume.mode === 'manual' && lastedS > this.resume.graceS) {
      this.latches.latched.add(key);
      events.push({
        tS,
        limit,
        target,
        severity: 'info',
        condition: 'latched',
        message:
          `${target} fresh again after ${lastedS.toFixed(2)} s, longer than the ` +
          `${this.resume.graceS} s grace: holding until reset (watchdog_resume: manual)`,
      });
      return;
    }
    this.clear(tS, key, stops, events);
  }

  /** Clears the conditions a reset released (a key that went stale again since stays). */
  private releaseLatched(tS: number, stops: StopConditions, events: SafetyEvent[]): void {
    if (this.latches.released.size === 0) return;
    for (const key of this.latches.released) this.clear(tS, key, stops, events);
    this.latches.released.clear();
  }

  private clear(tS: number, key: string, stops: StopConditions, events: SafetyEvent[]): void {
    const c = this.conditions.get(key);
    if (c === undefined || !stops.has(key)) return;
    stops.update(tS, key, c.limit, false, c.target, '', events);
    this.conditions.delete(key);
  }
}

function isStale(ageS: number, timeoutS: number): boolean {
  return !(ageS <= timeoutS);
}
