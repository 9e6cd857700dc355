import type { RobotModel } from '../robot/RobotModel';
import type { JointLimits } from '../robot/JointLimits';
import type { KinematicChain } from '../robot/KinematicChain';
import type { EmbodimentConfig } from './EmbodimentConfig';

/** An embodiment after validation: the YAML, its URDF, the resolved limits and the kinematic chain. */
export interface Embodiment {
  name: string;
  /** Absolute path of the YAML file. */
  configFile: string;
  /** Absolute path of the URDF file. */
  urdfFile: string;
  config: EmbodimentConfig;
  robot: RobotModel;
  /** The arm joints, in the embodiment's order (YAML `joints`). */
  armJointNames: readonly string[];
  /** Every joint a command carries: the arm joints, then the gripper joint if there is one. */
  commandJointNames: readonly string[];
  /** Limits for each of `commandJointNames`, same order. */
  limits: readonly JointLimits[];
  /** The joints the policy's joint actions drive, in the action's order. */
  policyJointNames: readonly string[];
  /** From base_link to tool_link. */
  chain: KinematicChain;
  /** chain.jointNames[i] is commandJointNames[chainJointIndices[i]]: gathers chain positions from a command. */
  chainJointIndices: Int32Array;
  /** Non-fatal findings (URDF quirks, limits taken from the YAML because the URDF had none). */
  warnings: readonly string[];
}
