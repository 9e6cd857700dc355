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

/** The values a numeric option allows; the error message states them. */
export interface NumberRange {
  /** Whole numbers only. */
  integer?: boolean;
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Values must be strictly above this. */
  above?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
}

/** "an integer from 1 to 100000", "a number above 0", "a number from 0 to 1". */
export function describeRange(range: NumberRange): string {
  const kind = range.integer === true ? 'an integer' : 'a number';
  const low = range.min !== undefined ? `>= ${range.min}` : range.above !== undefined ? `> ${range.above}` : undefined;
  if (range.min !== undefined && range.max !== undefined) return `${kind} from ${range.min} to ${range.max}`;
  if (low !== undefined && range.max !== undefined) return `${kind} ${low} and <= ${range.max}`;
  if (low !== undefined) return `${kind} ${low}`;
  if (range.max !== undefined) return `${kind} <= ${range.max}`;
  return `a finite ${kind.replace(/^an? /, '')}`;
}

export function inRange(v: number, range: NumberRange): boolean {
  if (!Number.isFinite(v)) return false;
  if (range.integer === true && !Number.isInteger(v)) return false;
  if (range.min !== undefined && v < range.min) return false;
  if (range.above !== undefined && v <= range.above) return false;
  return range.max === undefined || v <= range.max;
}

/**
 * Parses a number option, or throws ARGUMENT_INVALID naming the option and the allowed range
 * (`--episodes must be an integer from 1 to 100000, got "0"`). Every numeric option of every command goes
 * through here, so no option accepts NaN, Infinity or an absurd value that would make a run hang.
 */
export function parseNumberOption(value: string, option: string, range: NumberRange = {}): number {
  const n = Number(value);
  if (value.trim() === '' || !inRange(n, range)) {
    const expected = describeRange(range);
    throw new VlaError(
      'ARGUMENT_INVALID',
      `${option} must be ${expected}, got "${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`,
      { path: option, hint: `give ${option} ${expected}` },
    );
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
