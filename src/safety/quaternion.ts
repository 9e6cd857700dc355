/** Unit quaternions (x, y, z, w) as 4-tuples. Pure helpers. */

export type Quaternion = readonly [number, number, number, number];

/** The unit quaternion along `q`, or undefined when `q` is not finite or has no length. */
export function normalizeQuaternion(q: Quaternion): Quaternion | undefined {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  if (!Number.isFinite(n) || n < 1e-9) return undefined;
  if (Math.abs(n - 1) <= 1e-12) return q;
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

/** Rotation angle between two unit quaternions, radians in [0, pi] (q and -q are the same rotation). */
export function quaternionAngle(a: Quaternion, b: Quaternion): number {
  // |a - b| and |a + b| give half the angle between the 4-vectors without acos's loss of precision near 1.
  const s = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3] < 0 ? -1 : 1;
  const diff = Math.hypot(a[0] - s * b[0], a[1] - s * b[1], a[2] - s * b[2], a[3] - s * b[3]);
  const sum = Math.hypot(a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2], a[3] + s * b[3]);
  return 4 * Math.atan2(diff, sum);
}

/** Spherical interpolation from `a` towards `b` by the fraction `f` in [0, 1] of the angle, the short way. */
export function slerp(a: Quaternion, b: Quaternion, f: number): Quaternion {
  let dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
  const sign = dot < 0 ? -1 : 1;
  dot *= sign;
  const theta = Math.acos(Math.min(1, dot));
  if (theta < 1e-9) return b;
  const wa = Math.sin((1 - f) * theta) / Math.sin(theta);
  const wb = (sign * Math.sin(f * theta)) / Math.sin(theta);
  const out: [number, number, number, number] = [
    wa * a[0] + wb * b[0],
    wa * a[1] + wb * b[1],
    wa * a[2] + wb * b[2],
    wa * a[3] + wb * b[3],
  ];
  return normalizeQuaternion(out) ?? b;
}
