import { basename } from 'node:path';
import { type ErrorLocation, VlaError, VlaErrorList } from '../../errors';
import type { ActionDecoder } from '../decode/ActionDecoder';
import type { PolicyManifest } from '../manifest/PolicyManifest';
import { isKvInput, kvDims, kvLayers } from '../model/kvCache';
import type { ExecutorIo } from '../model/ModelExecutor';
import { POSITION_IDS } from '../model/OnnxExecutor';
import { describeShape, type ModelIo, type TensorInfo } from '../model/tensors';

/** A tensor the manifest says it feeds: its expected shape (null = any size) and types. */
export interface ExpectedInput {
  name: string;
  shape: readonly (number | null)[];
  types: readonly string[];
  /** The manifest field that names it. */
  path: (string | number)[];
  /** Optional inputs are fed only when the graph declares them. */
  optional?: boolean;
}

/**
 * Checks the manifest against the graph(s) before any inference: every model input is fed by something, every
 * tensor the manifest names exists with a compatible shape and type, the KV-cache inputs and outputs pair up,
 * and the decoder's output exists with room for its token ids. All mismatches are reported together, each naming
 * the tensor, the expected and the actual shape.
 */
export function checkModelIo(
  manifest: PolicyManifest,
  io: ExecutorIo,
  expected: readonly ExpectedInput[],
  decoder: ActionDecoder,
  at: (path: (string | number)[]) => ErrorLocation,
  /** Token ids the prompt tokenizer can produce (its vocabulary size), when the policy reads a prompt. */
  promptVocabSize?: number,
): void {
  const errors: VlaError[] = [];
  const mismatch = (message: string, path: (string | number)[], file: string, hint?: string) =>
    errors.push(new VlaError('MODEL_MISMATCH', `${basename(file)}: ${message}`, { ...at(path), hint }));
  const autoregressive = manifest.model.type === 'autoregressive';
  const models: { io: ModelIo; role: 'main' | 'decode' }[] = [{ io: io.main, role: 'main' }];
  if (io.decode !== undefined) models.push({ io: io.decode, role: 'decode' });

  for (const { io: model, role } of models) {
    const inputs = new Map(model.inputs.map((i) => [i.name, i]));
    const known = new Set(expected.map((e) => e.name));
    // Inputs the manifest names: present (except optional ones), right shape and type. A decode model may take
    // only some of them (it sees the images through the cache).
    for (const e of expected) {
      const info = inputs.get(e.name);
      if (info === undefined) {
        if (role === 'main' && e.optional !== true) {
          mismatch(
            `has no input "${e.name}" (its inputs: ${model.inputs.map((i) => i.name).join(', ')})`,
            e.path,
            model.file,
            'use the input name the exported graph has',
          );
        }
        continue;
      }
      checkShape(info, e, model.file, mismatch);
    }
    // Inputs the runtime does not know how to feed.
    for (const info of model.inputs) {
      if (known.has(info.name) || info.name === POSITION_IDS || (autoregressive && isKvInput(info.name))) continue;
      mismatch(
        `input "${info.name}" ${describeShape(info.shape)} is fed by nothing in the manifest`,
        ['cameras'],
        model.file,
        `name it as a camera tensor, the state tensor or a prompt tensor (known: ${[...known].join(', ') || 'none'})`,
      );
    }
    const outputs = new Map(model.outputs.map((o) => [o.name, o]));
    const out = outputs.get(decoder.output);
    if (out === undefined) {
      mismatch(
        `has no output "${decoder.output}" (its outputs: ${model.outputs.map((o) => o.name).join(', ')})`,
        ['action', 'decoder', 'output'],
        model.file,
      );
    } else if (decoder.kind === 'tokens') {
      const vocab = out.shape[out.shape.length - 1];
      const maxId = Math.max(...decoder.allowed.map((r) => r[1] - 1));
      if (typeof vocab === 'number' && vocab <= maxId) {
        mismatch(
          `"${decoder.output}" has ${vocab} logits per position, the action tokens go up to id ${maxId}`,
          ['action', 'decoder'],
          model.file,
          'the decoder settings (vocab_size, token_mapping) do not match this model',
        );
      }
      // The prompt's ids index the model's embedding, which has as many rows as there are logits: a larger
      // tokenizer makes every inference fail inside onnxruntime (Gather idx out of range).
      if (typeof vocab === 'number' && promptVocabSize !== undefined && promptVocabSize > vocab) {
        mismatch(
          `the tokenizer has ${promptVocabSize} tokens, the model only ${vocab} (logits of ` +
            `"${decoder.output}"): prompt ids past ${vocab - 1} cannot be embedded`,
          ['prompt', 'tokenizer'],
          model.file,
          'use the tokenizer the model was trained with',
        );
      }
      if (!autoregressive) {
        const positions = out.shape[out.shape.length - 2];
        const needed = manifest.action.chunk.horizon * manifest.action.space.names.length;
        if (typeof positions === 'number' && positions !== needed) {
          mismatch(
            `"${decoder.output}" gives ${positions} token positions, a ` +
              `${manifest.action.chunk.horizon}-step chunk of ` +
              `${manifest.action.space.names.length} dimensions needs ${needed}`,
            ['action', 'chunk', 'horizon'],
            model.file,
          );
        }
      }
    } else {
      const [h, d] = out.shape.slice(-2);
      const { horizon } = manifest.action.chunk;
      const dims = manifest.action.space.names.length;
      if ((typeof h === 'number' && h !== horizon) || (typeof d === 'number' && d !== dims) || out.shape.length < 2) {
        mismatch(
          `output "${decoder.output}" is ${describeShape(out.shape)}, the manifest expects [1, ${horizon}, ${dims}] (chunk.horizon, action names)`,
          ['action', 'chunk', 'horizon'],
          model.file,
        );
      }
    }
  }

  if (autoregressive) checkKvCache(manifest, io, mismatch);
  if (errors.length > 0) throw errors.length === 1 ? errors[0]! : new VlaErrorList(errors);
}

function checkShape(
  info: TensorInfo,
  e: ExpectedInput,
  file: string,
  mismatch: (m: string, p: (string | number)[], f: string, h?: string) => void,
): void {
  if (!e.types.includes(info.type)) {
    mismatch(
      `input "${e.name}" is ${info.type}, the manifest feeds ${e.types.join(' or ')}`,
      e.path,
      file,
      'match dtype in the manifest to the graph',
    );
  }
  const expectedText = describeShape(e.shape.map((d) => d ?? '*'));
  if (info.shape.length !== e.shape.length) {
    mismatch(`input "${e.name}" has shape ${describeShape(info.shape)}, the manifest gives ${expectedText}`, e.path, file);
    return;
  }
  info.shape.forEach((actual, i) => {
    const want = e.shape[i];
    if (typeof actual === 'number' && want !== null && want !== undefined && actual !== want) {
      mismatch(
        `input "${e.name}" has shape ${describeShape(info.shape)}, the manifest gives ${expectedText}`,
        e.path,
        file,
        'width, height, layout (nchw/nhwc) and channels must match the graph',
      );
    }
  });
}

function checkKvCache(
  manifest: PolicyManifest,
  io: ExecutorIo,
  mismatch: (m: string, p: (string | number)[], f: string, h?: string) => void,
): void {
  const stepIo = io.decode ?? io.main;
  const past = kvLayers(stepIo.inputs, 'past');
  if (past.layers === 0) {
    mismatch(
      io.decode === undefined
        ? 'has no past_key_values.* inputs: one file must serve prefill and decode, or give model.decode'
        : 'the decode model has no past_key_values.* inputs',
      ['model'],
      stepIo.file,
      'export with the Hugging Face optimum KV-cache convention (past_key_values.N.key/value -> present.N.key/value)',
    );
    return;
  }
  if (past.problem !== undefined) mismatch(past.problem, ['model'], stepIo.file);
  for (const model of io.decode === undefined ? [io.main] : [io.main, io.decode]) {
    const present = kvLayers(model.outputs, 'present');
    if (present.problem !== undefined) mismatch(present.problem, ['model'], model.file);
    else if (present.layers !== past.layers) {
      mismatch(
        `has ${present.layers} present.* layers, the decode step takes ${past.layers} past_key_values.* layers`,
        ['model'],
        model.file,
        'prefill and decode must come from the same export',
      );
    }
  }
  const mainPast = kvLayers(io.main.inputs, 'past').layers;
  if (mainPast > 0) {
    const dims = kvDims(io.main);
    const model = manifest.model.type === 'autoregressive' ? manifest.model : undefined;
    if ((dims.numHeads === undefined || dims.headDim === undefined) && model?.kv_cache === undefined) {
      mismatch(
        'the KV-cache heads or head size are symbolic, so the empty cache of the first step cannot be built',
        ['model', 'kv_cache'],
        io.main.file,
        'give model.kv_cache: { num_heads, head_dim }',
      );
    }
    if (dims.type !== undefined && dims.type !== 'float32')
      mismatch(`the KV cache is ${dims.type}; only float32 caches are supported`, ['model'], io.main.file);
  }
}
