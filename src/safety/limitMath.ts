/**
 * Pure limit math for one joint and one tick, in velocity space: every limit becomes a bound on the velocity
 * v_k = (q_k - q_{k-1}) / dt_k of the next output. No allocation, no state.
 */

/** Ticks closer than this to the last processed tick do not advance time: the layer repeats its last output. */
export const MIN_DT_S = 1e-9;

/**
 * The largest speed towards a position limit `distance` away (measured from the previous output) such that
 * after this tick the joint can still stop before the limit at `maxAcc`: v^2 <= 2 a (distance - v dt).
 *
 * The continuous bound is used, not the discrete one: whatever the future ticks' dt (even 1e-6 s), the distance
 * covered while braking at `maxAcc` is at most v^2 / (2 a), so the limit holds under any timing.
 * A negative distance (already beyond the limit) allows no motion further out: 0.
 */
export function brakingSpeedBound(distance: number, maxAcc: number, dt: number): number {
  if (!(distance > 0)) return 0;
  if (distance === Infinity) return Infinity;
  if (maxAcc === Infinity) return distance / dt;
  const x = maxAcc * dt;
  // -x + sqrt(x^2 + 2 a d), written without cancellation.
  const y = 2 * maxAcc * distance;
  return y / (x + Math.sqrt(x * x + y));
}

/**
 * Speed at which to close a gap `gap` (>= 0) this tick so that, slowing by at most `maxAcc * dt` per tick
 * afterwards, the gap closes exactly as the relative speed reaches zero: the discrete time-optimal approach.
 *
 * With s = a dt and v = (m + f) s (m whole, 0 <= f < 1), this tick and the fastest stop after it cover
 * s dt (m + 1) (m / 2 + f). The largest v whose distance fits in the gap is the answer; it is at most the
 * speed that closes the gap in this one tick.
 */
export function approachSpeed(gap: number, maxAcc: number, dt: number): number {
  if (!(gap > 0)) return 0;
  if (maxAcc === Infinity) return gap / dt;
  const step = maxAcc * dt;
  const u = gap / (step * dt);
  const m = Math.floor(Math.sqrt(0.25 + 2 * u) - 0.5);
  const f = clamp(u / (m + 1) - m / 2, 0, 1);
  const speed = (m + f) * step;
  const oneTick = gap / dt;
  return speed < oneTick ? speed : oneTick;
}

/**
 * The velocity window a jerk limit leaves, given the previous velocity and acceleration. The jerk limit bounds
 * how fast acceleration builds up or reverses; releasing acceleration towards zero is always allowed, so that
 * a stop or an arrival ends at rest instead of ringing. Writes [lo, hi] into `out`.
 */
export function jerkVelocityWindow(v0: number, a0: number, maxJerk: number, dt: number, out: { lo: number; hi: number }): void {
  let aLo = a0 - maxJerk * dt;
  let aHi = a0 + maxJerk * dt;
  if (a0 > 0 && aLo > 0) aLo = 0;
  if (a0 < 0 && aHi < 0) aHi = 0;
  out.lo = v0 + aLo * dt;
  out.hi = v0 + aHi * dt;
}

/** Clamps `x` into [lo, hi] (lo <= hi). */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Position tolerance for rounding, scaled with the magnitude: a few thousand ulps, far below any real limit. */
export function roundingTolerance(q: number): number {
  return 1e-13 * (1 + Math.abs(q));
}

/**
 * The largest speed from which a jerk-limited stop (acceleration ramping from 0 to -maxAcc at maxJerk and back)
 * still ends within `gap`: the stopping distance is v^2 / (2 a) + v a / (2 j), or v sqrt(v / j) when the
 * deceleration never reaches a (v < a^2 / j).
 */
export function jerkStopSpeed(gap: number, maxAcc: number, maxJerk: number): number {
  if (!(gap > 0)) return 0;
  if (maxJerk === Infinity) return Infinity;
  const a = maxAcc;
  const j = maxJerk;
  const vSwitch = (a * a) / j;
  // Distance from vSwitch: vSwitch sqrt(vSwitch / j).
  if (a !== Infinity && gap >= vSwitch * Math.sqrt(vSwitch / j)) {
    const k = (a * a) / (2 * j);
    return -k + Math.sqrt(k * k + 2 * a * gap);
  }
  return Math.cbrt(gap * gap * j);
}
