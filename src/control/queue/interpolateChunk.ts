import type { TargetChunk } from './TargetChunk';

export type Interpolation = 'linear' | 'cubic';

/**
 * The chunk's trajectory at time `tS`: the anchor before the first waypoint's segment, the last waypoint after
 * the end, and in between linear or cubic (Catmull-Rom, ends clamped: passes through every waypoint with a
 * continuous velocity) interpolation. Writes `out` (width values).
 */
export function interpolateChunk(chunk: TargetChunk, tS: number, interpolation: Interpolation, out: Float64Array): Float64Array {
  const { width, horizon } = chunk;
  const u = (tS - chunk.startS) / chunk.stepDtS;
  if (!(u > 0)) {
    out.set(chunk.anchor);
    return out;
  }
  if (u >= horizon) {
    out.set(chunk.points.subarray((horizon - 1) * width, horizon * width));
    return out;
  }
  // Knot k: 0 is the anchor, k >= 1 is points[k - 1].
  const k = Math.floor(u);
  const f = u - k;
  const knot = (i: number, j: number): number => {
    const c = Math.max(0, Math.min(horizon, i));
    return c === 0 ? chunk.anchor[j]! : chunk.points[(c - 1) * width + j]!;
  };
  if (interpolation === 'linear') {
    for (let j = 0; j < width; j++) out[j] = knot(k, j) + (knot(k + 1, j) - knot(k, j)) * f;
    return out;
  }
  const f2 = f * f;
  const f3 = f2 * f;
  for (let j = 0; j < width; j++) {
    const p0 = knot(k - 1, j);
    const p1 = knot(k, j);
    const p2 = knot(k + 1, j);
    const p3 = knot(k + 2, j);
    out[j] = 0.5 * (2 * p1 + (-p0 + p2) * f + (2 * p0 - 5 * p1 + 4 * p2 - p3) * f2 + (-p0 + 3 * p1 - 3 * p2 + p3) * f3);
  }
  return out;
}
