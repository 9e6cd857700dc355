import type { SafetyEvent } from './SafetyEvent';
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

export const DEFAULT_CAMERA_TIMEOUT_S = 0.5;

/**
 * Turns the watchdog inputs into stop conditions: stale joint states, stale camera frames, an overdue policy.
 * An age that is not a number (NaN) counts as stale. Each condition begins and ends with an event.
 */
export class Watchdog {
  private readonly timeouts: WatchdogTimeouts;
  private readonly keys = new Map<string, string>();

  constructor(timeouts: WatchdogTimeouts) {
    this.timeouts = timeouts;
  }

  update(tS: number, inputs: WatchdogInputs, stops: StopConditions, events: SafetyEvent[]): void {
    const t = this.timeouts;
    const jointAge = inputs.jointStateAgeS;
    const jointStale = isStale(jointAge, t.jointStateS);
    if (stops.changes('joint_states', jointStale)) {
      stops.update(tS, 'joint_states', 'watchdog_joint_state', jointStale, 'joint_states', `joint state is ${jointAge} s old (timeout ${t.jointStateS} s): stopping`, events);
    }
    for (const name in t.cameraS) this.camera(tS, name, inputs.cameraAgesS[name] ?? Infinity, t.cameraS[name]!, stops, events);
    for (const name in inputs.cameraAgesS) {
      if (!Object.hasOwn(t.cameraS, name)) this.camera(tS, name, inputs.cameraAgesS[name]!, t.defaultCameraS, stops, events);
    }
    if (stops.changes('policy', inputs.policyOverdue)) {
      stops.update(tS, 'policy', 'watchdog_policy', inputs.policyOverdue, 'policy', 'the policy missed its deadline: stopping', events);
    }
  }

  private camera(tS: number, name: string, ageS: number, timeoutS: number, stops: StopConditions, events: SafetyEvent[]): void {
    let key = this.keys.get(name);
    if (key === undefined) this.keys.set(name, (key = `camera:${name}`));
    const stale = isStale(ageS, timeoutS);
    if (stops.changes(key, stale)) {
      stops.update(tS, key, 'watchdog_camera', stale, name, `camera "${name}" frame is ${ageS} s old (timeout ${timeoutS} s): stopping`, events);
    }
  }
}

function isStale(ageS: number, timeoutS: number): boolean {
  return !(ageS <= timeoutS);
}
