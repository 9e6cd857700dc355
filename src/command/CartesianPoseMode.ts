import type { SafePoseCommand } from '../safety/SafeCommand';
import type { SafetyStepResult } from '../safety/SafetyLayer';
import type { CommandMode, CommandSafety, CommandTick } from './CommandMode';
import type { CommandPublisher } from './CommandPublisher';

/**
 * `cartesian_pose`: the target is the tool pose (x y z qx qy qz qw) followed by the gripper position when the
 * embodiment has a gripper; the safety layer limits the pose (workspace, tool speeds) and the gripper (as a
 * joint) together, and the publisher sends a PoseStamped and the gripper on its topic.
 */
export class CartesianPoseMode implements CommandMode {
  readonly mode = 'cartesian_pose';
  private readonly safety: CommandSafety;
  private readonly publisher: CommandPublisher;

  constructor(safety: CommandSafety, publisher: CommandPublisher) {
    this.safety = safety;
    this.publisher = publisher;
  }

  get sent(): number {
    return this.publisher.sent;
  }

  step(tick: CommandTick): SafetyStepResult<SafePoseCommand> {
    const result = this.safety.enforcePose({ tS: tick.tS, measured: tick.measured, watchdog: tick.watchdog, proposal: tick.target });
    this.publisher.publish(result.command);
    return result;
  }

  forget(): void {}
}
