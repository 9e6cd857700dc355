import type { Embodiment } from '../../config/Embodiment';
import type { GripperConfig } from '../../config/EmbodimentConfig';
import { VlaError } from '../../errors';
import type { JointStateSample } from '../../observation/Observation';
import type { ActionChunk, ActionSpace } from '../../policy/Policy';
import { DlsIkSolver, type DlsIkOptions } from '../../robot/DlsIkSolver';
import { POSE_WIDTH, poseFromRigid, rigidFromXyzRpy } from '../../robot/poseMath';
import { composeRigid } from '../../robot/rigid';
import type { TargetChunk, TargetSpace } from './TargetChunk';

/**
 * How delta actions read. `relative_to_observation` (openpi / LeRobot `DeltaActions`): every step is an
 * offset from the state at the chunk's observation stamp. `cumulative`: each step is an increment on the
 * previous step, starting from that state. Either way a delta is turned into a target once, when the chunk
 * arrives, from the state the policy saw: it is never added to a state twice.
 */
export type DeltaConvention = 'relative_to_observation' | 'cumulative';

export interface ChunkConverterOptions {
  deltaConvention?: DeltaConvention;
  /** Inverse kinematics for end-effector actions in joint space. */
  ik?: DlsIkOptions;
}

/** The space commands are made in: joint positions, or tool poses (Cartesian control modes). */
export function targetSpaceFor(embodiment: Embodiment): TargetSpace {
  const mode = embodiment.config.control.mode;
  if (mode === 'cartesian_pose' || mode === 'cartesian_twist')
    return { kind: 'pose', width: POSE_WIDTH + (embodiment.config.gripper === undefined ? 0 : 1) };
  return { kind: 'joint', width: embodiment.commandJointNames.length };
}

/** The gripper dimension ([0, 1], clamped) as a gripper joint position. */
export function gripperPosition(
  value: number,
  gripper: GripperConfig,
  convention: GripperConfig['action_convention'] = gripper.action_convention,
): number {
  const v = Math.min(1, Math.max(0, value));
  return convention === 'open_is_1'
    ? gripper.closed_position + v * (gripper.open_position - gripper.closed_position)
    : gripper.open_position + v * (gripper.closed_position - gripper.open_position);
}

/**
 * Turns a policy's unnormalized action chunk into a TargetChunk in the command space: joint actions map onto
 * the embodiment's policy joints by position, end-effector actions (x y z roll pitch yaw in the base frame)
 * become joint targets through damped-least-squares IK seeded step by step, or stay poses for Cartesian
 * control; the gripper dimension becomes the gripper joint's position.
 */
export class ChunkConverter {
  readonly space: TargetSpace;
  private readonly embodiment: Embodiment;
  private readonly policySpace: ActionSpace;
  private readonly deltaConvention: DeltaConvention;
  private readonly armDims: number[];
  /** For joint actions: command joint index of each arm dim. */
  private readonly jointOfDim: number[];
  private readonly gripperJointIndex: number;
  private readonly ik: DlsIkSolver;
  private readonly fk = new Float64Array(16);

  constructor(embodiment: Embodiment, policySpace: ActionSpace, options: ChunkConverterOptions = {}) {
    this.embodiment = embodiment;
    this.policySpace = policySpace;
    this.space = targetSpaceFor(embodiment);
    const deltaConvention = options.deltaConvention ?? policySpace.deltaConvention;
    if (policySpace.kind === 'delta' && deltaConvention === undefined) {
      throw new VlaError('MODEL_MISMATCH', "the policy's actions are deltas but it does not say what they are relative to", {
        path: 'action.space.delta_convention',
        hint: 'set delta_convention (relative_to_observation or cumulative) in the policy manifest',
      });
    }
    this.deltaConvention = deltaConvention ?? 'relative_to_observation';
    const gi = policySpace.gripperIndex;
    this.armDims = policySpace.names.map((_, i) => i).filter((i) => i !== gi);
    const gripper = embodiment.config.gripper;
    this.gripperJointIndex = gripper === undefined ? -1 : embodiment.commandJointNames.indexOf(gripper.joint);
    const where = { file: embodiment.configFile, path: 'policy_joints' };
    if (policySpace.frame === 'joint') {
      if (this.armDims.length !== embodiment.policyJointNames.length) {
        throw new VlaError(
          'MODEL_MISMATCH',
          `the policy's action has ${this.armDims.length} joint dimensions ` +
            `(${this.armDims.map((i) => policySpace.names[i]).join(', ')}) but embodiment ` +
            `"${embodiment.name}" drives ${embodiment.policyJointNames.length} policy joints`,
          { ...where, hint: 'set policy_joints in the embodiment YAML to the joints the policy was trained on, in its order' },
        );
      }
      this.jointOfDim = embodiment.policyJointNames.map((name) => embodiment.commandJointNames.indexOf(name));
    } else {
      if (this.armDims.length !== 6) {
        throw new VlaError(
          'MODEL_MISMATCH',
          `end-effector actions need 6 dimensions (x y z roll pitch yaw) besides the gripper, the policy has ${this.armDims.length}`,
          {
            ...where,
            path: 'action.space',
            hint: 'check the action space names and gripper index in the policy manifest',
          },
        );
      }
      this.jointOfDim = [];
    }
    const lower = embodiment.chain.jointNames.map((_, i) => embodiment.limits[embodiment.chainJointIndices[i]!]!.minPosition);
    const upper = embodiment.chain.jointNames.map((_, i) => embodiment.limits[embodiment.chainJointIndices[i]!]!.maxPosition);
    this.ik = new DlsIkSolver(embodiment.chain, { lower, upper, ...options.ik });
  }

  /** The tool pose (7 values, plus the gripper position in pose space) for measured joint positions. */
  poseOf(positions: Float64Array, out: Float64Array): Float64Array {
    this.embodiment.chain.forwardKinematics(this.chainPositions(positions), this.fk);
    poseFromRigid(this.fk, out, 0);
    if (this.space.kind === 'pose' && this.gripperJointIndex >= 0) out[POSE_WIDTH] = positions[this.gripperJointIndex]!;
    return out;
  }

  /** The measured state as a target (joint positions, or the tool pose and gripper). */
  targetOf(state: JointStateSample): Float64Array {
    if (this.space.kind === 'joint') return Float64Array.from(state.position);
    return this.poseOf(state.position, new Float64Array(this.space.width));
  }

  /** `state` is the joint state in the observation the chunk was computed from (command joint order). */
  convert(chunk: ActionChunk, state: JointStateSample): TargetChunk {
    this.check(chunk);
    const width = this.space.width;
    const anchor = this.targetOf(state);
    const points = this.policySpace.frame === 'joint' ? this.jointActions(chunk, state) : this.poseActions(chunk, state);
    return {
      startS: chunk.observationStampS,
      stepDtS: chunk.stepDtS,
      horizon: chunk.horizon,
      stepsToExecute: Math.max(1, Math.min(chunk.horizon, chunk.stepsToExecute)),
      width,
      anchor,
      points,
    };
  }

  private check(chunk: ActionChunk): void {
    const hint = 'the policy runtime validates chunks; check the policy manifest and the model';
    if (chunk.dims !== this.policySpace.names.length)
      throw new VlaError('MODEL_OUTPUT_INVALID', `chunk has ${chunk.dims} dimensions, the action space ${this.policySpace.names.length}`, {
        hint,
      });
    if (chunk.horizon < 1 || chunk.actions.length !== chunk.horizon * chunk.dims)
      throw new VlaError('MODEL_OUTPUT_INVALID', `chunk of horizon ${chunk.horizon} has ${chunk.actions.length} values`, { hint });
    if (!(chunk.stepDtS > 0)) throw new VlaError('MODEL_OUTPUT_INVALID', `chunk step ${chunk.stepDtS} s is not positive`, { hint });
    if (chunk.space.kind !== this.policySpace.kind || chunk.space.frame !== this.policySpace.frame) {
      throw new VlaError(
        'MODEL_OUTPUT_INVALID',
        `chunk is ${chunk.space.kind} ${chunk.space.frame}, the policy declared ${this.policySpace.kind} ${this.policySpace.frame}`,
        { hint },
      );
    }
    for (let i = 0; i < chunk.actions.length; i++) {
      if (!Number.isFinite(chunk.actions[i]!))
        throw new VlaError(
          'MODEL_OUTPUT_INVALID',
          `chunk action ${Math.floor(i / chunk.dims)} dimension ${this.policySpace.names[i % chunk.dims]} is ${chunk.actions[i]}`,
          { hint },
        );
    }
  }

  private gripperTarget(chunk: ActionChunk, step: number, fallback: number): number {
    const gi = this.policySpace.gripperIndex;
    const gripper = this.embodiment.config.gripper;
    if (gi === undefined || gripper === undefined) return fallback;
    // The manifest describes the model's output, so its gripper convention wins over the embodiment's default.
    return gripperPosition(
      chunk.actions[step * chunk.dims + gi]!,
      gripper,
      this.policySpace.gripperConvention ?? gripper.action_convention,
    );
  }

  private jointActions(chunk: ActionChunk, state: JointStateSample): Float64Array {
    const n = this.embodiment.commandJointNames.length;
    const joints = new Float64Array(chunk.horizon * n);
    const delta = this.policySpace.kind === 'delta';
    const cumulative = delta && this.deltaConvention === 'cumulative';
    for (let s = 0; s < chunk.horizon; s++) {
      const row = s * n;
      const previous = cumulative && s > 0 ? joints.subarray(row - n, row) : state.position;
      joints.set(cumulative && s > 0 ? previous : state.position, row);
      this.armDims.forEach((dim, k) => {
        const j = this.jointOfDim[k]!;
        const a = chunk.actions[s * chunk.dims + dim]!;
        joints[row + j] = delta ? previous[j]! + a : a;
      });
      if (this.gripperJointIndex >= 0)
        joints[row + this.gripperJointIndex] = this.gripperTarget(chunk, s, state.position[this.gripperJointIndex]!);
    }
    if (this.space.kind === 'joint') return joints;
    const poses = new Float64Array(chunk.horizon * this.space.width);
    const pose = new Float64Array(this.space.width);
    for (let s = 0; s < chunk.horizon; s++) {
      this.poseOf(joints.subarray(s * n, (s + 1) * n), pose);
      poses.set(pose, s * this.space.width);
    }
    return poses;
  }

  private poseActions(chunk: ActionChunk, state: JointStateSample): Float64Array {
    const delta = this.policySpace.kind === 'delta';
    const cumulative = delta && this.deltaConvention === 'cumulative';
    const observed = this.embodiment.chain.forwardKinematics(this.chainPositions(state.position), new Float64Array(16));
    let previous = observed;
    const step = new Float64Array(16);
    const targets: Float64Array[] = [];
    for (let s = 0; s < chunk.horizon; s++) {
      const a = this.armDims.map((dim) => chunk.actions[s * chunk.dims + dim]!);
      const target = new Float64Array(16);
      if (!delta) {
        rigidFromXyzRpy([a[0]!, a[1]!, a[2]!], [a[3]!, a[4]!, a[5]!], target);
      } else {
        const base = cumulative ? previous : observed;
        // Rotation applied in the base frame: R = R(d) * R_base; translation added in the base frame.
        rigidFromXyzRpy([0, 0, 0], [a[3]!, a[4]!, a[5]!], step);
        composeRigid(step, base, target);
        target[3] = base[3]! + a[0]!;
        target[7] = base[7]! + a[1]!;
        target[11] = base[11]! + a[2]!;
      }
      targets.push(target);
      previous = target;
    }
    const n = this.embodiment.commandJointNames.length;
    if (this.space.kind === 'pose') {
      const width = this.space.width;
      const poses = new Float64Array(chunk.horizon * width);
      targets.forEach((t, s) => {
        poseFromRigid(t, poses, s * width);
        if (this.gripperJointIndex >= 0)
          poses[s * width + POSE_WIDTH] = this.gripperTarget(chunk, s, state.position[this.gripperJointIndex]!);
      });
      return poses;
    }
    const joints = new Float64Array(chunk.horizon * n);
    let seed = this.chainPositions(state.position);
    targets.forEach((t, s) => {
      const solution = this.ik.solve(t, seed);
      joints.set(state.position, s * n);
      this.embodiment.chainJointIndices.forEach((j, i) => {
        joints[s * n + j] = solution.q[i]!;
      });
      if (this.gripperJointIndex >= 0)
        joints[s * n + this.gripperJointIndex] = this.gripperTarget(chunk, s, state.position[this.gripperJointIndex]!);
      seed = solution.q;
    });
    return joints;
  }

  private chainPositions(positions: ArrayLike<number>): Float64Array {
    const idx = this.embodiment.chainJointIndices;
    const q = new Float64Array(idx.length);
    for (let i = 0; i < idx.length; i++) q[i] = positions[idx[i]!]!;
    return q;
  }
}
