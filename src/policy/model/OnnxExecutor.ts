import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describeError, VlaError } from '../../errors';
import { isKvInput, kvDims, kvLayers, pastName, presentName } from './kvCache';
import type { ExecutorIo, ExecutorSpec, GenerateRequest, GenerateResult, ModelExecutor } from './ModelExecutor';
import {
  type Feeds,
  idsTensor,
  intTypeOf,
  logitsOver,
  type ModelIo,
  onesTensor,
  rangeTensor,
  restrictedArgmax,
  type TensorData,
  type TensorInfo,
} from './tensors';

export const POSITION_IDS = 'position_ids';

/** How each input of a session is fed at a generation step, worked out once at load. */
type InputSlot = { name: string; kind: 'ids' | 'mask' | 'positions'; type: 'int64' | 'int32' } | { name: string; kind: 'past' | 'extra' };

interface LoadedSession {
  session: ort.InferenceSession;
  io: ModelIo;
  inputNames: ReadonlySet<string>;
  /** KV layers among its inputs (0 when it takes no past). */
  pastLayers: number;
}

async function openSession(file: string, threads: number, providers: readonly string[]): Promise<LoadedSession> {
  let session: ort.InferenceSession | undefined;
  let list = providers.length === 0 ? ['cpu'] : [...providers];
  const fallbacks: string[] = [];
  while (session === undefined) {
    try {
      session = await ort.InferenceSession.create(file, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        executionProviders: list,
      });
    } catch (err) {
      const first = list[0]!;
      const reason = describeError(err).split('\n')[0]!;
      if (first === 'cpu') {
        throw new VlaError('POLICY_INVALID', `cannot load ${basename(file)}: ${reason}`, {
          file,
          hint: 'check that it is an ONNX model (opset <= 21); weights in an external .onnx.data file must sit next to it under the name the model records',
        });
      }
      if (!list.includes('cpu')) {
        throw new VlaError(
          'EXECUTION_PROVIDER_UNAVAILABLE',
          `onnxruntime execution provider "${first}" is not available here (${reason})`,
          {
            file,
            path: 'runtime.execution_providers',
            hint: `install onnxruntime-node's ${first} binaries (README: GPU execution providers), or list cpu after it for a logged fallback`,
          },
        );
      }
      fallbacks.push(`execution provider "${first}" is not available (${reason}): falling back to "${list[1]}"`);
      list = list.slice(1);
    }
  }
  const info = (m: ort.InferenceSession.ValueMetadata): TensorInfo =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] };
  const io: ModelIo = { file, inputs: session.inputMetadata.map(info), outputs: session.outputMetadata.map(info) };
  return {
    session,
    io: { ...io, executionProvider: list[0]!, fallbacks },
    inputNames: new Set(session.inputNames),
    pastLayers: kvLayers(io.inputs, 'past').layers,
  };
}

function toOrt(t: TensorData): ort.Tensor {
  return new ort.Tensor(t.type, t.data, [...t.dims]);
}

function fromOrt(t: ort.Tensor): TensorData {
  return { type: t.type as TensorData['type'], dims: [...t.dims], data: t.data as TensorData['data'] };
}

/**
 * onnxruntime sessions in this thread. Single pass: feeds in, outputs out. Autoregressive: prefill on the prompt,
 * then one token at a time with the KV cache (present.* of a step become past_key_values.* of the next),
 * choosing greedily among the allowed ids; attention_mask covers past + new tokens and position_ids (when the
 * graph takes them) continue from the past length.
 */
export class OnnxExecutor implements ModelExecutor {
  readonly io: ExecutorIo;
  private readonly spec: ExecutorSpec;
  private readonly main: LoadedSession;
  private readonly step: LoadedSession;
  private readonly mainSlots: readonly InputSlot[];
  private readonly stepSlots: readonly InputSlot[];
  /** past_key_values.N.* <- present.N.* for the decode step, and what each step fetches. */
  private readonly kvPairs: readonly { past: string; present: string }[];
  private readonly fetch: readonly string[];
  private cancelled = false;
  /** Set by the worker: a shared flag the main thread raises to cancel. */
  private readonly externalCancel?: () => boolean;

  private constructor(spec: ExecutorSpec, main: LoadedSession, decode: LoadedSession | undefined, externalCancel?: () => boolean) {
    this.spec = spec;
    this.main = main;
    this.step = decode ?? main;
    this.io = decode === undefined ? { main: main.io } : { main: main.io, decode: decode.io };
    this.externalCancel = externalCancel;
    this.mainSlots = this.slots(main);
    this.stepSlots = this.step === main ? this.mainSlots : this.slots(this.step);
    this.kvPairs = Array.from({ length: this.step.pastLayers }, (_, l) =>
      (['key', 'value'] as const).map((part) => ({ past: pastName(l, part), present: presentName(l, part) })),
    ).flat();
    this.fetch = [spec.logits, ...this.kvPairs.map((p) => p.present)];
  }

  static async load(spec: ExecutorSpec, externalCancel?: () => boolean): Promise<OnnxExecutor> {
    const providers = spec.executionProviders ?? ['cpu'];
    const main = await openSession(spec.modelFile, spec.threads, providers);
    const decode = spec.decodeModelFile === undefined ? undefined : await openSession(spec.decodeModelFile, spec.threads, providers);
    return new OnnxExecutor(spec, main, decode, externalCancel);
  }

  async runOnce(feeds: Feeds, outputs: readonly string[]): Promise<Record<string, TensorData>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of this.main.inputNames) {
      const t = feeds[name];
      if (t === undefined) throw new VlaError('INFERENCE_FAILED', `nothing feeds the model input "${name}"`);
      ortFeeds[name] = toOrt(t);
    }
    const result = await this.run(this.main, ortFeeds, outputs);
    const out: Record<string, TensorData> = {};
    for (const name of outputs) out[name] = fromOrt(result[name]!);
    return out;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.cancelled = false;
    if (request.maxNewTokens > 1 && this.step.pastLayers === 0) {
      throw new VlaError('MODEL_MISMATCH', `${basename(this.step.io.file)} takes no past_key_values.*: it cannot decode token by token`, {
        file: this.step.io.file,
      });
    }
    const tokens: number[] = [];
    const logits: Float32Array[] | undefined = request.returnLogits ? [] : undefined;
    let past: Record<string, ort.Tensor> = this.main.pastLayers > 0 ? this.emptyPast() : {};
    let pastLength = 0;
    let newIds: readonly number[] = request.promptIds;
    const extra: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(request.feeds)) extra[name] = toOrt(t);
    let runs = 0;
    for (let i = 0; i < request.maxNewTokens; i++) {
      const s = i === 0 ? this.main : this.step;
      const feeds = this.stepFeeds(i === 0 ? this.mainSlots : this.stepSlots, s, newIds, pastLength, past, extra);
      const out = await this.run(s, feeds, this.fetch);
      runs++;
      const row = lastRow(out[this.spec.logits]!, this.spec.logits);
      const token = restrictedArgmax(row, request.allowed);
      tokens.push(token);
      logits?.push(logitsOver(row, request.allowed));
      if (request.stopIds.includes(token) || i + 1 === request.maxNewTokens) break;
      if (this.cancelled || this.externalCancel?.() === true) {
        throw new VlaError('INFERENCE_TIMEOUT', `decoding cancelled after ${tokens.length} tokens`, {
          hint: 'the inference missed its deadline',
        });
      }
      past = {};
      for (const p of this.kvPairs) past[p.past] = out[p.present]!;
      pastLength = out[this.kvPairs[0]!.present]!.dims[2]!;
      newIds = [token];
    }
    return { tokens, logits, runs };
  }

  cancel(): void {
    this.cancelled = true;
  }

  async close(): Promise<void> {
    await this.main.session.release();
    if (this.step !== this.main) await this.step.session.release();
  }

  private async run(
    s: LoadedSession,
    feeds: Record<string, ort.Tensor>,
    outputs: readonly string[],
  ): Promise<ort.InferenceSession.OnnxValueMapType> {
    try {
      return await s.session.run(feeds, [...outputs]);
    } catch (err) {
      throw new VlaError('INFERENCE_FAILED', `${basename(s.io.file)} failed: ${describeError(err).split('\n')[0]}`, { file: s.io.file });
    }
  }

  private slots(s: LoadedSession): InputSlot[] {
    const typeOf = (name: string) => intTypeOf(s.io.inputs.find((i) => i.name === name));
    return [...s.inputNames].map((name): InputSlot => {
      if (name === this.spec.inputIds) return { name, kind: 'ids', type: typeOf(name) };
      if (name === this.spec.attentionMask) return { name, kind: 'mask', type: typeOf(name) };
      if (name === POSITION_IDS) return { name, kind: 'positions', type: typeOf(name) };
      return { name, kind: isKvInput(name) ? 'past' : 'extra' };
    });
  }

  private stepFeeds(
    slots: readonly InputSlot[],
    s: LoadedSession,
    ids: readonly number[],
    pastLength: number,
    past: Record<string, ort.Tensor>,
    extra: Record<string, ort.Tensor>,
  ): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const slot of slots) {
      switch (slot.kind) {
        case 'ids':
          feeds[slot.name] = toOrt(idsTensor(ids, slot.type));
          break;
        case 'mask':
          feeds[slot.name] = toOrt(onesTensor(pastLength + ids.length, slot.type));
          break;
        case 'positions':
          feeds[slot.name] = toOrt(rangeTensor(pastLength, ids.length, slot.type));
          break;
        case 'past':
          feeds[slot.name] = past[slot.name]!;
          break;
        case 'extra': {
          const t = extra[slot.name];
          if (t === undefined)
            throw new VlaError('INFERENCE_FAILED', `nothing feeds the model input "${slot.name}" of ${basename(s.io.file)}`);
          feeds[slot.name] = t;
        }
      }
    }
    return feeds;
  }

  private emptyPast(): Record<string, ort.Tensor> {
    const declared = kvDims(this.main.io);
    const numHeads = declared.numHeads ?? this.spec.kvCache?.numHeads;
    const headDim = declared.headDim ?? this.spec.kvCache?.headDim;
    if (numHeads === undefined || headDim === undefined) {
      throw new VlaError('MODEL_MISMATCH', 'the KV-cache heads and head size are symbolic in the graph', {
        file: this.main.io.file,
        path: 'model.kv_cache',
        hint: 'give model.kv_cache: { num_heads, head_dim } in the manifest',
      });
    }
    const past: Record<string, ort.Tensor> = {};
    for (let l = 0; l < this.main.pastLayers; l++) {
      for (const part of ['key', 'value'] as const)
        past[pastName(l, part)] = new ort.Tensor('float32', new Float32Array(0), [1, numHeads, 0, headDim]);
    }
    return past;
  }
}

/** The last position's logits: [1, n, vocab] -> the n-1 row. */
function lastRow(t: ort.Tensor, name: string): Float32Array {
  const data = t.data;
  if (!(data instanceof Float32Array))
    throw new VlaError('MODEL_OUTPUT_INVALID', `output "${name}" is ${t.type}, float32 logits are expected`);
  const vocab = t.dims[t.dims.length - 1]!;
  return data.subarray(data.length - vocab);
}
