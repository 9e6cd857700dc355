import type { ModelIo, TensorInfo } from './tensors';

/**
 * The Hugging Face optimum KV-cache convention: inputs `past_key_values.N.key/value` [batch, heads, past, head_dim],
 * outputs `present.N.key/value` [batch, heads, past + new, head_dim], N = 0..layers-1.
 */
const PAST = /^past_key_values\.(\d+)\.(key|value)$/;
const PRESENT = /^present\.(\d+)\.(key|value)$/;

export const pastName = (layer: number, part: 'key' | 'value') => `past_key_values.${layer}.${part}`;
export const presentName = (layer: number, part: 'key' | 'value') => `present.${layer}.${part}`;

export function isKvInput(name: string): boolean {
  return PAST.test(name);
}

/** Layers with past inputs, or a description of what is missing (a layer without its key or value, a gap). */
export function kvLayers(infos: readonly TensorInfo[], kind: 'past' | 'present'): { layers: number; problem?: string } {
  const re = kind === 'past' ? PAST : PRESENT;
  const seen = new Map<number, Set<string>>();
  for (const info of infos) {
    const m = re.exec(info.name);
    if (m === null) continue;
    const layer = Number(m[1]);
    if (!seen.has(layer)) seen.set(layer, new Set());
    seen.get(layer)!.add(m[2]!);
  }
  const layers = seen.size;
  for (let l = 0; l < layers; l++) {
    const parts = seen.get(l);
    const prefix = kind === 'past' ? 'past_key_values' : 'present';
    if (parts === undefined) return { layers, problem: `${prefix}.${l}.* is missing (layers must be numbered 0..${layers - 1})` };
    for (const part of ['key', 'value']) if (!parts.has(part)) return { layers, problem: `${prefix}.${l}.${part} is missing` };
  }
  return { layers };
}

/** Heads and head size from a past input's declared shape, when they are numbers. */
export function kvDims(io: ModelIo): { numHeads?: number; headDim?: number; type?: string } {
  const info = io.inputs.find((i) => i.name === pastName(0, 'key'));
  if (info === undefined) return {};
  const [, heads, , dim] = info.shape;
  return { numHeads: typeof heads === 'number' ? heads : undefined, headDim: typeof dim === 'number' ? dim : undefined, type: info.type };
}
