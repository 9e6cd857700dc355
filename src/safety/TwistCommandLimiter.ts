import type { KinematicChain } from '../robot/KinematicChain';
import type { JointStateSample } from '../observation/Observation';
import { CommandLimiter, type SafetyTickInput, type SharedSafetyState } from './CommandLimiter';
import { type SafeTwistCommand, mintSafeCommand } from './SafeCommand';
import type { SafetyEvent } from './SafetyEvent';
import type { CartesianLimits } from './CartesianGuard';
import type { GripperLimiter } from './GripperLimiter';
import { AXES } from './workspaceBox';

type Vec3 = readonly [number, number, number];

/**
 * A proposed end-effector twist in the layer's frame (the base link): [vx, vy, vz] m/s, then [wx, wy, wz] rad/s,
 * then, when the layer has a gripper, the gripper joint's position.
 */
export type TwistProposal = Float64Array;
export const TWIST_PROPOSAL_LENGTH = 6;

/**
 * End-effector twist commands (mode `cartesian_twist`, e.g. for MoveIt Servo, which applies its own joint
 * limits): the linear and angular speeds are scaled down to their limits (direction kept), and near a wall of
 * the workspace box the velocity component towards it is limited so that the tool, at its measured position
 * (forward kinematics), stays inside after this tick; outside the box it may not move further out.
 *
 * A stop (e-stop, watchdog, non-finite proposal, no proposal) is a zero twist: without Cartesian acceleration
 * limits, zero is within the limits, and the servo ramps down. The first tick emits a zero twist.
 *
 * The gripper (GripperLimiter) is limited as a joint in the same tick and stops with the tool.
 */
export class TwistCommandLimiter extends CommandLimiter<TwistProposal, SafeTwistCommand> {
  protected readonly jointCount: number;
  private readonly chain: KinematicChain | undefined;
  private readonly chainIndex: Int32Array;
  private readonly limits: CartesianLimits;
  private readonly frameId: string;
  private readonly chainQ: Float64Array;
  private readonly tool = new Float64Array(16);
  private readonly gripper: GripperLimiter | undefined;
  private readonly proposalLength: number;
  private last: { linear: Vec3; angular: Vec3 } = { linear: [0, 0, 0], angular: [0, 0, 0] };

  constructor(
    shared: SharedSafetyState,
    jointNames: readonly string[],
    chain: KinematicChain | undefined,
    limits: CartesianLimits,
    frameId: string,
    gripper?: GripperLimiter,
  ) {
    super(shared);
    this.gripper = gripper;
    this.proposalLength = TWIST_PROPOSAL_LENGTH + (gripper === undefined ? 0 : 1);
    this.jointCount = jointNames.length;
    this.chain = limits.workspace === undefined ? undefined : chain;
    this.chainIndex = Int32Array.from(chain?.jointNames ?? [], (n) => jointNames.indexOf(n));
    this.limits = limits;
    this.frameId = frameId;
    this.chainQ = new Float64Array(chain?.dof ?? 0);
  }

  protected onSeed(tS: number, measured: JointStateSample): SafeTwistCommand {
    this.last = { linear: [0, 0, 0], angular: [0, 0, 0] };
    this.gripper?.seed(measured);
    return this.command(tS, true);
  }

  protected onRepeat(tS: number): SafeTwistCommand {
    return this.command(tS, true);
  }

  protected onEnforce(
    tS: number,
    dt: number,
    input: SafetyTickInput<TwistProposal>,
    stopping: boolean,
    events: SafetyEvent[],
  ): SafeTwistCommand {
    const p = input.proposal;
    if (p !== null && p.length !== this.proposalLength) {
      throw new RangeError(
        `a twist proposal has ${this.proposalLength} values (linear xyz, angular xyz${this.gripper === undefined ? '' : ', gripper'}), got ${p.length}`,
      );
    }
    if (stopping || p === null || !allFinite(p)) {
      if (!stopping && p !== null) {
        events.push({
          tS,
          limit: 'non_finite',
          target: 'twist',
          requested: NaN,
          applied: 0,
          severity: 'error',
          message: 'non-finite twist proposal: zero twist this tick',
        });
      }
      this.last = { linear: [0, 0, 0], angular: [0, 0, 0] };
      this.gripper?.step(tS, dt, null, true, events);
      return this.command(tS, true);
    }
    this.gripper?.step(tS, dt, p[TWIST_PROPOSAL_LENGTH]!, false, events);
    let linear = scaleTo([p[0]!, p[1]!, p[2]!], this.limits.maxLinearSpeedMPerS, tS, 'ee_linear_speed', 'linear', events);
    const angular = scaleTo([p[3]!, p[4]!, p[5]!], this.limits.maxAngularSpeedRadPerS, tS, 'ee_angular_speed', 'angular', events);
    linear = this.keepInside(tS, dt, linear, input.measured, events);
    this.last = { linear, angular };
    return this.command(tS, false);
  }

  private keepInside(tS: number, dt: number, linear: Vec3, measured: JointStateSample, events: SafetyEvent[]): Vec3 {
    const box = this.limits.workspace;
    if (box === undefined || this.chain === undefined) return linear;
    for (let i = 0; i < this.chain.dof; i++) this.chainQ[i] = measured.position[this.chainIndex[i]!]!;
    if (!allFinite(this.chainQ)) return [0, 0, 0];
    this.chain.forwardKinematics(this.chainQ, this.tool);
    const position = [this.tool[3]!, this.tool[7]!, this.tool[11]!] as const;
    let out: [number, number, number] | undefined;
    for (const a of [0, 1, 2] as const) {
      const v = linear[a];
      const room = v > 0 ? box.max[a] - position[a] : box.min[a] - position[a];
      // Room towards the wall the tool moves to (negative when already beyond it: no further out).
      const allowed = v > 0 ? Math.max(0, room) / dt : Math.min(0, room) / dt;
      if ((v > 0 && v > allowed) || (v < 0 && v < allowed)) {
        out ??= [linear[0], linear[1], linear[2]];
        out[a] = allowed;
        events.push({
          tS,
          limit: 'workspace',
          target: AXES[a],
          requested: v,
          applied: allowed,
          severity: 'warn',
          message: 'twist towards a workspace wall limited',
        });
      }
    }
    return out ?? linear;
  }

  private command(tS: number, holding: boolean): SafeTwistCommand {
    const gripper = this.gripper?.command();
    return mintSafeCommand({
      kind: 'twist',
      stampS: tS,
      frameId: this.frameId,
      linearMPerS: this.last.linear,
      angularRadPerS: this.last.angular,
      ...(gripper === undefined ? {} : { gripper }),
      holding,
    });
  }
}

function allFinite(...arrays: ArrayLike<number>[]): boolean {
  for (const a of arrays) for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/** The vector scaled down to norm `max` if longer (direction kept); one event when it was. */
function scaleTo(
  v: Vec3,
  max: number,
  tS: number,
  limit: 'ee_linear_speed' | 'ee_angular_speed',
  target: string,
  events: SafetyEvent[],
): Vec3 {
  const norm = Math.hypot(v[0], v[1], v[2]);
  if (norm <= max) return v;
  const k = max / norm;
  events.push({ tS, limit, target, requested: norm, applied: max, severity: 'warn' });
  return [v[0] * k, v[1] * k, v[2] * k];
}
