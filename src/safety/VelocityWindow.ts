import type { SafetyLimit } from './SafetyEvent';
import { brakingSpeedBound, jerkVelocityWindow } from './limitMath';

/** One joint's limits as plain numbers (unbounded = +/-Infinity). */
export interface JointBounds {
  minPosition: number;
  maxPosition: number;
  maxVelocity: number;
  maxAcceleration: number;
  maxJerk: number;
  /** Largest position change in one tick. */
  maxStep: number;
}

/**
 * The velocities the next output of one joint may take, and which limit sets each side. Limits are applied in
 * priority order; when a limit cannot be met together with the ones before it, the window collapses to the
 * point nearest to it and the earlier limits win:
 *
 * 1. acceleration (from the previous output's velocity), 2. velocity, 3. position with braking ahead of it
 * (these three are the hard tier: from any state the layer itself produced they are always compatible), then
 * 4. the maximum step per tick and 5. jerk (soft tier: kept whenever the hard tier allows).
 *
 * Outside the position range (a start outside the limits) the position limit becomes "no further out", so the
 * joint returns inside within the velocity and acceleration limits instead of jumping.
 */
export class VelocityWindow {
  lo = 0;
  hi = 0;
  loLimit: SafetyLimit = 'velocity';
  hiLimit: SafetyLimit = 'velocity';
  /** The window after the hard tier (what Cartesian scaling may use). */
  hardLo = 0;
  hardHi = 0;
  private readonly jerk = { lo: 0, hi: 0 };

  /**
   * Computes the window for a joint at position `q0` with velocity `v0` and acceleration `a0` (of the previous
   * output), for a tick of `dt` > 0 seconds.
   */
  compute(b: JointBounds, q0: number, v0: number, a0: number, dt: number): this {
    this.lo = v0 - b.maxAcceleration * dt;
    this.hi = v0 + b.maxAcceleration * dt;
    this.loLimit = 'acceleration';
    this.hiLimit = 'acceleration';
    this.narrow(-b.maxVelocity, b.maxVelocity, 'velocity', 'velocity');

    const up = b.maxPosition - q0;
    const down = q0 - b.minPosition;
    const upBound = brakingSpeedBound(up, b.maxAcceleration, dt);
    const downBound = brakingSpeedBound(down, b.maxAcceleration, dt);
    this.narrow(-downBound, upBound, positionLimit(down, b.maxAcceleration), positionLimit(up, b.maxAcceleration));
    this.hardLo = this.lo;
    this.hardHi = this.hi;

    if (b.maxStep !== Infinity) this.narrow(-b.maxStep / dt, b.maxStep / dt, 'max_step', 'max_step');
    if (b.maxJerk !== Infinity && b.maxAcceleration !== Infinity) {
      jerkVelocityWindow(v0, a0, b.maxJerk, dt, this.jerk);
      this.narrow(this.jerk.lo, this.jerk.hi, 'jerk', 'jerk');
    }
    return this;
  }

  /** Intersects with [lo, hi]; if that is empty, collapses to the current window's point nearest to it. */
  private narrow(lo: number, hi: number, loLimit: SafetyLimit, hiLimit: SafetyLimit): void {
    if (lo > this.hi) {
      this.lo = this.hi;
      this.loLimit = this.hiLimit;
      return;
    }
    if (hi < this.lo) {
      this.hi = this.lo;
      this.hiLimit = this.loLimit;
      return;
    }
    if (lo > this.lo) {
      this.lo = lo;
      this.loLimit = loLimit;
    }
    if (hi < this.hi) {
      this.hi = hi;
      this.hiLimit = hiLimit;
    }
  }
}

/** A bound set by braking ahead of a limit (acceleration-limited), or by the limit itself. */
function positionLimit(distance: number, maxAcc: number): SafetyLimit {
  return maxAcc === Infinity || !(distance > 0) ? 'position' : 'braking';
}
