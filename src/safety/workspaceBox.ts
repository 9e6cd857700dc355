/** An axis-aligned box in the base link frame, metres (embodiment `safety.workspace`). */
export interface WorkspaceBox {
  readonly min: readonly [number, number, number];
  readonly max: readonly [number, number, number];
}

export const AXES = ['x', 'y', 'z'] as const;

/** How far a point is outside the box, summed over the axes (0 inside). */
export function outsideDistance(box: WorkspaceBox, x: number, y: number, z: number): number {
  return excess(box, 0, x) + excess(box, 1, y) + excess(box, 2, z);
}

/** How far `value` lies outside the box's range on `axis` (0 inside). */
export function excess(box: WorkspaceBox, axis: 0 | 1 | 2, value: number): number {
  const lo = box.min[axis];
  const hi = box.max[axis];
  return value > hi ? value - hi : value < lo ? lo - value : 0;
}

/** The axis (0, 1, 2) on which the point is farthest outside, or -1 inside. */
export function worstAxis(box: WorkspaceBox, x: number, y: number, z: number): -1 | 0 | 1 | 2 {
  const ex = excess(box, 0, x);
  const ey = excess(box, 1, y);
  const ez = excess(box, 2, z);
  if (ex === 0 && ey === 0 && ez === 0) return -1;
  return ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
}
