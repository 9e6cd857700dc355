import type { KinematicChain } from '../robot/KinematicChain';
import type { SafetyEvent } from './SafetyEvent';
import { roundingTolerance } from './limitMath';
import { rotationAngleBetween, translationBetween } from './toolMotion';
import { AXES, type WorkspaceBox, outsideDistance, worstAxis } from './workspaceBox';

/** Per joint (command order): the velocity window of this tick, and the window of its hard limits alone. */
export interface JointWindows {
  windowLo: Float64Array;
  windowHi: Float64Array;
  hardLo: Float64Array;
  hardHi: Float64Array;
}

export interface CartesianLimits {
  workspace?: WorkspaceBox;
  /** m/s; Infinity when unset. */
  maxLinearSpeedMPerS: number;
  /** rad/s; Infinity when unset. */
  maxAngularSpeedRadPerS: number;
}

const SEARCH_STEPS = 14;
/** When even the slowest step the joints allow breaks a Cartesian limit, a change smaller than this is not made. */
const INFEASIBLE_MIN_CHANGE = 1e-6;
const VIOLATES_LINEAR = 1;
const VIOLATES_ANGULAR = 2;
const VIOLATES_WORKSPACE = 4;

/**
 * Cartesian checks on joint commands, by forward kinematics: the tool link origin stays inside the workspace
 * box (braking ahead of its walls) and the tool's linear and angular speeds stay under their limits.
 *
 * A step that breaks them is scaled back: every chain joint's step is multiplied by max(s, f_j), with the one
 * largest s in [0, 1] that satisfies the limits, where the floor f_j is the least scale joint j's own velocity
 * window allows (a joint already braking at its acceleration limit cannot slow any further; the others can).
 * Floors come from the full windows (jerk and step included), else from the hard windows alone (position,
 * velocity, acceleration), so joint limits always win over Cartesian ones; a step that cannot be slowed enough
 * is reported with severity `error`. Braking ahead of a wall uses the stopping time of the slowest-stopping
 * joint and the current tool velocity (distance ~ v T / 2); a tool that starts outside the box may not move
 * further out.
 */
export class CartesianGuard {
  private readonly chain: KinematicChain;
  /** For chain joint i, its index in the command. */
  private readonly commandIndex: Int32Array;
  private readonly limits: CartesianLimits;
  /** Acceleration limit per command joint (for stopping times). */
  private readonly maxAcceleration: Float64Array;
  private readonly chainQ: Float64Array;
  /** Per chain joint: the least scale of its step (1 while the step is not being scaled). */
  private readonly floor: Float64Array;
  private readonly lastTool = new Float64Array(16);
  private readonly trialTool = new Float64Array(16);
  private readonly okTool = new Float64Array(16);
  /** True when `lastTool` holds the pose of the last output. */
  private hasLastTool = false;

  constructor(chain: KinematicChain, commandJointNames: readonly string[], maxAcceleration: ArrayLike<number>, limits: CartesianLimits) {
    this.chain = chain;
    this.limits = limits;
    this.commandIndex = Int32Array.from(chain.jointNames, (name) => commandJointNames.indexOf(name));
    const missing = chain.jointNames.filter((_, i) => this.commandIndex[i]! < 0);
    if (missing.length > 0) {
      throw new RangeError(`Cartesian limits need every chain joint in the command; missing: ${missing.join(', ')}`);
    }
    this.maxAcceleration = Float64Array.from(maxAcceleration);
    this.chainQ = new Float64Array(chain.dof);
    this.floor = new Float64Array(chain.dof);
  }

  get active(): boolean {
    return (
      this.limits.workspace !== undefined || this.limits.maxLinearSpeedMPerS !== Infinity || this.limits.maxAngularSpeedRadPerS !== Infinity
    );
  }

  /** Forgets the last tool pose (after a step the guard did not see): it is recomputed from the next start. */
  forget(): void {
    this.hasLastTool = false;
  }

  /**
   * Scales the step from `q0` to `candidate` (in place) so that the Cartesian limits hold, within the joints'
   * velocity windows. Returns the scale s applied (1: untouched) and pushes one event per limit.
   */
  limit(tS: number, dt: number, q0: Float64Array, candidate: Float64Array, windows: JointWindows, events: SafetyEvent[]): number {
    this.floor.fill(1);
    if (!this.hasLastTool) {
      this.forward(q0, 1, q0, this.lastTool, dt);
      this.hasLastTool = true;
    }
    const violated = this.check(q0, candidate, 1, dt);
    if (violated === 0) {
      this.lastTool.set(this.trialTool);
      return 1;
    }
    const requested = this.motion(this.trialTool, dt);
    this.setFloors(q0, candidate, windows.windowLo, windows.windowHi, dt);
    let feasible = this.check(q0, candidate, 0, dt) === 0;
    if (!feasible) {
      this.setFloors(q0, candidate, windows.hardLo, windows.hardHi, dt);
      feasible = this.check(q0, candidate, 0, dt) === 0;
    }
    let lo = 0;
    this.okTool.set(this.trialTool);
    if (!feasible && this.changeAt(q0, candidate, 0) <= INFEASIBLE_MIN_CHANGE) {
      // Unreachable within the joint limits, and slowing down as much as they allow would change nothing real.
      lo = 1;
      this.floor.fill(1);
      this.forward(q0, 1, candidate, this.okTool, dt);
    } else if (feasible) {
      let hi = 1;
      // Speeds scale about linearly with s: try there first.
      const guess =
        0.9999 * Math.min(this.limits.maxLinearSpeedMPerS / requested.linear, this.limits.maxAngularSpeedRadPerS / requested.angular);
      if (guess > lo && guess < hi) {
        if (this.check(q0, candidate, guess, dt) === 0) {
          lo = guess;
          this.okTool.set(this.trialTool);
          hi = Math.min(hi, guess * 1.0002);
        } else {
          hi = guess;
        }
      }
      for (let i = 0; i < SEARCH_STEPS && hi - lo > 1e-4 * hi; i++) {
        const mid = 0.5 * (lo + hi);
        if (this.check(q0, candidate, mid, dt) === 0) {
          lo = mid;
          this.okTool.set(this.trialTool);
        } else {
          hi = mid;
        }
      }
    }
    for (let i = 0; i < this.chain.dof; i++) {
      const j = this.commandIndex[i]!;
      candidate[j] = this.scaled(i, q0, candidate, lo);
    }
    this.lastTool.set(this.okTool);
    this.report(tS, violated, requested, this.motion(this.okTool, dt), feasible ? 'warn' : 'error', events);
    return lo;
  }

  /** Position of chain joint i at scale s: q0 + max(s, floor) step, the candidate itself at full scale. */
  private scaled(i: number, q0: Float64Array, candidate: Float64Array, s: number): number {
    const j = this.commandIndex[i]!;
    const f = s > this.floor[i]! ? s : this.floor[i]!;
    return f >= 1 ? candidate[j]! : q0[j]! + f * (candidate[j]! - q0[j]!);
  }

  /** Sets `trialTool` to the pose at scale s; returns the violated limits (VIOLATES_* bits), 0 when none. */
  private check(q0: Float64Array, candidate: Float64Array, s: number, dt: number): number {
    const stopS = this.forward(q0, s, candidate, this.trialTool, dt);
    const lim = this.limits;
    const slack = 1 + 1e-12;
    let violated = 0;
    if (translationBetween(this.lastTool, this.trialTool) > lim.maxLinearSpeedMPerS * dt * slack) violated |= VIOLATES_LINEAR;
    if (rotationAngleBetween(this.lastTool, this.trialTool) > lim.maxAngularSpeedRadPerS * dt * slack) violated |= VIOLATES_ANGULAR;
    const box = lim.workspace;
    if (box !== undefined) {
      const t = this.trialTool;
      const last = this.lastTool;
      const allowed = outsideDistance(box, last[3]!, last[7]!, last[11]!) + 1e-9;
      const ahead = (0.5 * stopS) / dt;
      const px = t[3]! + (t[3]! - last[3]!) * ahead;
      const py = t[7]! + (t[7]! - last[7]!) * ahead;
      const pz = t[11]! + (t[11]! - last[11]!) * ahead;
      if (outsideDistance(box, t[3]!, t[7]!, t[11]!) > allowed || outsideDistance(box, px, py, pz) > allowed)
        violated |= VIOLATES_WORKSPACE;
    }
    return violated;
  }

  /**
   * Floors from a set of windows: the least scale of each chain joint's step, judged in position (a step may
   * undercut its window by rounding, `roundingTolerance`): a joint that hardly moves may be scaled freely, and a
   * joint already at its window's bound (within rounding) not at all. So a step scaled once is not scaled again
   * by rounding noise.
   */
  private setFloors(q0: Float64Array, candidate: Float64Array, lo: Float64Array, hi: Float64Array, dt: number): void {
    for (let i = 0; i < this.chain.dof; i++) {
      const j = this.commandIndex[i]!;
      const step = candidate[j]! - q0[j]!;
      const tol = roundingTolerance(q0[j]!);
      // The least step the window allows in the step's direction (0 when the joint may stop).
      const least = step > 0 ? Math.max(0, lo[j]! * dt) : Math.min(0, hi[j]! * dt);
      this.floor[i] = Math.abs(step) <= tol || least === 0 ? 0 : Math.abs(step - least) <= tol ? 1 : Math.min(1, least / step);
    }
  }

  /** The largest position change any chain joint would see at scale s (how much the scaling matters). */
  private changeAt(q0: Float64Array, candidate: Float64Array, s: number): number {
    let change = 0;
    for (let i = 0; i < this.chain.dof; i++) {
      const j = this.commandIndex[i]!;
      change = Math.max(change, Math.abs(candidate[j]! - this.scaled(i, q0, candidate, s)));
    }
    return change;
  }

  /**
   * FK at scale s into `out`. Returns the trial's stopping time: the time the slowest-stopping chain joint needs
   * to brake from its velocity at its acceleration limit.
   */
  private forward(q0: Float64Array, s: number, candidate: Float64Array, out: Float64Array, dt: number): number {
    let stopS = 0;
    for (let i = 0; i < this.chain.dof; i++) {
      const j = this.commandIndex[i]!;
      const q = this.scaled(i, q0, candidate, s);
      this.chainQ[i] = q;
      const a = this.maxAcceleration[j]!;
      if (a !== Infinity) {
        const t = Math.abs(q - q0[j]!) / dt / a;
        if (t > stopS) stopS = t;
      }
    }
    this.chain.forwardKinematics(this.chainQ, out);
    return stopS;
  }

  private motion(tool: Float64Array, dt: number): ToolMotion {
    return {
      linear: translationBetween(this.lastTool, tool) / dt,
      angular: rotationAngleBetween(this.lastTool, tool) / dt,
      position: [tool[3]!, tool[7]!, tool[11]!],
    };
  }

  private report(
    tS: number,
    violated: number,
    requested: ToolMotion,
    applied: ToolMotion,
    severity: 'warn' | 'error',
    events: SafetyEvent[],
  ): void {
    if ((violated & VIOLATES_LINEAR) !== 0) {
      events.push({ tS, limit: 'ee_linear_speed', target: 'linear', requested: requested.linear, applied: applied.linear, severity });
    }
    if ((violated & VIOLATES_ANGULAR) !== 0) {
      events.push({ tS, limit: 'ee_angular_speed', target: 'angular', requested: requested.angular, applied: applied.angular, severity });
    }
    const box = this.limits.workspace;
    if ((violated & VIOLATES_WORKSPACE) !== 0 && box !== undefined) {
      const [x, y, z] = requested.position;
      const axis = Math.max(0, worstAxis(box, x, y, z)) as 0 | 1 | 2;
      events.push({
        tS,
        limit: 'workspace',
        target: AXES[axis],
        requested: requested.position[axis],
        applied: applied.position[axis],
        severity,
        message: 'tool origin (or its stopping point) outside the workspace box',
      });
    }
  }
}

interface ToolMotion {
  linear: number;
  angular: number;
  position: readonly [number, number, number];
}
