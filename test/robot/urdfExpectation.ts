/** The shape of one real URDF's expectations, and the constants they are written with. */

export type JointJson = Record<string, unknown>;

export interface Expected {
  name: string;
  /** All joints, fixed ones too (top-level `<joint ... type=...>` elements, not the ones inside `<transmission>`). */
  jointCount: number;
  /** The first joint names in file order. */
  firstJoints: string[];
  joints: JointJson[];
  /** Each must match a line on stderr; an empty list means stderr must be empty. */
  warnings: RegExp[];
  /** None may match any line on stderr. */
  notWarnings?: RegExp[];
}

export const PI = 3.141592653589793;
export const TWO_PI = 6.283185307179586;
export const mimicOf = (joint: string, multiplier: number, offset: number) => ({ joint, multiplier, offset });
