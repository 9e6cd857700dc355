import type { KinematicChain } from './KinematicChain';
import { rotationError } from './poseMath';

export interface DlsIkOptions {
  /** Damping lambda of (J J^T + lambda^2 I): trades accuracy for bounded steps near singularities. */
  damping?: number;
  /** Rows of orientation error are scaled by this (0: position only, the arm keeps whatever orientation). */
  orientationWeight?: number;
  maxIterations?: number;
  /** Stop when the position error is below this (m) and the orientation error below `toleranceRad`. */
  toleranceM?: number;
  toleranceRad?: number;
  /** Largest change of any joint per iteration (rad or m). */
  maxStepPerIteration?: number;
  /** Per chain joint, inclusive bounds the solution is kept in. */
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
}

export interface IkResult {
  /** Joint positions in chain order (a new array). */
  q: Float64Array;
  positionErrorM: number;
  orientationErrorRad: number;
  iterations: number;
  converged: boolean;
}

/**
 * Damped-least-squares inverse kinematics: dq = J^T (J J^T + lambda^2 I)^-1 e, iterated from a seed (the
 * current or previous joint positions, so successive targets give continuous solutions). Joint bounds are
 * enforced by clamping after every step.
 */
export class DlsIkSolver {
  private readonly chain: KinematicChain;
  private readonly damping: number;
  private readonly orientationWeight: number;
  private readonly maxIterations: number;
  private readonly toleranceM: number;
  private readonly toleranceRad: number;
  private readonly maxStep: number;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  private readonly fk = new Float64Array(16);
  private readonly jac: Float64Array;
  private readonly err = new Float64Array(6);
  private readonly a = new Float64Array(36);
  private readonly y = new Float64Array(6);

  constructor(chain: KinematicChain, options: DlsIkOptions = {}) {
    this.chain = chain;
    this.damping = options.damping ?? 0.05;
    this.orientationWeight = options.orientationWeight ?? 0.5;
    this.maxIterations = options.maxIterations ?? 50;
    this.toleranceM = options.toleranceM ?? 1e-4;
    this.toleranceRad = options.toleranceRad ?? 1e-3;
    this.maxStep = options.maxStepPerIteration ?? 0.2;
    const n = chain.dof;
    this.lower = Float64Array.from({ length: n }, (_, i) => options.lower?.[i] ?? -Infinity);
    this.upper = Float64Array.from({ length: n }, (_, i) => options.upper?.[i] ?? Infinity);
    this.jac = new Float64Array(6 * n);
  }

  /** Solves for the tool pose `target` (row-major 4x4) starting from `seed` (chain order). */
  solve(target: Float64Array, seed: ArrayLike<number>): IkResult {
    const n = this.chain.dof;
    const q = Float64Array.from({ length: n }, (_, i) => Math.min(this.upper[i]!, Math.max(this.lower[i]!, seed[i]!)));
    const w = this.orientationWeight;
    let posErr = Infinity;
    let rotErr = Infinity;
    let it = 0;
    for (; ; it++) {
      this.error(target, q);
      posErr = Math.hypot(this.err[0]!, this.err[1]!, this.err[2]!);
      rotErr = Math.hypot(this.err[3]!, this.err[4]!, this.err[5]!);
      const done = posErr <= this.toleranceM && (w === 0 || rotErr <= this.toleranceRad);
      if (done || it >= this.maxIterations) break;
      this.chain.jacobian(q, this.jac);
      for (let r = 3; r < 6; r++) {
        this.err[r] = this.err[r]! * w;
        for (let c = 0; c < n; c++) this.jac[r * n + c] = this.jac[r * n + c]! * w;
      }
      // A = J J^T + lambda^2 I (6x6), solve A y = e.
      const lambda2 = this.damping * this.damping;
      for (let r = 0; r < 6; r++) {
        for (let c = 0; c <= r; c++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += this.jac[r * n + k]! * this.jac[c * n + k]!;
          if (r === c) s += lambda2;
          this.a[r * 6 + c] = s;
          this.a[c * 6 + r] = s;
        }
      }
      solveSpd6(this.a, this.err, this.y);
      let largest = 0;
      const dq = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let r = 0; r < 6; r++) s += this.jac[r * n + k]! * this.y[r]!;
        dq[k] = s;
        largest = Math.max(largest, Math.abs(s));
      }
      const scale = largest > this.maxStep ? this.maxStep / largest : 1;
      for (let k = 0; k < n; k++) q[k] = Math.min(this.upper[k]!, Math.max(this.lower[k]!, q[k]! + dq[k]! * scale));
    }
    return {
      q,
      positionErrorM: posErr,
      orientationErrorRad: rotErr,
      iterations: it,
      converged: posErr <= this.toleranceM && (w === 0 || rotErr <= this.toleranceRad),
    };
  }

  /** err = (target position - tool position, rotation error vector) for joint positions q. */
  private error(target: Float64Array, q: Float64Array): void {
    const t = this.chain.forwardKinematics(q, this.fk);
    this.err[0] = target[3]! - t[3]!;
    this.err[1] = target[7]! - t[7]!;
    this.err[2] = target[11]! - t[11]!;
    rotationError(target, t, this.err, 3);
  }
}

/** Solves A x = b for a symmetric positive definite 6x6 A (Cholesky). */
function solveSpd6(a: Float64Array, b: Float64Array, x: Float64Array): void {
  const l = new Float64Array(36);
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * 6 + j]!;
      for (let k = 0; k < j; k++) s -= l[i * 6 + k]! * l[j * 6 + k]!;
      l[i * 6 + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * 6 + j]!;
    }
  }
  const z = new Float64Array(6);
  for (let i = 0; i < 6; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * 6 + k]! * z[k]!;
    z[i] = s / l[i * 6 + i]!;
  }
  for (let i = 5; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < 6; k++) s -= l[k * 6 + i]! * x[k]!;
    x[i] = s / l[i * 6 + i]!;
  }
}
