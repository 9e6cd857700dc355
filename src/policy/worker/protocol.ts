import { describeError, type ErrorCode, type ErrorKind, VlaError } from '../../errors';
import type { ExecutorIo, ExecutorSpec, GenerateRequest } from '../model/ModelExecutor';
import type { Feeds, TensorData } from '../model/tensors';

/** What the worker starts with: the sessions to open and a shared flag the main thread raises to cancel. */
export interface WorkerInit {
  spec: ExecutorSpec;
  /** Int32Array(1) over it: 1 = cancel the running generate() at its next step. */
  cancelFlag: SharedArrayBuffer;
}

export type WorkerRequest =
  | { type: 'runOnce'; id: number; feeds: Feeds; outputs: string[] }
  | { type: 'generate'; id: number; request: GenerateRequest }
  | { type: 'close'; id: number };

export type WorkerReply =
  | { type: 'ready'; io: ExecutorIo }
  | { type: 'failed'; error: SerializedError }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError };

/** A VlaError (or any error) as plain data, so that the main thread rethrows the same code and location. */
export interface SerializedError {
  message: string;
  code?: ErrorCode;
  kind?: ErrorKind;
  file?: string;
  path?: string;
  line?: number;
  hint?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof VlaError)
    return { message: err.message, code: err.code, kind: err.kind, file: err.file, path: err.path, line: err.line, hint: err.hint };
  return { message: describeError(err) };
}

export function deserializeError(e: SerializedError): VlaError {
  return new VlaError(e.code ?? 'INFERENCE_FAILED', e.message, { file: e.file, path: e.path, line: e.line, hint: e.hint, kind: e.kind });
}

/**
 * Buffers to transfer (not copy) with a message: only those a tensor owns whole, so that transferring never
 * detaches memory something else still uses (a pooled Buffer, a view into a larger array).
 */
export function transferList(tensors: Iterable<TensorData>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const t of tensors) {
    const buffer = t.data.buffer;
    if (buffer instanceof ArrayBuffer && t.data.byteOffset === 0 && t.data.byteLength === buffer.byteLength) out.add(buffer);
  }
  return [...out];
}
