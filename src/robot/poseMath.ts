import { quaternionFromRigid, rigidFromOrigin } from './rigid';

/**
 * Poses as 7 numbers: position x y z (m) then orientation quaternion x y z w. Small pure helpers over
 * row-major 4x4 rigid transforms (src/robot/rigid.ts).
 */
export const POSE_WIDTH = 7;

/** Writes the pose of rigid transform `t` into `out[offset .. offset + 7]`. */
export function poseFromRigid(t: Float64Array, out: Float64Array, offset = 0): Float64Array {
  const [x, y, z, w] = quaternionFromRigid(t);
  out[offset] = t[3]!;
  out[offset + 1] = t[7]!;
  out[offset + 2] = t[11]!;
  out[offset + 3] = x;
  out[offset + 4] = y;
  out[offset + 5] = z;
  out[offset + 6] = w;
  return out;
}

/** Rigid transform of the pose at `pose[offset .. offset + 7]` (the quaternion need not be normalized). */
export function rigidFromPose(pose: ArrayLike<number>, out: Float64Array, offset = 0): Float64Array {
  let x = pose[offset + 3]!;
  let y = pose[offset + 4]!;
  let z = pose[offset + 5]!;
  let w = pose[offset + 6]!;
  const n = Math.hypot(x, y, z, w) || 1;
  x /= n;
  y /= n;
  z /= n;
  w /= n;
  out[0] = 1 - 2 * (y * y + z * z);
  out[1] = 2 * (x * y - z * w);
  out[2] = 2 * (x * z + y * w);
  out[3] = pose[offset]!;
  out[4] = 2 * (x * y + z * w);
  out[5] = 1 - 2 * (x * x + z * z);
  out[6] = 2 * (y * z - x * w);
  out[7] = pose[offset + 1]!;
  out[8] = 2 * (x * z - y * w);
  out[9] = 2 * (y * z + x * w);
  out[10] = 1 - 2 * (x * x + y * y);
  out[11] = pose[offset + 2]!;
  out[12] = 0;
  out[13] = 0;
  out[14] = 0;
  out[15] = 1;
  return out;
}

/** Rigid transform from xyz (m) and URDF roll, pitch, yaw (rad). */
export function rigidFromXyzRpy(
  xyz: readonly [number, number, number],
  rpy: readonly [number, number, number],
  out: Float64Array,
): Float64Array {
  return rigidFromOrigin({ xyz, rpy }, out);
}

/**
 * Rotation vector (axis * angle, rad) of R_target * R_current^T: the rotation, in the base frame, that takes
 * the current orientation to the target. Writes out[offset .. offset + 3].
 */
export function rotationError(target: Float64Array, current: Float64Array, out: Float64Array, offset = 0): Float64Array {
  // E = Rt * Rc^T (3x3 of the row-major 4x4s).
  const e = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      e[4 * r + c] = target[4 * r]! * current[4 * c]! + target[4 * r + 1]! * current[4 * c + 1]! + target[4 * r + 2]! * current[4 * c + 2]!;
    }
  }
  e[15] = 1;
  let [x, y, z, w] = quaternionFromRigid(e);
  if (w < 0) {
    x = -x;
    y = -y;
    z = -z;
    w = -w;
  }
  const s = Math.hypot(x, y, z);
  const angle = 2 * Math.atan2(s, w);
  const k = s < 1e-12 ? 2 : angle / s;
  out[offset] = x * k;
  out[offset + 1] = y * k;
  out[offset + 2] = z * k;
  return out;
}

/** Flips the quaternion at `q[offset + 3 .. offset + 7]` into the hemisphere of `reference`'s, so blends take the short way. */
export function alignQuaternion(pose: Float64Array, offset: number, reference: ArrayLike<number>, refOffset: number): void {
  let dot = 0;
  for (let i = 3; i < 7; i++) dot += pose[offset + i]! * reference[refOffset + i]!;
  if (dot < 0) for (let i = 3; i < 7; i++) pose[offset + i] = -pose[offset + i]!;
}

/** Normalizes the quaternion part of the pose at `offset` in place. */
export function normalizeQuaternion(pose: Float64Array, offset = 0): void {
  const n = Math.hypot(pose[offset + 3]!, pose[offset + 4]!, pose[offset + 5]!, pose[offset + 6]!);
  if (n > 0) for (let i = 3; i < 7; i++) pose[offset + i] = pose[offset + i]! / n;
}
