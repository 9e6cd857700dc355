import { describeError } from '../../errors';
/**
 * One input line of `vla-bridge safety-filter` (DESIGN §5): `{"t": s, "position": [...], "command": [...]}`
 * with optional `"velocity": [...]`, `"estop": true|false`, `"reset": true|false`. Arrays follow the filter's
 * joint order. JSON has no NaN: a null or any non-number in `command` stands for a non-finite proposal.
 * Anything else is refused with the line number and the field, never guessed: a misspelled key (`"estp"`)
 * is an error, not silently ignored.
 */

export interface FilterLine {
  tS: number;
  position: Float64Array;
  /** Non-numbers are NaN. */
  command: Float64Array;
  velocity?: Float64Array;
  estop?: boolean;
  reset?: boolean;
}

const KEYS: ReadonlySet<string> = new Set(['t', 'position', 'command', 'velocity', 'estop', 'reset']);

/** A malformed input line: which line, which field (empty for the line as a whole), what is wrong. */
export class FilterLineError extends Error {
  readonly line: number;
  readonly field: string;
  /** The line's `t`, when it could be read (a tick time to stop on). */
  readonly tS: number | undefined;

  constructor(line: number, field: string, message: string, tS?: number) {
    super(`line ${line}${field === '' ? '' : `: field "${field}"`}: ${message}`);
    this.name = 'FilterLineError';
    this.line = line;
    this.field = field;
    this.tS = tS;
  }
}

export function parseFilterLine(text: string, line: number, jointCount: number): FilterLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FilterLineError(line, '', `not JSON (${describeError(err)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FilterLineError(line, '', 'must be a JSON object');
  const o = value as Record<string, unknown>;
  const t = o.t;
  const tS = typeof t === 'number' && Number.isFinite(t) ? t : undefined;
  const fail = (field: string, message: string): never => {
    throw new FilterLineError(line, field, message, tS);
  };
  for (const key of Object.keys(o)) if (!KEYS.has(key)) fail(key, `unknown field (expected ${[...KEYS].join(', ')})`);
  if (tS === undefined)
    fail('t', t === undefined ? 'missing: the tick time in seconds' : `must be a finite number of seconds, got ${JSON.stringify(t)}`);
  const parsed: FilterLine = {
    tS: tS!,
    position: numbers(o.position, 'position', jointCount, true, fail),
    command: numbers(o.command, 'command', jointCount, false, fail),
  };
  if (o.velocity !== undefined) parsed.velocity = numbers(o.velocity, 'velocity', jointCount, true, fail);
  for (const key of ['estop', 'reset'] as const) {
    const flag = o[key];
    if (flag === undefined) continue;
    if (typeof flag !== 'boolean') fail(key, `must be true or false, got ${JSON.stringify(flag)}`);
    parsed[key] = flag as boolean;
  }
  return parsed;
}

function numbers(value: unknown, field: string, n: number, finite: boolean, fail: (field: string, message: string) => never): Float64Array {
  if (value === undefined) fail(field, `missing: an array of ${n} numbers in --joints order`);
  if (!Array.isArray(value)) fail(field, `must be an array of ${n} numbers, got ${JSON.stringify(value)}`);
  const a = value as unknown[];
  if (a.length !== n) fail(field, `has ${a.length} values, expected ${n} (one per joint in --joints)`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (typeof v === 'number' && (!finite || Number.isFinite(v))) out[i] = v;
    else if (finite) fail(`${field}[${i}]`, `must be a finite number, got ${typeof v === 'number' ? String(v) : JSON.stringify(v)}`);
    else out[i] = NaN;
  }
  return out;
}
