import type { SafeJointCommand } from '../safety/SafeCommand';
import type { SafetyStepInput, SafetyStepResult } from '../safety/SafetyLayer';
import { DirectMode } from './DirectMode';

/**
 * `joint_position`: the target is the joint positions (gripper included) and is the safety layer's proposal as
 * it is; the safe positions go out in the embodiment's command type, the gripper in the arm command or on its
 * own topic.
 */
export class JointPositionMode extends DirectMode<SafeJointCommand> {
  readonly mode: 'joint_position' | 'joint_velocity' = 'joint_position';

  protected enforce(input: SafetyStepInput): SafetyStepResult<SafeJointCommand> {
    return this.safety.enforce(input);
  }
}

/**
 * `joint_velocity`: the same safety stage as joint position (the layer limits the position stream, so the
 * velocities it implies obey the velocity, acceleration and position limits); the publisher sends the safe
 * velocities, and the gripper's position on its own topic.
 */
export class JointVelocityMode extends JointPositionMode {
  override readonly mode = 'joint_velocity';
}
