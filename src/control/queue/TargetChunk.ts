/**
 * A policy's chunk after conversion into the space commands are made in: joint positions (the embodiment's
 * command joints) or tool poses (x y z, quaternion x y z w, then the gripper joint position if there is one).
 * Timestamped: waypoint i is the target for `startS + (i + 1) * stepDtS`, and the anchor (the state the chunk
 * was computed from) sits at `startS`, the observation's stamp.
 */
export interface TargetChunk {
  startS: number;
  stepDtS: number;
  horizon: number;
  /** Steps to execute before the next chunk should take over (receding horizon). */
  stepsToExecute: number;
  /** Values per waypoint. */
  width: number;
  /** The state at `startS`, `width` values. */
  anchor: Float64Array;
  /** horizon x width, row-major. */
  points: Float64Array;
}

export type TargetSpace = { kind: 'joint'; width: number } | { kind: 'pose'; width: number };

export function chunkEndS(chunk: TargetChunk): number {
  return chunk.startS + chunk.horizon * chunk.stepDtS;
}

export function executableEndS(chunk: TargetChunk): number {
  return chunk.startS + chunk.stepsToExecute * chunk.stepDtS;
}
