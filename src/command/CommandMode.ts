import type { Embodiment } from '../config/Embodiment';
import type { ControlMode } from '../config/EmbodimentConfig';
import type { JointStateSample } from '../observation/Observation';
import type { SafeCommand } from '../safety/SafeCommand';
import type { SafetyLayer, SafetyStepResult, WatchdogInputs } from '../safety/SafetyLayer';
import type { Transport } from '../transport/Transport';
import { CartesianPoseMode } from './CartesianPoseMode';
import { CartesianTwistMode } from './CartesianTwistMode';
import { CommandPublisher, type SentMessage } from './CommandPublisher';
import { JointPositionMode, JointVelocityMode } from './JointModes';

/** What a command mode needs from the safety layer: one enforce per mode. */
export type CommandSafety = Pick<SafetyLayer, 'enforce' | 'enforceTwist' | 'enforcePose'>;

/** One control tick as a command mode sees it. */
export interface CommandTick {
  tS: number;
  /** Measured joint state in command joint order. */
  measured: JointStateSample;
  /** The action queue's target at tS in the embodiment's target space (joints, or tool pose + gripper); null = none. */
  target: Float64Array | null;
  watchdog: WatchdogInputs;
}

/**
 * One object per control mode (joint position, joint velocity, Cartesian twist, Cartesian pose), each owning the
 * way from the queue's target to the proposal for its safety stage to the published messages, gripper
 * included. The control loop calls `step` every tick and knows nothing of kinematics or modes.
 */
export interface CommandMode {
  readonly mode: ControlMode;
  /** The target through the safety layer to the publisher: the safe command sent and the layer's events. */
  step(tick: CommandTick): SafetyStepResult<SafeCommand>;
  /** Forgets the motion of earlier targets (after a reset, motion restarts from a fresh chunk). */
  forget(): void;
  /** Messages sent so far (a Cartesian command with its gripper is two). */
  readonly sent: number;
}

export interface CommandModeOptions {
  /** Called with every message sent (recording, tests). */
  onSent?: (sent: SentMessage) => void;
  /** Command period, s (twist mode feeds the target's motion forward over it). */
  periodS: number;
  /** Cartesian twist mode: gain on the pose error, 1/s (default 5). */
  twistGainPerS?: number;
}

/** The command mode of the embodiment's `control.mode`, publishing on `transport`. */
export function commandModeFor(
  embodiment: Embodiment,
  transport: Transport,
  safety: CommandSafety,
  options: CommandModeOptions,
): CommandMode {
  const publisher = new CommandPublisher(transport, embodiment, { onSent: options.onSent });
  switch (embodiment.config.control.mode) {
    case 'joint_position':
      return new JointPositionMode(safety, publisher);
    case 'joint_velocity':
      return new JointVelocityMode(safety, publisher);
    case 'cartesian_twist':
      return new CartesianTwistMode(embodiment, safety, publisher, { periodS: options.periodS, gainPerS: options.twistGainPerS ?? 5 });
    case 'cartesian_pose':
      return new CartesianPoseMode(safety, publisher);
  }
}
