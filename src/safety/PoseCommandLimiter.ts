import type { KinematicChain } from '../robot/KinematicChain';
import { quaternionFromRigid } from '../robot/rigid';
import type { JointStateSample } from '../observation/Observation';
import type { CartesianLimits } from './CartesianGuard';
import { CommandLimiter, type SafetyTickInput, type SharedSafetyState } from './CommandLimiter';
import type { GripperLimiter } from './GripperLimiter';
import { type SafePoseCommand, mintSafeCommand } from './SafeCommand';
import type { SafetyEvent } from './SafetyEvent';
import { type Quaternion, normalizeQuaternion, quaternionAngle, slerp } from './quaternion';
import { AXES } from './workspaceBox';

type Vec3 = readonly [number, number, number];

/**
 * A proposed tool pose in the layer's frame (the base link): [x, y, z] m, then the orientation [qx, qy, qz, qw],
 * then, when the layer has a gripper, the gripper joint's position.
 */
export type PoseProposal = Float64Array;
export const POSE_PROPOSAL_LENGTH = 7;

/**
 * End-effector pose commands (mode `cartesian_pose`): the target position is clamped into the workspace box,
 * and each tick's step from the previous output is limited to the linear speed (straight towards the target)
 * and the angular speed (along the shortest rotation). The first tick emits the measured tool pose (forward
 * kinematics), so the stream starts where the arm is; later ticks continue from the previous output.
 *
 * A stop holds the previous output pose: without Cartesian acceleration limits, holding is within the limits.
 * A proposal that passes every limit is output unchanged (an orientation off unit length by more than 1e-12 is
 * normalized).
 *
 * The gripper (GripperLimiter) is limited as a joint in the same tick and stops with the tool.
 */
export class PoseCommandLimiter extends CommandLimiter<PoseProposal, SafePoseCommand> {
  protected readonly jointCount: number;
  private readonly chain: KinematicChain;
  private readonly chainIndex: Int32Array;
  private readonly limits: CartesianLimits;
  private readonly frameId: string;
  private readonly chainQ: Float64Array;
  private readonly tool = new Float64Array(16);
  private position: Vec3 = [0, 0, 0];
  private orientation: Quaternion = [0, 0, 0, 1];
  private readonly gripper: GripperLimiter | undefined;
  private readonly proposalLength: number;

  constructor(
    shared: SharedSafetyState,
    jointNames: readonly string[],
    chain: KinematicChain,
    limits: CartesianLimits,
    frameId: string,
    gripper?: GripperLimiter,
  ) {
    super(shared);
    this.gripper = gripper;
    this.proposalLength = POSE_PROPOSAL_LENGTH + (gripper === undefined ? 0 : 1);
    this.jointCount = jointNames.length;
    this.chain = chain;
    this.chainIndex = Int32Array.from(chain.jointNames, (n) => jointNames.indexOf(n));
    this.limits = limits;
    this.frameId = frameId;
    this.chainQ = new Float64Array(chain.dof);
  }

  protected onSeed(tS: number, measured: JointStateSample): SafePoseCommand {
    for (let i = 0; i < this.chain.dof; i++) this.chainQ[i] = measured.position[this.chainIndex[i]!]!;
    this.chain.forwardKinematics(this.chainQ, this.tool);
    this.position = [this.tool[3]!, this.tool[7]!, this.tool[11]!];
    this.orientation = quaternionFromRigid(this.tool);
    this.gripper?.seed(measured);
    return this.command(tS, false);
  }

  protected onRepeat(tS: number): SafePoseCommand {
    return this.command(tS, true);
  }

  protected onEnforce(
    tS: number,
    dt: number,
    input: SafetyTickInput<PoseProposal>,
    stopping: boolean,
    events: SafetyEvent[],
  ): SafePoseCommand {
    const p = input.proposal;
    if (p !== null && p.length !== this.proposalLength) {
      throw new RangeError(
        `a pose proposal has ${this.proposalLength} values (x y z qx qy qz qw${this.gripper === undefined ? '' : ' gripper'}), got ${p.length}`,
      );
    }
    if (stopping || p === null) return this.hold(tS, dt, events);
    const target = normalizeQuaternion([p[3]!, p[4]!, p[5]!, p[6]!]);
    const position: Vec3 = [p[0]!, p[1]!, p[2]!];
    const gripper = this.gripper === undefined ? 0 : p[POSE_PROPOSAL_LENGTH]!;
    if (target === undefined || !position.every(Number.isFinite) || !Number.isFinite(gripper)) {
      events.push({
        tS,
        limit: 'non_finite',
        target: 'pose',
        requested: NaN,
        applied: NaN,
        severity: 'error',
        message: 'non-finite pose proposal (or a zero quaternion): holding the last pose',
      });
      return this.hold(tS, dt, events);
    }
    this.gripper?.step(tS, dt, gripper, false, events);
    this.position = this.limitPosition(tS, dt, position, events);
    this.orientation = this.limitOrientation(tS, dt, target, events);
    return this.command(tS, false);
  }

  private limitPosition(tS: number, dt: number, wanted: Vec3, events: SafetyEvent[]): Vec3 {
    let target = wanted;
    const box = this.limits.workspace;
    if (box !== undefined) {
      for (const a of [0, 1, 2] as const) {
        const v = target[a];
        const c = v < box.min[a] ? box.min[a] : v > box.max[a] ? box.max[a] : v;
        if (c === v) continue;
        const copy: [number, number, number] = [target[0], target[1], target[2]];
        copy[a] = c;
        target = copy;
        events.push({ tS, limit: 'workspace', target: AXES[a], requested: v, applied: c, severity: 'warn' });
      }
    }
    const from = this.position;
    const d = Math.hypot(target[0] - from[0], target[1] - from[1], target[2] - from[2]);
    const maxStep = this.limits.maxLinearSpeedMPerS * dt;
    if (d <= maxStep) return target;
    const k = maxStep / d;
    events.push({
      tS,
      limit: 'ee_linear_speed',
      target: 'linear',
      requested: d / dt,
      applied: this.limits.maxLinearSpeedMPerS,
      severity: 'warn',
    });
    return [from[0] + (target[0] - from[0]) * k, from[1] + (target[1] - from[1]) * k, from[2] + (target[2] - from[2]) * k];
  }

  private limitOrientation(tS: number, dt: number, target: Quaternion, events: SafetyEvent[]): Quaternion {
    const angle = quaternionAngle(this.orientation, target);
    const maxTurn = this.limits.maxAngularSpeedRadPerS * dt;
    if (angle <= maxTurn) return target;
    events.push({
      tS,
      limit: 'ee_angular_speed',
      target: 'angular',
      requested: angle / dt,
      applied: this.limits.maxAngularSpeedRadPerS,
      severity: 'warn',
    });
    return slerp(this.orientation, target, maxTurn / angle);
  }

  /** The last pose again; the gripper decelerates within its limits and holds. */
  private hold(tS: number, dt: number, events: SafetyEvent[]): SafePoseCommand {
    this.gripper?.step(tS, dt, null, true, events);
    return this.command(tS, true);
  }

  private command(tS: number, holding: boolean): SafePoseCommand {
    const gripper = this.gripper?.command();
    return mintSafeCommand({
      kind: 'pose',
      stampS: tS,
      frameId: this.frameId,
      positionM: this.position,
      orientationXyzw: this.orientation,
      ...(gripper === undefined ? {} : { gripper }),
      holding,
    });
  }
}
