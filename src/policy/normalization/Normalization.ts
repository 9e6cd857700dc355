/**
 * Normalization of actions (unnormalize on the way out) and of the state (normalize on the way in), as the
 * policy was trained. Pure functions over validated statistics; loadNormalization builds them from a manifest.
 *
 * - quantile (OpenVLA, openpi): n in [-1, 1] <-> [q01, q99] on masked dimensions; a = 0.5 (n + 1)(q99 - q01 + eps) + q01.
 * - gaussian (ACT, LeRobot, Octo): a = n (std + eps) + mean on masked dimensions.
 * Unmasked dimensions pass through unchanged (OpenVLA's gripper).
 */
export type Normalization =
  | { type: 'quantile'; dims: number; q01: Float64Array; q99: Float64Array; mask: readonly boolean[]; epsilon: number }
  | { type: 'gaussian'; dims: number; mean: Float64Array; std: Float64Array; mask: readonly boolean[]; epsilon: number }
  | { type: 'none'; dims: number };

/** Unnormalizes rows of `dims` values: `out[r * dims + d]` from `normalized[r * dims + d]`. */
export function unnormalize(
  norm: Normalization,
  normalized: ArrayLike<number>,
  out: Float64Array = new Float64Array(normalized.length),
): Float64Array {
  const dims = norm.dims;
  for (let i = 0; i < normalized.length; i++) {
    const n = normalized[i]!;
    const d = i % dims;
    if (norm.type === 'quantile' && norm.mask[d] === true) {
      // Written in DESIGN §6's order so that it matches numpy's evaluation bit for bit.
      out[i] = 0.5 * (n + 1) * (norm.q99[d]! - norm.q01[d]! + norm.epsilon) + norm.q01[d]!;
    } else if (norm.type === 'gaussian' && norm.mask[d] === true) {
      out[i] = n * (norm.std[d]! + norm.epsilon) + norm.mean[d]!;
    } else {
      out[i] = n;
    }
  }
  return out;
}

/** Normalizes one vector (the state) into `out`: the inverse of unnormalize. */
export function normalize(norm: Normalization, values: ArrayLike<number>, out: Float32Array | Float64Array): void {
  for (let d = 0; d < norm.dims; d++) {
    const x = values[d]!;
    if (norm.type === 'quantile' && norm.mask[d] === true) {
      out[d] = (2 * (x - norm.q01[d]!)) / (norm.q99[d]! - norm.q01[d]! + norm.epsilon) - 1;
    } else if (norm.type === 'gaussian' && norm.mask[d] === true) {
      out[d] = (x - norm.mean[d]!) / (norm.std[d]! + norm.epsilon);
    } else {
      out[d] = x;
    }
  }
}
