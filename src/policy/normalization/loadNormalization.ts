import { readJsonFile } from '../../config/readJsonFile';
import { type ErrorLocation, VlaError } from '../../errors';
import type { NormalizationSpec } from '../manifest/PolicyManifest';
import type { Normalization } from './Normalization';

/** What the statistics describe: the actions (unnormalized on the way out) or the state (normalized on the way in). */
export type StatsRole = 'action' | 'state';

export interface LoadNormalizationOptions {
  spec: NormalizationSpec;
  dims: number;
  role: StatsRole;
  /** Resolves the stats file name against the policy folder. */
  resolveFile(relative: string): string;
  /** The manifest field holding `spec`, for messages. */
  where: ErrorLocation;
}

/**
 * Reads and checks statistics: present, one finite value per dimension, a mask from the file or the manifest
 * (never guessed), and sane: q99 below q01, a negative std, or (for the state, which is divided by them) a zero
 * width are refused with the dimension named.
 */
export function loadNormalization(options: LoadNormalizationOptions): Normalization {
  const { spec, dims, role, where } = options;
  if (spec.type === 'none') return { type: 'none', dims };
  const file = options.resolveFile(spec.stats.file);
  const node = statsNode(file, spec.stats.path, where);
  const at = (key: string, index?: number): ErrorLocation => ({
    file,
    path: `${spec.stats.path}/${key}${index === undefined ? '' : `[${index}]`}`,
  });
  const absurd = (key: string, index: number, message: string) =>
    new VlaError('POLICY_INVALID', `absurd normalization statistics: ${message}`, {
      ...at(key, index),
      hint:
        `these statistics come from ${where.path ?? 'the manifest'} ` +
        `(${where.file ?? ''}${where.line === undefined ? '' : `:${where.line}`}); check the file ` +
        `and the path`,
    });

  const vector = (key: string): Float64Array => {
    const raw = node[key];
    if (!Array.isArray(raw)) {
      throw new VlaError(
        'POLICY_INVALID',
        `${spec.type} normalization needs "${key}" here (found ${Object.keys(node).join(', ') || 'nothing'})`,
        {
          ...at(key),
          hint: `point ${where.path ?? 'stats.path'} at the object holding ${spec.type === 'quantile' ? 'q01 and q99' : 'mean and std'}`,
        },
      );
    }
    if (raw.length !== dims) {
      throw new VlaError('POLICY_INVALID', `"${key}" has ${raw.length} values, the ${role} has ${dims} dimensions`, {
        ...at(key),
        hint: `statistics and ${role === 'action' ? 'action.space.names' : 'state.dims'} must describe the same dimensions`,
      });
    }
    const out = new Float64Array(dims);
    raw.forEach((v: unknown, i: number) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw absurd(key, i, `${key}[${i}] is ${typeof v === 'number' ? String(v) : JSON.stringify(v)}, not a finite number`);
      out[i] = v;
    });
    return out;
  };

  const stateRole = role === 'state';
  if (spec.type === 'quantile') {
    const q01 = vector('q01');
    const q99 = vector('q99');
    const mask = resolveMask(node, spec.mask, dims, at, where);
    for (let d = 0; d < dims; d++) {
      if (!mask[d]) continue;
      if (q99[d]! < q01[d]!) throw absurd('q99', d, `q99[${d}] = ${q99[d]} is below q01[${d}] = ${q01[d]}`);
      if (stateRole && q99[d]! - q01[d]! + spec.epsilon <= 0)
        throw absurd('q99', d, `q99[${d}] equals q01[${d}]: the state cannot be divided by a zero range`);
    }
    return { type: 'quantile', dims, q01, q99, mask, epsilon: spec.epsilon };
  }
  const mean = vector('mean');
  const std = vector('std');
  const mask = resolveMask(node, spec.mask, dims, at, where);
  for (let d = 0; d < dims; d++) {
    if (!mask[d]) continue;
    if (std[d]! < 0) throw absurd('std', d, `std[${d}] = ${std[d]} is negative`);
    if (stateRole && std[d]! + spec.epsilon <= 0) throw absurd('std', d, `std[${d}] is 0: the state cannot be divided by it`);
  }
  return { type: 'gaussian', dims, mean, std, mask, epsilon: spec.epsilon };
}

function resolveMask(
  node: Record<string, unknown>,
  manifestMask: readonly boolean[] | undefined,
  dims: number,
  at: (key: string, index?: number) => ErrorLocation,
  where: ErrorLocation,
): boolean[] {
  const raw = node.mask;
  let fileMask: boolean[] | undefined;
  if (raw !== undefined) {
    if (!Array.isArray(raw) || raw.length !== dims || raw.some((v) => typeof v !== 'boolean')) {
      throw new VlaError('POLICY_INVALID', `"mask" must be ${dims} booleans`, {
        ...at('mask'),
        hint: 'one true (normalized) or false (raw) per dimension',
      });
    }
    fileMask = raw as boolean[];
  }
  if (fileMask !== undefined && manifestMask !== undefined && fileMask.some((v, i) => v !== manifestMask[i])) {
    throw new VlaError(
      'POLICY_INVALID',
      `the manifest's mask [${manifestMask.join(', ')}] contradicts the statistics file's [${fileMask.join(', ')}]`,
      {
        ...where,
        hint: 'remove the mask from the manifest (the file has one) or fix the one that is wrong',
      },
    );
  }
  const mask = fileMask ?? manifestMask;
  if (mask === undefined) {
    throw new VlaError('POLICY_INVALID', 'no normalization mask: the statistics file has none and the manifest gives none', {
      ...where,
      hint: `add mask: [...] (${dims} booleans, false where the model outputs raw values, e.g. OpenVLA's gripper) to this normalization`,
    });
  }
  return [...mask];
}

function statsNode(file: string, path: string, where: ErrorLocation): Record<string, unknown> {
  const root = readJsonFile(file, 'POLICY_INVALID', 'the statistics file', where);
  let node: unknown = root;
  const walked: string[] = [];
  for (const key of path.split('/').filter((k) => k !== '')) {
    if (typeof node !== 'object' || node === null || !(key in node)) {
      const keys = typeof node === 'object' && node !== null ? Object.keys(node).slice(0, 12) : [];
      throw new VlaError('POLICY_INVALID', `statistics path "${path}" not found: no "${key}" under "${walked.join('/') || '(top)'}"`, {
        file,
        path,
        hint:
          keys.length > 0 ? `keys there: ${keys.join(', ')}${keys.length === 12 ? ', ...' : ''}` : `check ${where.path ?? 'stats.path'}`,
      });
    }
    node = (node as Record<string, unknown>)[key];
    walked.push(key);
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw new VlaError('POLICY_INVALID', `statistics path "${path}" is not an object with the statistics`, { file, path });
  }
  return node as Record<string, unknown>;
}
