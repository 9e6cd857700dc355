import { VlaError } from '../../errors';

/** Tensors as plain data, so they cross to and from the worker thread without onnxruntime types. */
export type TensorType = 'float32' | 'uint8' | 'int64' | 'int32';
export type TensorArray = Float32Array | Uint8Array | BigInt64Array | Int32Array;

export interface TensorData {
  type: TensorType;
  dims: readonly number[];
  data: TensorArray;
}

export type Feeds = Record<string, TensorData>;

/** A model input or output as the graph declares it: symbolic dimensions are strings. */
export interface TensorInfo {
  name: string;
  type: string;
  shape: readonly (number | string)[];
}

export interface ModelIo {
  file: string;
  inputs: readonly TensorInfo[];
  outputs: readonly TensorInfo[];
  /** The onnxruntime execution provider the session runs on, and the providers given up on the way. */
  executionProvider?: string;
  fallbacks?: readonly string[];
}

/** Half-open id range [start, end). */
export type IdRange = readonly [number, number];

/** Token ids as the graph wants them (int64 in the optimum convention, int32 in some exports). */
export function idsTensor(ids: readonly number[], type: 'int64' | 'int32', dims: readonly number[] = [1, ids.length]): TensorData {
  return type === 'int64' ? { type, dims, data: BigInt64Array.from(ids, (v) => BigInt(v)) } : { type, dims, data: Int32Array.from(ids) };
}

export function onesTensor(length: number, type: 'int64' | 'int32'): TensorData {
  return type === 'int64'
    ? { type, dims: [1, length], data: new BigInt64Array(length).fill(1n) }
    : { type, dims: [1, length], data: new Int32Array(length).fill(1) };
}

export function rangeTensor(start: number, length: number, type: 'int64' | 'int32'): TensorData {
  return idsTensor(
    Array.from({ length }, (_, i) => start + i),
    type,
  );
}

/** The int type a graph declares for a token input (int64 unless it says int32). */
export function intTypeOf(info: TensorInfo | undefined): 'int64' | 'int32' {
  return info?.type === 'int32' ? 'int32' : 'int64';
}

/**
 * Greedy choice restricted to the allowed ids: the first maximum, as torch.argmax. A NaN logit among them is an
 * error (a model producing NaN must never yield an action).
 */
export function restrictedArgmax(logits: ArrayLike<number>, allowed: readonly IdRange[]): number {
  let best = -1;
  let bestValue = -Infinity;
  for (const [start, end] of allowed) {
    for (let id = start; id < end; id++) {
      const v = logits[id]!;
      if (Number.isNaN(v)) {
        throw new VlaError('MODEL_OUTPUT_INVALID', `the logit of action token ${id} is NaN`, {
          hint: 'the model output is not finite: this inference yields no action',
        });
      }
      if (v > bestValue || best < 0) {
        best = id;
        bestValue = v;
      }
    }
  }
  if (best < 0)
    throw new VlaError('MODEL_OUTPUT_INVALID', 'no action token to choose from', { hint: 'the allowed token ranges are empty' });
  return best;
}

/** The allowed ranges' logits, concatenated (what goldens compare). */
export function logitsOver(logits: ArrayLike<number>, allowed: readonly IdRange[]): Float32Array {
  let n = 0;
  for (const [s, e] of allowed) n += e - s;
  const out = new Float32Array(n);
  let k = 0;
  for (const [s, e] of allowed) for (let id = s; id < e; id++) out[k++] = logits[id]!;
  return out;
}

/** Merges sorted single ids into ranges: [3, 4, 5, 9] -> [[3, 6], [9, 10]]. */
export function idsToRanges(ids: readonly number[]): IdRange[] {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const id of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === id) last[1] = id + 1;
    else out.push([id, id + 1]);
  }
  return out;
}

export function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}
