import type { Embodiment } from '../config/Embodiment';
import { DlsIkSolver } from '../robot/DlsIkSolver';
import type { JointStateMsg } from '../msgs/rosMessages';
import { secondsToTime } from '../time/rosTime';

export interface SimArmOptions {
  /** Time constant of the joints' position servo, seconds (how quickly a position command is tracked). */
  servoTimeConstantS?: number;
  /** Acceleration of joints that have no acceleration limit, rad/s^2 or m/s^2. */
  defaultMaxAccelerationPerS2?: number;
  /** Velocity and twist commands older than this are dropped (the arm stops), seconds. */
  commandTimeoutS?: number;
}

/**
 * The simulated arm: every commanded joint follows its command through a first-order position servo whose
 * velocity and acceleration are saturated at the joint's limits, and stops hard at its position limits.
 * Joint velocity and end-effector twist commands are integrated the same way (twists through the damped
 * pseudo-inverse of the Jacobian). Mimic joints follow their leader.
 */
export class SimArm {
  readonly embodiment: Embodiment;
  readonly positions: Float64Array;
  readonly velocities: Float64Array;
  private readonly target: Float64Array;
  private readonly targetVelocity: Float64Array;
  private readonly maxVelocity: Float64Array;
  private readonly maxAcceleration: Float64Array;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  private readonly tauS: number;
  private readonly commandTimeoutS: number;
  /** Per joint: velocity commands hold until this time; position control otherwise (-Infinity). */
  private readonly velocityUntilS: Float64Array;
  /** A tool twist and until when it holds (it drives the chain joints in place of their own commands). */
  private twist: { value: Float64Array; untilS: number } | undefined;
  private readonly ik: DlsIkSolver;
  private readonly jac: Float64Array;
  private readonly q: Float64Array;
  private readonly chainMask: Uint8Array;
  /** Names reported in joint states: every moving URDF joint, mimic joints included, in file order. */
  readonly reportedJointNames: readonly string[];
  private readonly reportedSource: readonly { index: number; multiplier: number; offset: number }[];
  private timeS = 0;

  constructor(embodiment: Embodiment, options: SimArmOptions = {}) {
    this.embodiment = embodiment;
    const n = embodiment.commandJointNames.length;
    this.positions = new Float64Array(n);
    this.velocities = new Float64Array(n);
    this.target = new Float64Array(n);
    this.targetVelocity = new Float64Array(n);
    this.velocityUntilS = new Float64Array(n).fill(-Infinity);
    this.tauS = options.servoTimeConstantS ?? 0.03;
    this.commandTimeoutS = options.commandTimeoutS ?? 0.1;
    const aDefault = options.defaultMaxAccelerationPerS2 ?? 10;
    this.maxVelocity = Float64Array.from(embodiment.limits, (l) => l.maxVelocity);
    this.maxAcceleration = Float64Array.from(embodiment.limits, (l) => (Number.isFinite(l.maxAcceleration) ? l.maxAcceleration : aDefault));
    // The simulated hardware stops at the URDF limits (the safety layer keeps commands inside its tighter ones).
    this.lower = Float64Array.from(
      embodiment.commandJointNames,
      (name) => embodiment.robot.jointByName.get(name)?.limit?.lower ?? -Infinity,
    );
    this.upper = Float64Array.from(
      embodiment.commandJointNames,
      (name) => embodiment.robot.jointByName.get(name)?.limit?.upper ?? Infinity,
    );
    const chainLower = embodiment.chain.jointNames.map((_, i) => this.lower[embodiment.chainJointIndices[i]!]!);
    const chainUpper = embodiment.chain.jointNames.map((_, i) => this.upper[embodiment.chainJointIndices[i]!]!);
    this.ik = new DlsIkSolver(embodiment.chain, { lower: chainLower, upper: chainUpper, maxIterations: 30 });
    this.jac = new Float64Array(6 * embodiment.chain.dof);
    this.q = new Float64Array(embodiment.chain.dof);
    this.chainMask = new Uint8Array(n);
    for (const j of embodiment.chainJointIndices) this.chainMask[j] = 1;

    const commanded = new Map(embodiment.commandJointNames.map((name, i) => [name, i]));
    const names: string[] = [];
    const source: { index: number; multiplier: number; offset: number }[] = [];
    for (const joint of embodiment.robot.joints) {
      if (joint.type === 'fixed' || joint.type === 'floating' || joint.type === 'planar') continue;
      const own = commanded.get(joint.name);
      const leader = joint.mimic === undefined ? undefined : commanded.get(joint.mimic.joint);
      if (own !== undefined) source.push({ index: own, multiplier: 1, offset: 0 });
      else if (leader !== undefined && joint.mimic !== undefined)
        source.push({ index: leader, multiplier: joint.mimic.multiplier, offset: joint.mimic.offset });
      else continue;
      names.push(joint.name);
    }
    this.reportedJointNames = names;
    this.reportedSource = source;
  }

  /** Puts the arm at rest at `positions` (command joint order), holding there. */
  reset(positions: ArrayLike<number>, timeS = 0): void {
    for (let i = 0; i < this.positions.length; i++) {
      const p = Math.min(this.upper[i]!, Math.max(this.lower[i]!, positions[i]!));
      this.positions[i] = p;
      this.target[i] = p;
    }
    this.velocities.fill(0);
    this.targetVelocity.fill(0);
    this.velocityUntilS.fill(-Infinity);
    this.twist = undefined;
    this.timeS = timeS;
  }

  /** Position targets for the joints at `indices` (command joint order); non-finite values are ignored. */
  commandPositions(positions: ArrayLike<number>, indices?: ArrayLike<number>, velocities?: ArrayLike<number>): void {
    const count = indices?.length ?? positions.length;
    for (let k = 0; k < count; k++) {
      const i = indices === undefined ? k : indices[k]!;
      const p = positions[k]!;
      if (i < 0 || i >= this.target.length || !Number.isFinite(p)) continue;
      this.target[i] = p;
      const v = velocities?.[k];
      this.targetVelocity[i] = v !== undefined && Number.isFinite(v) ? v : 0;
      this.velocityUntilS[i] = -Infinity;
      if (this.isChainJoint(i)) this.twist = undefined;
    }
  }

  /** Velocity commands for the joints at `indices` (default: all, in command joint order). */
  commandVelocities(velocities: ArrayLike<number>, indices?: ArrayLike<number>): void {
    const count = indices?.length ?? velocities.length;
    for (let k = 0; k < count; k++) {
      const i = indices === undefined ? k : indices[k]!;
      if (i < 0 || i >= this.target.length) continue;
      const v = velocities[k];
      this.targetVelocity[i] = v !== undefined && Number.isFinite(v) ? v : 0;
      this.velocityUntilS[i] = this.timeS + this.commandTimeoutS;
    }
  }

  /** Tool twist in the base frame: linear m/s then angular rad/s (drives the chain joints). */
  commandTwist(twist: ArrayLike<number>): void {
    this.twist = {
      value: Float64Array.from({ length: 6 }, (_, i) => (Number.isFinite(twist[i]!) ? twist[i]! : 0)),
      untilS: this.timeS + this.commandTimeoutS,
    };
  }

  /** Tool pose target (row-major 4x4 in the base frame): solved by IK from the current positions. */
  commandPose(pose: Float64Array): void {
    const { chainJointIndices } = this.embodiment;
    for (let i = 0; i < this.q.length; i++) this.q[i] = this.positions[chainJointIndices[i]!]!;
    const solution = this.ik.solve(pose, this.q);
    this.commandPositions(solution.q, chainJointIndices);
  }

  /** Integrates the joints over `dtS` seconds. */
  step(dtS: number): void {
    this.timeS += dtS;
    const n = this.positions.length;
    const twist = this.twist !== undefined && this.timeS <= this.twist.untilS ? this.twistToJointVelocity(this.twist.value) : undefined;
    for (let i = 0; i < n; i++) {
      let desired: number;
      if (twist !== undefined && this.isChainJoint(i)) desired = twist[i]!;
      else if (this.velocityUntilS[i]! > -Infinity) desired = this.timeS <= this.velocityUntilS[i]! ? this.targetVelocity[i]! : 0;
      else if (this.twist !== undefined && this.isChainJoint(i)) desired = 0;
      else desired = this.targetVelocity[i]! + (this.target[i]! - this.positions[i]!) / Math.max(this.tauS, dtS);
      const vmax = this.maxVelocity[i]!;
      const amax = this.maxAcceleration[i]!;
      const vDes = Math.max(-vmax, Math.min(vmax, desired));
      const dv = Math.max(-amax * dtS, Math.min(amax * dtS, vDes - this.velocities[i]!));
      let v = this.velocities[i]! + dv;
      let p = this.positions[i]! + v * dtS;
      if (p < this.lower[i]! || p > this.upper[i]!) {
        p = Math.min(this.upper[i]!, Math.max(this.lower[i]!, p));
        v = 0;
      }
      this.velocities[i] = v;
      this.positions[i] = p;
    }
  }

  private isChainJoint(i: number): boolean {
    return this.chainMask[i] === 1;
  }

  /** A sensor_msgs/JointState of every moving joint, stamped `stampS`. */
  jointStateMsg(stampS: number): JointStateMsg {
    const position = new Float64Array(this.reportedSource.length);
    const velocity = new Float64Array(this.reportedSource.length);
    this.reportedSource.forEach((s, k) => {
      position[k] = s.multiplier * this.positions[s.index]! + s.offset;
      velocity[k] = s.multiplier * this.velocities[s.index]!;
    });
    return { header: { stamp: secondsToTime(stampS), frame_id: '' }, name: this.reportedJointNames, position, velocity, effort: [] };
  }

  private twistToJointVelocity(twist: Float64Array): Float64Array {
    const { chain, chainJointIndices } = this.embodiment;
    const n = chain.dof;
    for (let i = 0; i < n; i++) this.q[i] = this.positions[chainJointIndices[i]!]!;
    chain.jacobian(this.q, this.jac);
    // qdot = J^T (J J^T + lambda^2 I)^-1 twist, solved by Gauss-Jordan on the 6x6 system.
    const a = new Float64Array(42);
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 6; c++) {
        let s = r === c ? 1e-4 : 0;
        for (let k = 0; k < n; k++) s += this.jac[r * n + k]! * this.jac[c * n + k]!;
        a[r * 7 + c] = s;
      }
      a[r * 7 + 6] = twist[r]!;
    }
    for (let c = 0; c < 6; c++) {
      let pivot = c;
      for (let r = c + 1; r < 6; r++) if (Math.abs(a[r * 7 + c]!) > Math.abs(a[pivot * 7 + c]!)) pivot = r;
      for (let k = 0; k < 7; k++) [a[c * 7 + k], a[pivot * 7 + k]] = [a[pivot * 7 + k]!, a[c * 7 + k]!];
      const d = a[c * 7 + c]!;
      for (let k = 0; k < 7; k++) a[c * 7 + k] = a[c * 7 + k]! / d;
      for (let r = 0; r < 6; r++) {
        if (r === c) continue;
        const f = a[r * 7 + c]!;
        for (let k = 0; k < 7; k++) a[r * 7 + k] = a[r * 7 + k]! - f * a[c * 7 + k]!;
      }
    }
    const out = new Float64Array(this.positions.length);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let r = 0; r < 6; r++) s += this.jac[r * n + k]! * a[r * 7 + 6]!;
      out[chainJointIndices[k]!] = s;
    }
    return out;
  }
}
