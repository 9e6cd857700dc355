import type { Origin } from './RobotModel';

/**
 * Rigid transforms as row-major 4x4 Float64Array(16): element (r, c) at 4r + c. Pure helpers that write into
 * the array they are given.
 */

export function setIdentity(out: Float64Array): Float64Array {
  out.fill(0);
  out[0] = 1;
  out[5] = 1;
  out[10] = 1;
  out[15] = 1;
  return out;
}

/** R = Rz(yaw) Ry(pitch) Rx(roll), translation xyz (URDF `<origin>`). */
export function rigidFromOrigin(origin: Origin, out: Float64Array): Float64Array {
  const [roll, pitch, yaw] = origin.rpy;
  const cr = Math.cos(roll);
  const sr = Math.sin(roll);
  const cp = Math.cos(pitch);
  const sp = Math.sin(pitch);
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  out[0] = cy * cp;
  out[1] = cy * sp * sr - sy * cr;
  out[2] = cy * sp * cr + sy * sr;
  out[3] = origin.xyz[0];
  out[4] = sy * cp;
  out[5] = sy * sp * sr + cy * cr;
  out[6] = sy * sp * cr - cy * sr;
  out[7] = origin.xyz[1];
  out[8] = -sp;
  out[9] = cp * sr;
  out[10] = cp * cr;
  out[11] = origin.xyz[2];
  out[12] = 0;
  out[13] = 0;
  out[14] = 0;
  out[15] = 1;
  return out;
}

/**
 * out = a * b for rigid transforms, where b is read from `b[bOffset .. bOffset + 16]` (so one array can hold
 * many transforms). `out` must not alias `a` or `b`.
 */
export function composeRigid(a: Float64Array, b: Float64Array, out: Float64Array, bOffset = 0): Float64Array {
  const o = bOffset;
  for (let r = 0; r < 3; r++) {
    const a0 = a[4 * r]!;
    const a1 = a[4 * r + 1]!;
    const a2 = a[4 * r + 2]!;
    const a3 = a[4 * r + 3]!;
    out[4 * r] = a0 * b[o]! + a1 * b[o + 4]! + a2 * b[o + 8]!;
    out[4 * r + 1] = a0 * b[o + 1]! + a1 * b[o + 5]! + a2 * b[o + 9]!;
    out[4 * r + 2] = a0 * b[o + 2]! + a1 * b[o + 6]! + a2 * b[o + 10]!;
    out[4 * r + 3] = a0 * b[o + 3]! + a1 * b[o + 7]! + a2 * b[o + 11]! + a3;
  }
  out[12] = 0;
  out[13] = 0;
  out[14] = 0;
  out[15] = 1;
  return out;
}

/** Roll, pitch, yaw (URDF convention) of the rotation part of `t`. */
export function rpyFromRigid(t: Float64Array): [number, number, number] {
  const pitch = Math.atan2(-t[8]!, Math.hypot(t[0]!, t[4]!));
  const roll = Math.atan2(t[9]!, t[10]!);
  const yaw = Math.atan2(t[4]!, t[0]!);
  return [roll, pitch, yaw];
}

/** Quaternion (x, y, z, w) of the rotation part of `t`. */
export function quaternionFromRigid(t: Float64Array): [number, number, number, number] {
  const m00 = t[0]!;
  const m11 = t[5]!;
  const m22 = t[10]!;
  const trace = m00 + m11 + m22;
  if (trace > 0) {
    const s = Math.sqrt(trace + 1) * 2;
    return [(t[9]! - t[6]!) / s, (t[2]! - t[8]!) / s, (t[4]! - t[1]!) / s, 0.25 * s];
  }
  if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    return [0.25 * s, (t[1]! + t[4]!) / s, (t[2]! + t[8]!) / s, (t[9]! - t[6]!) / s];
  }
  if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    return [(t[1]! + t[4]!) / s, 0.25 * s, (t[6]! + t[9]!) / s, (t[2]! - t[8]!) / s];
  }
  const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
  return [(t[2]! + t[8]!) / s, (t[6]! + t[9]!) / s, 0.25 * s, (t[4]! - t[1]!) / s];
}
