import type { SafePoseCommand } from '../safety/SafeCommand';
import type { SafetyStepInput, SafetyStepResult } from '../safety/SafetyLayer';
import { DirectMode } from './DirectMode';

/**
 * `cartesian_pose`: the target is the tool pose (x y z qx qy qz qw) followed by the gripper position when the
 * embodiment has a gripper; the safety layer limits the pose (workspace, tool speeds) and the gripper (as a
 * joint) together, and the publisher sends a PoseStamped and the gripper on its topic.
 */
export class CartesianPoseMode extends DirectMode<SafePoseCommand> {
  readonly mode = 'cartesian_pose';

  protected enforce(input: SafetyStepInput): SafetyStepResult<SafePoseCommand> {
    return this.safety.enforcePose(input);
  }
}
