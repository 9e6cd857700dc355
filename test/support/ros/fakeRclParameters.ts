import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { RclParameter, RclParameterDescriptor, RclParameterRule, RclRange } from '../../../src/ros/rclnodejs/rclnodejsApi';

/**
 * Parameters as rclnodejs 2.2.0 (lib/parameter.js) and rcl handle them, for FakeRclnodejs: typed parameters
 * (integers as bigint), ranges, descriptors whose toMessage() reads `_rangeConstraint` (so a range given to
 * the constructor never reaches `ros2 param describe`), and the parameter rules rcl parses from `-p` and
 * `--params-file` arguments, keyed by node as written.
 */

export const PT = {
  PARAMETER_NOT_SET: 0,
  PARAMETER_BOOL: 1,
  PARAMETER_INTEGER: 2,
  PARAMETER_DOUBLE: 3,
  PARAMETER_STRING: 4,
  PARAMETER_BYTE_ARRAY: 5,
  PARAMETER_BOOL_ARRAY: 6,
  PARAMETER_INTEGER_ARRAY: 7,
  PARAMETER_DOUBLE_ARRAY: 8,
  PARAMETER_STRING_ARRAY: 9,
} as const;

export class FakeParameter implements RclParameter {
  readonly name: string;
  readonly type: number;
  value: unknown;

  constructor(name: string, type: number, value?: unknown) {
    this.name = name;
    this.type = type;
    this.value = type === PT.PARAMETER_INTEGER ? BigInt(value as number | bigint) : value;
    const ok =
      (type === PT.PARAMETER_BOOL && typeof this.value === 'boolean') ||
      (type === PT.PARAMETER_INTEGER && typeof this.value === 'bigint') ||
      (type === PT.PARAMETER_DOUBLE && typeof this.value === 'number') ||
      (type === PT.PARAMETER_STRING && typeof this.value === 'string');
    if (!ok) throw new TypeError(`parameter ${name}: value ${String(value)} does not fit type ${type}`);
  }
}

/** Like rclnodejs's ranges, the step defaults to 1: a value between steps is out of range unless step is 0. */
export class FakeRange {
  constructor(
    readonly fromValue: number | bigint,
    readonly toValue: number | bigint,
    readonly step: number | bigint = 1,
  ) {}

  inRange(value: number): boolean {
    const from = Number(this.fromValue);
    const to = Number(this.toValue);
    if (value < from - 1e-6 || value > to + 1e-6) return false;
    const step = Number(this.step);
    return step === 0 || Math.abs(from + Math.round((value - from) / step) * step - value) < 1e-6;
  }
}

/** rcl_interfaces/msg/ParameterDescriptor as describe_parameters sends it. */
export interface DescriptorMsg {
  name: string;
  type: number;
  description: string;
  additional_constraints: string;
  read_only: boolean;
  integer_range: RangeMsg[];
  floating_point_range: RangeMsg[];
}

export interface RangeMsg {
  from_value: number | bigint;
  to_value: number | bigint;
  step: number | bigint;
}

export class FakeDescriptor implements RclParameterDescriptor {
  additionalConstraints = '';
  _rangeConstraint?: RclRange;
  private readonly _range: RclRange | null;

  constructor(
    readonly name: string,
    readonly type: number,
    readonly description = '',
    readonly readOnly = false,
    range: RclRange | null = null,
  ) {
    this._range = range;
  }

  get range(): RclRange | null {
    return this._range;
  }

  problem(p: RclParameter): string | undefined {
    if (p.type !== this.type) return `Parameter ${p.name} type mismatch: expected ${this.type}, got ${p.type}`;
    const r = this._range as FakeRange | null;
    if (r !== null && !r.inRange(Number(p.value))) return `Parameter ${p.name} out of range`;
    return undefined;
  }

  /**
   * As rclnodejs 2.2.0 writes it, then as its message translator copies it into the message: the range comes
   * from `_rangeConstraint` (not the constructor's), and only its enumerable fields named like the message's
   * (from_value, to_value, step) are copied; the others stay 0.
   */
  toMessage(): DescriptorMsg {
    const msg: DescriptorMsg = {
      name: this.name,
      type: this.type,
      description: this.description,
      additional_constraints: this.additionalConstraints,
      read_only: this.readOnly,
      integer_range: [],
      floating_point_range: [],
    };
    const r = this._rangeConstraint;
    if (r instanceof FakeRange && this.type === PT.PARAMETER_INTEGER) msg.integer_range = [copyRangeFields(r)];
    if (r instanceof FakeRange && this.type === PT.PARAMETER_DOUBLE) msg.floating_point_range = [copyRangeFields(r)];
    return msg;
  }
}

function copyRangeFields(range: object): RangeMsg {
  const msg: RangeMsg = { from_value: 0, to_value: 0, step: 0 };
  for (const key in range) {
    if (key in msg) msg[key as keyof RangeMsg] = (range as Record<string, number | bigint>)[key]!;
  }
  return msg;
}

/** A `-p` value as rcl's YAML parser types it. */
export function parseParamValue(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+$/.test(text)) return BigInt(text);
  if (/^-?\d*\.\d+(e-?\d+)?$/i.test(text)) return Number(text);
  return text.replace(/^(['"])(.*)\1$/, '$2');
}

export function typeOfValue(value: unknown): number {
  return typeof value === 'boolean'
    ? PT.PARAMETER_BOOL
    : typeof value === 'bigint'
      ? PT.PARAMETER_INTEGER
      : typeof value === 'number'
        ? PT.PARAMETER_DOUBLE
        : PT.PARAMETER_STRING;
}

/**
 * rcl's parameter rules (rcl_params_t): one entry per node key, in order of first appearance, a later value of
 * the same node and parameter replacing an earlier one. Values as the native addon hands them over (integers
 * as numbers).
 */
export class FakeParameterRules {
  private readonly nodes = new Map<string, Map<string, { type: number; value: unknown }>>();

  /** `-p name:=value` (under `/**`) or `-p node:name:=value`. */
  addRule(rule: string): void {
    const at = rule.indexOf(':=');
    if (at < 0) throw new Error(`Couldn't parse parameter override rule: '${rule}'`);
    const target = rule.slice(0, at);
    const colon = target.lastIndexOf(':');
    const node = colon < 0 ? '/**' : target.slice(0, colon);
    this.set(node, colon < 0 ? target : target.slice(colon + 1), parseParamValue(rule.slice(at + 2)));
  }

  /** A `--params-file`: node keys (nested keys are namespaces) down to `ros__parameters`, then parameters. */
  addFile(path: string): void {
    let doc: unknown;
    try {
      doc = parse(readFileSync(path, 'utf8'), { intAsBigInt: true });
    } catch {
      throw new Error(`Couldn't parse params file: '--params-file ${path}'`);
    }
    const walk = (node: string, value: unknown): void => {
      if (typeof value !== 'object' || value === null) throw new Error(`Couldn't parse params file: '--params-file ${path}'`);
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'ros__parameters') this.addParameters(node, '', inner);
        else walk(node === '' ? key : `${node}/${key}`, inner);
      }
    };
    walk('', doc);
  }

  toNative(): RclParameterRule[] | undefined {
    if (this.nodes.size === 0) return undefined;
    return [...this.nodes].map(([name, params]) => ({ name, parameters: [...params].map(([p, v]) => ({ name: p, ...v })) }));
  }

  private addParameters(node: string, prefix: string, values: unknown): void {
    for (const [key, value] of Object.entries(values as object)) {
      const name = prefix === '' ? key : `${prefix}.${key}`;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) this.addParameters(node, name, value);
      else this.set(node, name, value);
    }
  }

  private set(node: string, name: string, value: unknown): void {
    const params = this.nodes.get(node) ?? new Map<string, { type: number; value: unknown }>();
    this.nodes.set(node, params);
    params.set(name, { type: typeOfValue(value), value: typeof value === 'bigint' ? Number(value) : value });
  }
}
