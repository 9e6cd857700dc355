import type { JointLimits } from '../robot/JointLimits';
import type { JointWindows } from './CartesianGuard';
import type { SafetyEvent } from './SafetyEvent';
import { type JointBounds, VelocityWindow } from './VelocityWindow';
import { approachSpeed, clamp, jerkStopSpeed, roundingTolerance } from './limitMath';

/** `track`: follow the proposal within the limits. `stop`: decelerate within the limits to rest, then hold. */
export type JointTickMode = 'track' | 'stop';

/**
 * Joint-space limiting for joint position commands: the state of the last output (position, velocity,
 * acceleration per joint) and one tick of limiting. Each tick writes a candidate into `candidate`; the caller
 * may scale it (Cartesian limits) and then `commit`s the final output, which becomes the next tick's start.
 *
 * Following a proposal: when the proposal is inside the velocity window and the layer is not catching up from
 * an earlier intervention, the proposal value itself is the output (bit for bit). Otherwise the joint moves
 * towards the proposal (clamped into the position range) at the velocity of the proposal stream plus a
 * discrete time-optimal approach speed for the remaining gap, clamped into the window, so that a static target
 * is reached without overshoot and a moving one is caught up with.
 */
export class JointLimiter {
  readonly jointNames: readonly string[];
  readonly size: number;
  readonly bounds: readonly JointBounds[];
  /** Last output: positions, velocities ((q_k - q_{k-1}) / dt_k), accelerations. */
  readonly position: Float64Array;
  readonly velocity: Float64Array;
  readonly acceleration: Float64Array;
  /** Candidate output of the current tick. */
  readonly candidate: Float64Array;
  /** Velocity windows of the current tick, per joint: all limits, and the hard tier alone. */
  readonly windows: JointWindows;
  private readonly lastTarget: Float64Array;
  private hasLastTarget = false;
  private readonly window = new VelocityWindow();

  constructor(limits: readonly JointLimits[], maxStepPerTick = Infinity) {
    this.jointNames = Object.freeze(limits.map((l) => l.name));
    this.size = limits.length;
    this.bounds = limits.map((l) => ({
      minPosition: l.minPosition,
      maxPosition: l.maxPosition,
      maxVelocity: l.maxVelocity,
      maxAcceleration: l.maxAcceleration,
      maxJerk: l.maxJerk,
      maxStep: maxStepPerTick,
    }));
    const n = this.size;
    this.position = new Float64Array(n);
    this.velocity = new Float64Array(n);
    this.acceleration = new Float64Array(n);
    this.candidate = new Float64Array(n);
    this.windows = {
      windowLo: new Float64Array(n),
      windowHi: new Float64Array(n),
      hardLo: new Float64Array(n),
      hardHi: new Float64Array(n),
    };
    this.lastTarget = new Float64Array(n);
  }

  /**
   * Starts from a measured state: the first output is the measured position itself; the arm is taken at rest
   * unless a velocity was measured (then that velocity, within the velocity limit).
   */
  seed(position: ArrayLike<number>, velocity: ArrayLike<number> | undefined): void {
    for (let j = 0; j < this.size; j++) {
      this.position[j] = position[j]!;
      const v = velocity?.[j] ?? 0;
      const vMax = this.bounds[j]!.maxVelocity;
      this.velocity[j] = Number.isFinite(v) ? clamp(v, -vMax, vMax) : 0;
      this.acceleration[j] = 0;
    }
    this.hasLastTarget = false;
  }

  /**
   * One tick of `dt` > 0 seconds. In `track` mode `proposal` must be finite. Writes `candidate` and `windows`
   * and pushes one event per joint whose output differs from its proposal. After a stop, the next proposal is
   * approached from the current state.
   */
  step(tS: number, dt: number, mode: JointTickMode, proposal: Float64Array | null, events: SafetyEvent[]): void {
    for (let j = 0; j < this.size; j++) {
      const b = this.bounds[j]!;
      const q0 = this.position[j]!;
      const w = this.window.compute(b, q0, this.velocity[j]!, this.acceleration[j]!, dt);
      this.windows.windowLo[j] = w.lo;
      this.windows.windowHi[j] = w.hi;
      this.windows.hardLo[j] = w.hardLo;
      this.windows.hardHi[j] = w.hardHi;
      if (mode === 'stop' || proposal === null) {
        const v = clamp(0, w.lo, w.hi);
        this.candidate[j] = v === 0 ? q0 : this.advance(b, q0, v, dt);
        continue;
      }
      const p = proposal[j]!;
      const target = clamp(p, b.minPosition, b.maxPosition);
      const tol = roundingTolerance(q0);
      // Catching up from an intervention shows as a gap between where the stream was and where we are.
      const previous = this.lastTarget[j]!;
      const gapBefore = this.hasLastTarget ? previous - q0 : target - q0 - this.velocity[j]! * dt;
      this.lastTarget[j] = target;
      if (target === p && Math.abs(gapBefore) <= b.maxAcceleration * dt * dt + tol) {
        const vp = (p - q0) / dt;
        const tolV = tol / dt;
        if (vp >= w.lo - tolV && vp <= w.hi + tolV) {
          this.candidate[j] = p;
          continue;
        }
      }
      // The proposal stream's own velocity (feed-forward), or the current velocity for a first proposal.
      const streamV = clamp(this.hasLastTarget ? (target - previous) / dt : this.velocity[j]!, -b.maxVelocity, b.maxVelocity);
      const gap = target - q0 - streamV * dt;
      const closing = Math.min(
        approachSpeed(Math.abs(gap), b.maxAcceleration, dt),
        jerkStopSpeed(Math.abs(gap), b.maxAcceleration, b.maxJerk),
      );
      const wanted = streamV + (gap >= 0 ? closing : -closing);
      const v = clamp(wanted, w.lo, w.hi);
      let q = this.advance(b, q0, v, dt);
      if (target === p && Math.abs(q - p) <= tol) q = p;
      this.candidate[j] = q;
      if (q === p) continue;
      const limit =
        target !== p ? 'position' : v === w.hi && wanted > w.hi ? w.hiLimit : v === w.lo && wanted < w.lo ? w.loLimit : 'acceleration';
      events.push({ tS, limit, target: this.jointNames[j], requested: p, applied: q, severity: 'warn' });
    }
    this.hasLastTarget = mode === 'track' && proposal !== null;
  }

  /** Makes `output` (the candidate, possibly scaled) the last output: positions, velocities, accelerations. */
  commit(output: Float64Array, dt: number): void {
    for (let j = 0; j < this.size; j++) {
      const v = (output[j]! - this.position[j]!) / dt;
      this.acceleration[j] = (v - this.velocity[j]!) / dt;
      this.velocity[j] = v;
      this.position[j] = output[j]!;
    }
  }

  /** q0 + v dt, kept inside the position range when q0 was inside (rounding). */
  private advance(b: JointBounds, q0: number, v: number, dt: number): number {
    const q = q0 + v * dt;
    if (q0 >= b.minPosition && q0 <= b.maxPosition) return clamp(q, b.minPosition, b.maxPosition);
    return q;
  }
}
