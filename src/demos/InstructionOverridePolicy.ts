import type { Observation } from '../observation/Observation';
import type { ActionChunk, InferOptions, Policy } from '../policy/Policy';
import { CUBE_COLORS } from '../sim/ReachTask';
import { DelegatingPolicy } from '../policy/DelegatingPolicy';

/**
 * Gives the policy another instruction than the episode's (the task, and so success, stay the same): the control
 * test that shows whether a language-conditioned policy reads its instruction at all.
 */
export class InstructionOverridePolicy extends DelegatingPolicy {
  private readonly rewrite: (instruction: string) => string;

  constructor(inner: Policy, rewrite: (instruction: string) => string) {
    super(inner);
    this.rewrite = rewrite;
  }

  override infer(observation: Observation, options?: InferOptions): Promise<ActionChunk> {
    return this.inner.infer({ ...observation, instruction: this.rewrite(observation.instruction) }, options);
  }
}

/**
 * The instruction naming the next cube colour of the scene instead (red -> green -> blue -> red), in the same
 * words: every scene has one cube of each colour, so it names one of the distractors.
 */
export function wrongCubeInstruction(instruction: string): string {
  const colors = CUBE_COLORS.map((c) => c.color);
  const pattern = new RegExp(`\\b(${colors.join('|')})\\b`, 'i');
  return instruction.replace(pattern, (found) => colors[(colors.indexOf(found.toLowerCase()) + 1) % colors.length]!);
}
