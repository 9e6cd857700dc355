import type { ControlMode } from '../config/EmbodimentConfig';
import type { SafeCommand } from '../safety/SafeCommand';
import type { SafetyStepInput, SafetyStepResult } from '../safety/SafetyLayer';
import type { CommandMode, CommandSafety, CommandTick } from './CommandMode';
import type { CommandPublisher } from './CommandPublisher';

/**
 * A mode whose target is its safety stage's proposal as it is (joint positions or a tool pose, gripper
 * included): one enforce of the safety layer, then the safe command to the publisher. Variants name the enforce.
 */
export abstract class DirectMode<C extends SafeCommand> implements CommandMode {
  abstract readonly mode: ControlMode;

  constructor(
    protected readonly safety: CommandSafety,
    private readonly publisher: CommandPublisher,
  ) {}

  get sent(): number {
    return this.publisher.sent;
  }

  step(tick: CommandTick): SafetyStepResult<C> {
    const result = this.enforce({ tS: tick.tS, measured: tick.measured, watchdog: tick.watchdog, proposal: tick.target });
    this.publisher.publish(result.command);
    return result;
  }

  forget(): void {}

  protected abstract enforce(input: SafetyStepInput): SafetyStepResult<C>;
}
