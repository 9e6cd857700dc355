import { VlaError } from '../errors';

/**
 * What a subcommand gets: where to write, and how the user asked for output. Results go to stdout (JSON with
 * --json), logs and progress to stderr, so `--json` output can always be piped.
 */
export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** Working directory for relative paths. */
  cwd: string;
  /** True when stderr is a terminal (progress bars only then). */
  interactive: boolean;
}

export function writeJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}

export function writeLine(ctx: CliContext, line = ''): void {
  ctx.stdout.write(`${line}\n`);
}

export function logLine(ctx: CliContext, line: string): void {
  ctx.stderr.write(`${line}\n`);
}

/** Parses a number option, or throws ARGUMENT_INVALID naming the option. */
export function parseNumberOption(value: string, option: string, check: (v: number) => boolean = Number.isFinite): number {
  const n = Number(value);
  if (value.trim() === '' || !check(n)) {
    throw new VlaError('ARGUMENT_INVALID', `${option} must be a number, got "${value}"`, { path: option });
  }
  return n;
}

/** Parses `a,b,c` into names, refusing empty items. */
export function parseNameList(value: string, option: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.length === 0 || names.some((n) => n === '')) {
    throw new VlaError('ARGUMENT_INVALID', `${option} must be a comma-separated list of names, got "${value}"`, { path: option });
  }
  return names;
}
