import { Command, CommanderError } from 'commander';
import { describeError, VlaError } from '../errors';
import { checkArguments } from './checkArguments';
import type { CliContext } from './CliContext';
import { registerCommands } from './commands';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/**
 * A reader that goes away (`vla-bridge serve --help | head -1`) makes the next write fail with EPIPE, which Node
 * raises as an unhandled 'error' event: a stack trace on stderr. The output nobody reads is dropped instead and
 * the command goes on to its normal end: a running control loop still stops the controlled way. Other stream
 * errors are left to Node.
 */
export function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

function defaultContext(): CliContext {
  ignoreClosedPipe(process.stdout);
  ignoreClosedPipe(process.stderr);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    interactive: Boolean(process.stderr.isTTY),
  };
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('vla-bridge')
    .description('Runs Vision-Language-Action policies on robot arms, behind a safety-limits layer')
    .version(readVersion())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  registerCommands(program, ctx);
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  }
  return program;
}

/** Runs the command line; resolves to the exit code. Never throws for a user error. */
export async function main(argv: readonly string[], ctx: CliContext = defaultContext()): Promise<number> {
  const program = buildProgram(ctx);
  try {
    checkArguments(argv.slice(2));
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (err) {
    return exitCodeFor(err, ctx);
  }
}

function exitCodeFor(err: unknown, ctx: CliContext): number {
  if (err instanceof CommanderError) {
    // Help and version exit 0; usage errors (commander already printed them) are bad input.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
    return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }
  if (err instanceof VlaError) {
    ctx.stderr.write(`vla-bridge: error: ${err.describe()}\n`);
    return err.kind === 'input' ? EXIT_BAD_INPUT : EXIT_FAILED;
  }
  const message = describeError(err);
  ctx.stderr.write(`vla-bridge: internal error: ${message}\n`);
  if (process.env.VLA_BRIDGE_DEBUG === '1' && err instanceof Error && err.stack !== undefined) ctx.stderr.write(`${err.stack}\n`);
  return EXIT_FAILED;
}

function readVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}
