import type { SafeJointCommand } from '../safety/SafeCommand';
import type { SafetyStepResult } from '../safety/SafetyLayer';
import type { CommandMode, CommandSafety, CommandTick } from './CommandMode';
import type { CommandPublisher } from './CommandPublisher';

/**
 * `joint_position`: the target is the joint positions (gripper included) and is the safety layer's proposal as
 * it is; the safe positions go out in the embodiment's command type, the gripper in the arm command or on its
 * own topic.
 */
export class JointPositionMode implements CommandMode {
  readonly mode: 'joint_position' | 'joint_velocity' = 'joint_position';
  private readonly safety: CommandSafety;
  private readonly publisher: CommandPublisher;

  constructor(safety: CommandSafety, publisher: CommandPublisher) {
    this.safety = safety;
    this.publisher = publisher;
  }

  get sent(): number {
    return this.publisher.sent;
  }

  step(tick: CommandTick): SafetyStepResult<SafeJointCommand> {
    const result = this.safety.enforce({ tS: tick.tS, measured: tick.measured, watchdog: tick.watchdog, proposal: tick.target });
    this.publisher.publish(result.command);
    return result;
  }

  forget(): void {}
}

/**
 * `joint_velocity`: the same safety stage as joint position (the layer limits the position stream, so the
 * velocities it implies obey the velocity, acceleration and position limits); the publisher sends the safe
 * velocities, and the gripper's position on its own topic.
 */
export class JointVelocityMode extends JointPositionMode {
  override readonly mode = 'joint_velocity';
}
