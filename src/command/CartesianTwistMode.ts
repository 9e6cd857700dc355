import type { Embodiment } from '../config/Embodiment';
import type { JointStateSample } from '../observation/Observation';
import { POSE_WIDTH, rigidFromPose, rotationError } from '../robot/poseMath';
import type { SafeTwistCommand } from '../safety/SafeCommand';
import type { SafetyStepResult } from '../safety/SafetyLayer';
import type { CommandMode, CommandSafety, CommandTick } from './CommandMode';
import type { CommandPublisher } from './CommandPublisher';

const TWIST_WIDTH = 6;

/**
 * `cartesian_twist` (e.g. MoveIt Servo): the target is a tool pose (plus the gripper position when the
 * embodiment has a gripper); the proposal is the twist toward it, the target's own motion fed forward plus a
 * proportional correction of the pose error measured by forward kinematics, followed by the gripper position.
 * The safety layer limits both; the publisher sends a TwistStamped and the gripper on its topic.
 */
export class CartesianTwistMode implements CommandMode {
  readonly mode = 'cartesian_twist';
  private readonly embodiment: Embodiment;
  private readonly safety: CommandSafety;
  private readonly publisher: CommandPublisher;
  private readonly periodS: number;
  private readonly gainPerS: number;
  private readonly previousTarget = new Float64Array(POSE_WIDTH);
  private hasPreviousTarget = false;
  private readonly toolTarget = new Float64Array(16);
  private readonly toolMeasured = new Float64Array(16);
  private readonly chainQ: Float64Array;

  constructor(embodiment: Embodiment, safety: CommandSafety, publisher: CommandPublisher, options: { periodS: number; gainPerS: number }) {
    this.embodiment = embodiment;
    this.safety = safety;
    this.publisher = publisher;
    this.periodS = options.periodS;
    this.gainPerS = options.gainPerS;
    this.chainQ = new Float64Array(embodiment.chain.dof);
  }

  get sent(): number {
    return this.publisher.sent;
  }

  step(tick: CommandTick): SafetyStepResult<SafeTwistCommand> {
    const proposal = tick.target === null ? null : this.proposalToward(tick.target, tick.measured);
    const result = this.safety.enforceTwist({ tS: tick.tS, measured: tick.measured, watchdog: tick.watchdog, proposal });
    this.publisher.publish(result.command);
    return result;
  }

  forget(): void {
    this.hasPreviousTarget = false;
  }

  /** Twist toward the target pose, then the target's gripper position when it has one. */
  private proposalToward(target: Float64Array, measured: JointStateSample): Float64Array {
    const gain = this.gainPerS;
    const idx = this.embodiment.chainJointIndices;
    for (let i = 0; i < idx.length; i++) this.chainQ[i] = measured.position[idx[i]!]!;
    this.embodiment.chain.forwardKinematics(this.chainQ, this.toolMeasured);
    rigidFromPose(target, this.toolTarget);
    const out = new Float64Array(TWIST_WIDTH + (target.length - POSE_WIDTH));
    out[0] = gain * (this.toolTarget[3]! - this.toolMeasured[3]!);
    out[1] = gain * (this.toolTarget[7]! - this.toolMeasured[7]!);
    out[2] = gain * (this.toolTarget[11]! - this.toolMeasured[11]!);
    rotationError(this.toolTarget, this.toolMeasured, out, 3);
    for (let k = 3; k < TWIST_WIDTH; k++) out[k] = gain * out[k]!;
    if (this.hasPreviousTarget) {
      for (let k = 0; k < 3; k++) out[k] = out[k]! + (target[k]! - this.previousTarget[k]!) / this.periodS;
    }
    this.previousTarget.set(target.subarray(0, POSE_WIDTH));
    this.hasPreviousTarget = true;
    for (let k = POSE_WIDTH; k < target.length; k++) out[TWIST_WIDTH + k - POSE_WIDTH] = target[k]!;
    return out;
  }
}
