import type { ParameterSpec, ParameterValue } from './NodeHost';

export type CoercedValue = { ok: true; value: ParameterValue } | { ok: false; reason: string };

/**
 * Checks a value against a parameter's descriptor, as rcl would, with one kindness: a whole number given for
 * a double parameter (`-p command_rate_hz:=100`, or a launch argument) is taken as that double instead of
 * being refused as an integer. Integer values may arrive as bigint (rclnodejs).
 */
export function coerceParameterValue(spec: ParameterSpec, value: unknown): CoercedValue {
  const v = typeof value === 'bigint' ? Number(value) : value;
  switch (spec.kind) {
    case 'bool':
      if (typeof v !== 'boolean') return { ok: false, reason: `${spec.name} must be true or false, got ${describe(value)}` };
      return { ok: true, value: v };
    case 'string':
      if (typeof v !== 'string') return { ok: false, reason: `${spec.name} must be a string, got ${describe(value)}` };
      return { ok: true, value: v };
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v))
        return { ok: false, reason: `${spec.name} must be an integer, got ${describe(value)}` };
      return inRange(spec, v);
    case 'double':
      if (typeof v !== 'number' || !Number.isFinite(v))
        return { ok: false, reason: `${spec.name} must be a number, got ${describe(value)}` };
      return inRange(spec, v);
  }
}

function inRange(spec: ParameterSpec, v: number): CoercedValue {
  const r = spec.range;
  if (r !== undefined && (v < r.from || v > r.to)) {
    return { ok: false, reason: `${spec.name} must be in [${r.from}, ${r.to}], got ${v}` };
  }
  return { ok: true, value: v };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value} (integer)`;
  return `${String(value)} (${typeof value})`;
}
