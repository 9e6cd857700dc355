import type { JointLimits } from '../../src/robot/JointLimits';

/**
 * An independent checker of DESIGN §5 invariants 1-4, 6 and 7 on a stream of joint position outputs. It is
 * written from the spec, not from the limiter: it shares no code with src/safety and knows only the documented
 * semantics:
 *
 * - the first output is the measured position (the seed); the velocity before it is the measured velocity,
 *   or 0 (at rest);
 * - a tick less than 1 ns after the last processed tick (dt <= 0 included) repeats the last output exactly and
 *   does not count: the next dt is measured from the last processed tick;
 * - a joint that starts outside its position range never moves farther out and, once inside, stays inside;
 * - while a stop is expected (e-stop latched, watchdog tripped), no joint speeds up, the arm comes to rest
 *   within the time its acceleration (and jerk) limits need, plus three ticks, and once at rest the output holds.
 *
 * Tolerances are for floating rounding only: 1e-12 (1 + |q|) on positions, and what that implies for
 * velocities (divided by dt) and accelerations.
 */
export class InvariantChecker {
  private readonly limits: readonly JointLimits[];
  private readonly n: number;
  private tLast = NaN;
  private dtLast = Infinity;
  private readonly qLast: Float64Array;
  private readonly vLast: Float64Array;
  private readonly outside: Float64Array;
  private stopStartS = NaN;
  private stopBoundS = 0;
  private atRest = false;
  private maxDtInStop = 0;
  ticks = 0;

  constructor(limits: readonly JointLimits[]) {
    this.limits = limits;
    this.n = limits.length;
    this.qLast = new Float64Array(this.n);
    this.vLast = new Float64Array(this.n);
    this.outside = new Float64Array(this.n);
  }

  /** The seed tick: the output must be the measured position itself. Returns a violation or undefined. */
  start(
    tS: number,
    measured: ArrayLike<number>,
    measuredVelocity: ArrayLike<number> | undefined,
    output: ArrayLike<number>,
  ): string | undefined {
    for (let j = 0; j < this.n; j++) {
      if (!Object.is(output[j], measured[j]))
        return `seed: joint ${this.limits[j]!.name} output ${output[j]} is not the measured ${measured[j]}`;
      this.qLast[j] = output[j]!;
      this.vLast[j] = measuredVelocity?.[j] ?? 0;
      this.outside[j] = excess(this.limits[j]!, output[j]!);
    }
    this.tLast = tS;
    this.dtLast = Infinity;
    this.ticks = 1;
    return undefined;
  }

  /**
   * One tick. `stopExpected`: an e-stop is latched or the watchdog is tripped at this tick. Returns a violation
   * description, or undefined.
   */
  check(tS: number, output: ArrayLike<number>, stopExpected: boolean): string | undefined {
    this.ticks++;
    const dt = tS - this.tLast;
    if (!(dt >= 1e-9)) {
      for (let j = 0; j < this.n; j++) {
        if (!Object.is(output[j], this.qLast[j]))
          return `t=${tS}: dt=${dt} must repeat the last output, joint ${this.limits[j]!.name} moved ${this.qLast[j]} -> ${output[j]}`;
      }
      return undefined;
    }
    const wasAtRest = this.atRest;
    let allStill = true;
    for (let j = 0; j < this.n; j++) {
      const l = this.limits[j]!;
      const q = output[j]!;
      const q0 = this.qLast[j]!;
      const tol = 1e-12 * (1 + Math.abs(q) + Math.abs(q0));
      const where = `t=${tS} dt=${dt} joint ${l.name}`;
      // 1. finite
      if (!Number.isFinite(q)) return `${where}: output ${q} is not finite`;
      // 2. position
      const out = excess(l, q);
      if (this.outside[j]! > 0) {
        if (out > this.outside[j]! + tol) return `${where}: started outside its range and moved farther out (${this.outside[j]} -> ${out})`;
        this.outside[j] = out;
      } else if (out > tol) {
        return `${where}: position ${q} outside [${l.minPosition}, ${l.maxPosition}] by ${out}`;
      }
      // 3. velocity
      const step = Math.abs(q - q0);
      if (step > l.maxVelocity * dt + tol)
        return `${where}: step ${step} exceeds v_max dt = ${l.maxVelocity * dt} (velocity ${step / dt} > ${l.maxVelocity})`;
      // 4. acceleration
      const v = (q - q0) / dt;
      const v0 = this.vLast[j]!;
      if (l.maxAcceleration !== Infinity) {
        const slack = (2 * tol) / dt + (this.dtLast === Infinity ? 0 : (2 * tol) / this.dtLast);
        const dv = Math.abs(v - v0);
        if (dv > l.maxAcceleration * dt + slack)
          return `${where}: velocity change ${v0} -> ${v} is ${dv / dt} rad/s^2 > a_max ${l.maxAcceleration}`;
      }
      // 6, 7. stops: never speed up; once at rest, hold.
      if (stopExpected) {
        const slack = (2 * tol) / dt + (this.dtLast === Infinity ? 0 : (2 * tol) / this.dtLast);
        if (Math.abs(v) > Math.abs(v0) + slack) return `${where}: sped up during a stop (${v0} -> ${v})`;
        if (wasAtRest && q !== q0) return `${where}: moved (${q0} -> ${q}) after coming to rest during a stop`;
      }
      if (q !== q0) allStill = false;
      this.qLast[j] = q;
      this.vLast[j] = v;
    }
    if (stopExpected) {
      if (Number.isNaN(this.stopStartS)) this.beginStop(tS - dt);
      this.maxDtInStop = Math.max(this.maxDtInStop, dt);
      this.atRest = allStill;
      const allowed = this.stopBoundS + 3 * this.maxDtInStop + 1e-9;
      if (!allStill && tS - this.stopStartS > allowed)
        return `t=${tS}: still moving ${tS - this.stopStartS} s after the stop began (allowed ${allowed} s)`;
    } else {
      this.stopStartS = NaN;
      this.atRest = false;
      this.maxDtInStop = 0;
    }
    this.tLast = tS;
    this.dtLast = dt;
    return undefined;
  }

  /**
   * A stop begins after the last processed tick: the time to rest is bounded by the slowest joint's v / a, plus
   * a / j to build the deceleration up where a jerk limit is set.
   */
  private beginStop(t0: number): void {
    this.stopStartS = t0;
    let bound = 0;
    for (let j = 0; j < this.n; j++) {
      const { maxAcceleration: a, maxJerk: jerk } = this.limits[j]!;
      if (a !== Infinity) bound = Math.max(bound, Math.abs(this.vLast[j]!) / a + (jerk === Infinity ? 0 : a / jerk));
    }
    this.stopBoundS = bound;
  }
}

/** How far q lies outside the joint's position range (0 inside). */
function excess(l: JointLimits, q: number): number {
  return q > l.maxPosition ? q - l.maxPosition : q < l.minPosition ? l.minPosition - q : 0;
}
