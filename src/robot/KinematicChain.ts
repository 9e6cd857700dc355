import { VlaError } from '../errors';
import type { Joint, RobotModel } from './RobotModel';
import { composeRigid, rigidFromOrigin, setIdentity } from './rigid';

/**
 * The serial chain from a base link to a tool link: forward kinematics and the geometric Jacobian.
 *
 * Transforms are 4x4 homogeneous matrices stored row-major in Float64Array(16). Fixed joints are folded into
 * the constant transforms at build time; every call works in preallocated scratch memory (no allocation).
 */
export class KinematicChain {
  readonly baseLink: string;
  readonly toolLink: string;
  /** Moving joints from base to tool, in chain order. */
  readonly jointNames: readonly string[];
  readonly jointTypes: readonly ('revolute' | 'continuous' | 'prismatic')[];
  readonly dof: number;

  /** Constant transform before each moving joint (16 per joint), and after the last one (tool offset). */
  private readonly fixedBefore: Float64Array;
  private readonly fixedTail: Float64Array;
  /** Unit axes in each joint's frame (3 per joint). */
  private readonly axes: Float64Array;
  private readonly prismatic: Uint8Array;
  /** Scratch: world transform of each joint frame (before its motion), 16 per joint. */
  private readonly frames: Float64Array;
  private readonly tmpA = new Float64Array(16);
  private readonly tmpB = new Float64Array(16);
  private readonly tool = new Float64Array(16);

  private constructor(base: string, tool: string, moving: readonly Joint[], fixedBefore: Float64Array, fixedTail: Float64Array) {
    this.baseLink = base;
    this.toolLink = tool;
    this.jointNames = moving.map((j) => j.name);
    this.jointTypes = moving.map((j) => j.type as 'revolute' | 'continuous' | 'prismatic');
    this.dof = moving.length;
    this.fixedBefore = fixedBefore;
    this.fixedTail = fixedTail;
    this.axes = new Float64Array(3 * moving.length);
    this.prismatic = new Uint8Array(moving.length);
    moving.forEach((j, i) => {
      const [x, y, z] = j.axis;
      const n = Math.hypot(x, y, z);
      this.axes[3 * i] = x / n;
      this.axes[3 * i + 1] = y / n;
      this.axes[3 * i + 2] = z / n;
      this.prismatic[i] = j.type === 'prismatic' ? 1 : 0;
    });
    this.frames = new Float64Array(16 * moving.length);
  }

  /** Builds the chain; throws CHAIN_INVALID naming the link or joint when there is no usable serial path. */
  static build(robot: RobotModel, baseLink: string, toolLink: string): KinematicChain {
    const where = { file: robot.sourceFile };
    for (const link of [baseLink, toolLink]) {
      if (!robot.linkByName.has(link)) {
        throw new VlaError('CHAIN_INVALID', `link "${link}" is not in robot "${robot.name}"`, {
          ...where,
          path: link,
          hint: `use one of: ${robot.links.map((l) => l.name).join(', ')}`,
        });
      }
    }
    const parentJoint = new Map<string, Joint>();
    for (const joint of robot.joints) parentJoint.set(joint.child, joint);

    const path: Joint[] = [];
    let link = toolLink;
    while (link !== baseLink) {
      const joint = parentJoint.get(link);
      if (joint === undefined) {
        throw new VlaError('CHAIN_INVALID', `tool link "${toolLink}" is not below base link "${baseLink}"`, {
          ...where,
          hint: 'check base_link and tool_link in the embodiment YAML',
        });
      }
      path.push(joint);
      link = joint.parent;
    }
    path.reverse();

    const moving: Joint[] = [];
    const fixedTransforms: Float64Array[] = [];
    let pending = setIdentity(new Float64Array(16));
    const origin = new Float64Array(16);
    const scratch = new Float64Array(16);
    for (const joint of path) {
      if (joint.type === 'floating' || joint.type === 'planar') {
        throw new VlaError(
          'URDF_UNSUPPORTED_JOINT',
          `joint "${joint.name}" is ${joint.type}: a ${joint.type} joint cannot be part of an arm's kinematic chain`,
          {
            ...where,
            joint: joint.name,
            hint: 'choose a base_link below this joint, or make the joint fixed',
          },
        );
      }
      if (joint.mimic !== undefined) {
        throw new VlaError(
          'CHAIN_INVALID',
          `joint "${joint.name}" mimics "${joint.mimic.joint}" and lies on the chain from ${baseLink} to ${toolLink}`,
          {
            ...where,
            joint: joint.name,
            hint: 'choose a tool_link that is not behind a mimic joint (mimic joints belong to grippers)',
          },
        );
      }
      rigidFromOrigin(joint.origin, origin);
      composeRigid(pending, origin, scratch);
      pending.set(scratch);
      if (joint.type === 'fixed') continue;
      moving.push(joint);
      fixedTransforms.push(pending);
      pending = setIdentity(new Float64Array(16));
    }
    const fixedBefore = new Float64Array(16 * moving.length);
    fixedTransforms.forEach((t, i) => fixedBefore.set(t, 16 * i));
    return new KinematicChain(baseLink, toolLink, moving, fixedBefore, pending);
  }

  /** Pose of the tool link in the base link frame for joint positions `q` (chain order). Writes `out` (16). */
  forwardKinematics(q: ArrayLike<number>, out: Float64Array): Float64Array {
    return this.propagate(q, undefined, out);
  }

  /**
   * Geometric Jacobian in the base frame at the tool link origin: 6 x dof, row-major, rows are
   * (vx, vy, vz, wx, wy, wz). Writes `out` (6 * dof).
   */
  jacobian(q: ArrayLike<number>, out: Float64Array): Float64Array {
    const tool = this.forwardKinematics(q, this.tool);
    const px = tool[3]!;
    const py = tool[7]!;
    const pz = tool[11]!;
    const n = this.dof;
    for (let i = 0; i < n; i++) {
      const f = 16 * i;
      const fr = this.frames;
      const ax = this.axes[3 * i]!;
      const ay = this.axes[3 * i + 1]!;
      const az = this.axes[3 * i + 2]!;
      // Joint axis in the base frame: R_i * axis.
      const zx = fr[f]! * ax + fr[f + 1]! * ay + fr[f + 2]! * az;
      const zy = fr[f + 4]! * ax + fr[f + 5]! * ay + fr[f + 6]! * az;
      const zz = fr[f + 8]! * ax + fr[f + 9]! * ay + fr[f + 10]! * az;
      if (this.prismatic[i] === 1) {
        out[i] = zx;
        out[n + i] = zy;
        out[2 * n + i] = zz;
        out[3 * n + i] = 0;
        out[4 * n + i] = 0;
        out[5 * n + i] = 0;
      } else {
        const rx = px - fr[f + 3]!;
        const ry = py - fr[f + 7]!;
        const rz = pz - fr[f + 11]!;
        out[i] = zy * rz - zz * ry;
        out[n + i] = zz * rx - zx * rz;
        out[2 * n + i] = zx * ry - zy * rx;
        out[3 * n + i] = zx;
        out[4 * n + i] = zy;
        out[5 * n + i] = zz;
      }
    }
    return out;
  }

  /**
   * World transforms of every joint frame (after its motion) and of the tool: 16 * (dof + 1) values.
   * For drawing the arm: consecutive origins are the links' segments.
   */
  linkFrames(q: ArrayLike<number>, out: Float64Array): Float64Array {
    this.propagate(q, out, this.tool);
    out.set(this.tool, 16 * this.dof);
    return out;
  }

  /**
   * Walks the chain once: stores each joint frame before its motion in `this.frames` (for the Jacobian), and
   * after its motion in `moved` when given; writes the tool pose into `tool`.
   */
  private propagate(q: ArrayLike<number>, moved: Float64Array | undefined, tool: Float64Array): Float64Array {
    this.checkLength(q);
    const t = this.tmpA;
    setIdentity(t);
    for (let i = 0; i < this.dof; i++) {
      composeRigid(t, this.fixedBefore, this.tmpB, 16 * i);
      t.set(this.tmpB);
      this.frames.set(t, 16 * i);
      this.applyMotion(t, i, q[i]!);
      if (moved !== undefined) moved.set(t, 16 * i);
    }
    composeRigid(t, this.fixedTail, tool, 0);
    return tool;
  }

  /** t = t * motion_i(q): rotation about, or translation along, the joint axis. */
  private applyMotion(t: Float64Array, i: number, q: number): void {
    const ax = this.axes[3 * i]!;
    const ay = this.axes[3 * i + 1]!;
    const az = this.axes[3 * i + 2]!;
    if (this.prismatic[i] === 1) {
      // t[:, 3] += R * axis * q
      for (let r = 0; r < 3; r++) {
        t[4 * r + 3] = t[4 * r + 3]! + (t[4 * r]! * ax + t[4 * r + 1]! * ay + t[4 * r + 2]! * az) * q;
      }
      return;
    }
    // Rodrigues: M = c I + s [a]x + (1 - c) a a^T, then R = R * M.
    const c = Math.cos(q);
    const s = Math.sin(q);
    const v = 1 - c;
    const m00 = c + ax * ax * v;
    const m01 = ax * ay * v - az * s;
    const m02 = ax * az * v + ay * s;
    const m10 = ay * ax * v + az * s;
    const m11 = c + ay * ay * v;
    const m12 = ay * az * v - ax * s;
    const m20 = az * ax * v - ay * s;
    const m21 = az * ay * v + ax * s;
    const m22 = c + az * az * v;
    for (let r = 0; r < 3; r++) {
      const a = t[4 * r]!;
      const b = t[4 * r + 1]!;
      const d = t[4 * r + 2]!;
      t[4 * r] = a * m00 + b * m10 + d * m20;
      t[4 * r + 1] = a * m01 + b * m11 + d * m21;
      t[4 * r + 2] = a * m02 + b * m12 + d * m22;
    }
  }

  private checkLength(q: ArrayLike<number>): void {
    if (q.length !== this.dof) {
      throw new RangeError(`chain ${this.baseLink} -> ${this.toolLink} has ${this.dof} joints, got ${q.length} positions`);
    }
  }
}
