/**
 * Motion of the tool between two poses (row-major 4x4 rigid transforms): how far it moved and by what angle it
 * turned. Pure helpers, no allocation.
 */

/** Distance between the origins of two transforms, metres. */
export function translationBetween(a: Float64Array, b: Float64Array): number {
  return Math.hypot(b[3]! - a[3]!, b[7]! - a[7]!, b[11]! - a[11]!);
}

/** Angle of the rotation taking `a`'s orientation to `b`'s (of R_a^T R_b), radians in [0, pi]. */
export function rotationAngleBetween(a: Float64Array, b: Float64Array): number {
  const trace = relative(a, b, 0, 0) + relative(a, b, 1, 1) + relative(a, b, 2, 2);
  const wx = relative(a, b, 2, 1) - relative(a, b, 1, 2);
  const wy = relative(a, b, 0, 2) - relative(a, b, 2, 0);
  const wz = relative(a, b, 1, 0) - relative(a, b, 0, 1);
  // |w| = 2 sin(theta), trace - 1 = 2 cos(theta): atan2 is accurate at small angles, unlike acos.
  return Math.atan2(Math.hypot(wx, wy, wz), trace - 1);
}

/** Entry (i, j) of R_a^T R_b: sum over k of A_ki B_kj (rotation blocks at 4 r + c). */
function relative(a: Float64Array, b: Float64Array, i: number, j: number): number {
  return a[i]! * b[j]! + a[4 + i]! * b[4 + j]! + a[8 + i]! * b[8 + j]!;
}
