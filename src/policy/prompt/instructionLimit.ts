import { VlaError } from '../../errors';

/**
 * The longest instruction any policy is given, in characters. Language instructions are a sentence or two;
 * a bound here keeps a hostile instruction (a 1 MB string on a topic, a 30 KB `--instruction`) from costing
 * seconds of tokenization per inference or reaching native code at all.
 */
export const MAX_INSTRUCTION_CHARS = 2000;

/** Refuses an instruction longer than MAX_INSTRUCTION_CHARS, naming where it came from. */
export function checkInstructionLength(instruction: string, where: string): void {
  if (instruction.length > MAX_INSTRUCTION_CHARS) {
    throw new VlaError(
      'ARGUMENT_INVALID',
      `the instruction is ${instruction.length} characters, at most ${MAX_INSTRUCTION_CHARS} are accepted`,
      {
        path: where,
        hint: 'give the task in a sentence or two, e.g. "pick up the red cup"',
      },
    );
  }
}
