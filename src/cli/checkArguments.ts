import { VlaError } from '../errors';
import { checkInstructionLength } from '../policy/prompt/instructionLimit';

/**
 * The longest command-line argument accepted, in bytes. Native libraries read the process arguments too
 * (onnxruntime-node crashes creating a session when one is about 29 KB), so over-long arguments are refused
 * before anything loads; large data goes in files, never in argv.
 */
export const MAX_ARGUMENT_BYTES = 8192;

/** The option an argument belongs to: `--opt=value`, or the option just before it. */
function optionOf(args: readonly string[], i: number): string {
  const arg = args[i]!;
  if (arg.startsWith('--')) return arg.split('=')[0]!;
  const before = args[i - 1];
  return before !== undefined && before.startsWith('-') && !before.includes('=') ? before : `argument ${i + 1}`;
}

function valueOf(arg: string): string {
  return arg.startsWith('--') && arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
}

/** Checks the user's arguments (without node and the script) before any command runs. */
export function checkArguments(args: readonly string[]): void {
  args.forEach((arg, i) => {
    const option = optionOf(args, i);
    const bytes = Buffer.byteLength(arg, 'utf8');
    if (/^--instruction/.test(option) && option !== arg) checkInstructionLength(valueOf(arg), option);
    if (bytes > MAX_ARGUMENT_BYTES) {
      throw new VlaError(
        'ARGUMENT_INVALID',
        `${option} is ${bytes} bytes long, at most ${MAX_ARGUMENT_BYTES} are accepted on the command line`,
        {
          path: option,
          hint: 'put large data in a file and give its path',
        },
      );
    }
  });
}
