import { VlaError } from '../../errors';
import { actionSpaceOf } from '../manifest/actionSpaceOf';
import type { Observation } from '../../observation/Observation';
import { type ActionDecoder, createActionDecoder } from '../decode/ActionDecoder';
import { loadPolicyManifest, type PolicyFolder } from '../manifest/loadPolicyManifest';
import type { ExecutionProvider, PolicyManifest } from '../manifest/PolicyManifest';
import type { ExecutorSpec, ModelExecutor } from '../model/ModelExecutor';
import { OnnxExecutor, POSITION_IDS } from '../model/OnnxExecutor';
import { type Feeds, idsTensor, intTypeOf, logitsOver, onesTensor, rangeTensor, restrictedArgmax, type TensorData } from '../model/tensors';
import { loadNormalization } from '../normalization/loadNormalization';
import { normalize, type Normalization } from '../normalization/Normalization';
import type { ActionChunk, ActionSpace, StateInput } from '../Policy';
import { CameraPreprocessor } from '../preprocess/CameraPreprocessor';
import { PromptBuilder } from '../prompt/PromptBuilder';
import { TextTokenizer } from '../prompt/TextTokenizer';
import { WorkerExecutor } from '../worker/WorkerExecutor';
import { checkModelIo, type ExpectedInput } from './checkModelIo';
import { actionLimits, type ActionLimits, finishActions } from './finishActions';

export interface PolicyRuntimeOptions {
  /** onnxruntime intra-op threads (default: the manifest's runtime.threads). */
  threads?: number;
  /**
   * Where the onnxruntime sessions run: `in_process` (this thread: tests, benchmarks, one-shot CLI use) or
   * `worker` (a worker thread, so that session.run never blocks this thread's event loop).
   */
  executor?: 'in_process' | 'worker';
  /** onnxruntime execution providers (default: the manifest's runtime.execution_providers; `--execution-provider`). */
  executionProviders?: readonly ExecutionProvider[];
  /** Where a provider fallback is logged (default: stderr). */
  log?: (line: string) => void;
}

/** Seconds spent in each stage of one step. */
export interface StepTimings {
  preprocessS: number;
  tokenizeS: number;
  inferenceS: number;
  decodeS: number;
  totalS: number;
}

/** What the model produced, before decoding. */
export interface ModelOutput {
  tokens?: number[];
  tensor?: TensorData;
  /** Per token, the logits of the allowed ids (when asked for). */
  logits?: Float32Array[];
}

export interface StepOptions {
  /** Keep each token's logits over the allowed ids (goldens, diagnostics). */
  returnLogits?: boolean;
}

export interface PolicyStep {
  chunk: ActionChunk;
  promptIds: readonly number[];
  timings: StepTimings;
  logits?: Float32Array[];
}

const nowS = () => performance.now() / 1000;

/**
 * The policy pipeline, in process: preprocess (OpenCV) -> tokenize -> run (the executor: here or in a worker) ->
 * decode -> unnormalize -> validate. Every stage is also callable on its own, for tests and benchmarks.
 * Load checks the manifest against the real model inputs and outputs before any inference.
 */
export class PolicyRuntime {
  readonly folder: PolicyFolder;
  readonly manifest: PolicyManifest;
  readonly name: string;
  readonly space: ActionSpace;
  readonly horizon: number;
  readonly dims: number;
  readonly stepDtS: number;
  readonly stepsToExecute: number;
  readonly cameras: readonly string[];
  readonly stateInput: StateInput | undefined;
  readonly decoder: ActionDecoder;
  readonly executor: ModelExecutor;
  private readonly preprocessors: readonly CameraPreprocessor[];
  private readonly prompt: PromptBuilder | undefined;
  private readonly actionNormalization: Normalization;
  private readonly stateNormalization: Normalization | undefined;
  private readonly limits: ActionLimits;

  private constructor(parts: {
    folder: PolicyFolder;
    decoder: ActionDecoder;
    executor: ModelExecutor;
    preprocessors: CameraPreprocessor[];
    prompt: PromptBuilder | undefined;
    actionNormalization: Normalization;
    stateNormalization: Normalization | undefined;
  }) {
    this.folder = parts.folder;
    this.manifest = parts.folder.manifest;
    const m = this.manifest;
    this.name = m.name;
    const space = m.action.space;
    this.space = actionSpaceOf(m);
    this.horizon = m.action.chunk.horizon;
    this.dims = space.names.length;
    this.stepDtS = m.action.chunk.step_dt_s;
    this.stepsToExecute = m.action.chunk.steps_to_execute;
    this.cameras = m.cameras.map((c) => c.name);
    this.stateInput = m.state === undefined ? undefined : { dims: m.state.dims, source: m.state.source };
    this.decoder = parts.decoder;
    this.executor = parts.executor;
    this.preprocessors = parts.preprocessors;
    this.prompt = parts.prompt;
    this.actionNormalization = parts.actionNormalization;
    this.stateNormalization = parts.stateNormalization;
    this.limits = actionLimits(m);
  }

  /** Loads a policy folder: manifest, tokenizer, decoder, statistics, model sessions; then checks model I/O. */
  static async load(dirOrManifest: string, options: PolicyRuntimeOptions = {}): Promise<PolicyRuntime> {
    const folder = loadPolicyManifest(dirOrManifest);
    const m = folder.manifest;
    const at = folder.at;
    const dims = m.action.space.names.length;
    const tokenizer =
      m.prompt === undefined ? undefined : TextTokenizer.load(folder.resolve(m.prompt.tokenizer), at(['prompt', 'tokenizer']));
    const prompt = m.prompt === undefined || tokenizer === undefined ? undefined : new PromptBuilder(m.prompt, tokenizer, at);
    const decoder = createActionDecoder(m.action.decoder, {
      horizon: m.action.chunk.horizon,
      dims,
      tokenizer,
      resolveFile: folder.resolve,
      at,
    });
    const actionNormalization = loadNormalization({
      spec: m.action.normalization,
      dims,
      role: 'action',
      resolveFile: folder.resolve,
      where: at(['action', 'normalization']),
    });
    const stateNormalization =
      m.state === undefined
        ? undefined
        : loadNormalization({
            spec: m.state.normalization,
            dims: m.state.dims,
            role: 'state',
            resolveFile: folder.resolve,
            where: at(['state', 'normalization']),
          });
    const preprocessors = m.cameras.map((c) => new CameraPreprocessor(c));

    const spec: ExecutorSpec = {
      type: m.model.type,
      modelFile: folder.modelFile,
      decodeModelFile: folder.decodeModelFile,
      threads: options.threads ?? m.runtime.threads,
      executionProviders: options.executionProviders ?? m.runtime.execution_providers,
      inputIds: m.prompt?.input_ids ?? 'input_ids',
      attentionMask: m.prompt?.attention_mask ?? 'attention_mask',
      logits: decoder.output,
      kvCache:
        m.model.type === 'autoregressive' && m.model.kv_cache !== undefined
          ? { numHeads: m.model.kv_cache.num_heads, headDim: m.model.kv_cache.head_dim }
          : undefined,
    };
    const executor = options.executor === 'worker' ? await WorkerExecutor.start(spec) : await OnnxExecutor.load(spec);
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    for (const line of new Set([...(executor.io.main.fallbacks ?? []), ...(executor.io.decode?.fallbacks ?? [])]))
      log(`policy ${m.name}: ${line}`);
    try {
      checkModelIo(m, executor.io, expectedInputs(m, preprocessors), decoder, at, tokenizer?.vocabSize);
    } catch (err) {
      await executor.close();
      throw err;
    }
    return new PolicyRuntime({ folder, decoder, executor, preprocessors, prompt, actionNormalization, stateNormalization });
  }

  /** One inference: observation in, validated and unnormalized action chunk out. */
  async step(observation: Observation, options: StepOptions = {}): Promise<PolicyStep> {
    const t0 = nowS();
    const feeds = this.preprocess(observation);
    const t1 = nowS();
    const promptIds = this.tokenize(observation.instruction);
    const t2 = nowS();
    const output = await this.run(feeds, promptIds, options);
    const t3 = nowS();
    const chunk = this.decode(output, observation.stampS);
    const t4 = nowS();
    chunk.inferenceS = t3 - t2;
    return {
      chunk,
      promptIds,
      logits: output.logits,
      timings: { preprocessS: t1 - t0, tokenizeS: t2 - t1, inferenceS: t3 - t2, decodeS: t4 - t3, totalS: t4 - t0 },
    };
  }

  /** Camera frames and the state -> model input tensors. */
  preprocess(observation: Observation): Feeds {
    const feeds: Feeds = {};
    for (const pre of this.preprocessors) {
      const frame = observation.images.get(pre.spec.name);
      if (frame === undefined) {
        const have = [...observation.images.keys()];
        throw new VlaError('IMAGE_INVALID', `no frame from camera "${pre.spec.name}"`, {
          path: `images.${pre.spec.name}`,
          hint:
            `the policy needs cameras ${this.cameras.join(', ')}; the observation has ` +
            `${have.length > 0 ? have.join(', ') : 'none'} (names come from the embodiment's topics.cameras)`,
        });
      }
      feeds[pre.spec.tensor] = pre.run(frame);
    }
    const state = this.manifest.state;
    if (state !== undefined) feeds[state.tensor] = this.stateTensor(observation, state.source, state.dims);
    return feeds;
  }

  /** The instruction -> prompt token ids (empty for policies without language). */
  tokenize(instruction: string): number[] {
    return this.prompt === undefined ? [] : this.prompt.build(instruction);
  }

  /** Runs the model: greedy decoding with the KV cache, or one pass. */
  async run(feeds: Feeds, promptIds: readonly number[], options: StepOptions = {}): Promise<ModelOutput> {
    const decoder = this.decoder;
    const returnLogits = options.returnLogits === true;
    if (this.manifest.model.type === 'autoregressive') {
      if (decoder.kind !== 'tokens') throw new VlaError('POLICY_INVALID', 'an autoregressive model needs a token decoder');
      const result = await this.executor.generate({
        feeds,
        promptIds,
        allowed: decoder.allowed,
        maxNewTokens: decoder.maxNewTokens,
        stopIds: decoder.stopIds,
        returnLogits,
      });
      return { tokens: result.tokens, logits: result.logits };
    }
    const all: Feeds = { ...feeds, ...this.promptFeeds(promptIds) };
    const out = (await this.executor.runOnce(all, [decoder.output]))[decoder.output]!;
    if (decoder.kind === 'continuous') return { tensor: out };
    // Single-pass tokens: one greedy choice per position of [1, positions, vocab].
    const vocab = out.dims[out.dims.length - 1]!;
    const data = out.data as Float32Array;
    const tokens: number[] = [];
    const logits: Float32Array[] = [];
    for (let p = 0; p < data.length / vocab; p++) {
      const row = data.subarray(p * vocab, (p + 1) * vocab);
      tokens.push(restrictedArgmax(row, decoder.allowed));
      if (returnLogits) logits.push(logitsOver(row, decoder.allowed));
    }
    return { tokens, logits: returnLogits ? logits : undefined };
  }

  /** Model output -> decoded, unnormalized, validated chunk. */
  decode(output: ModelOutput, observationStampS: number): ActionChunk {
    const decoder = this.decoder;
    let normalized: Float64Array;
    if (decoder.kind === 'tokens') {
      if (output.tokens === undefined) throw new VlaError('MODEL_OUTPUT_INVALID', 'the model produced no tokens');
      normalized = decoder.decode(output.tokens);
    } else {
      if (output.tensor === undefined) throw new VlaError('MODEL_OUTPUT_INVALID', `the model produced no "${decoder.output}" tensor`);
      normalized = decoder.decode(output.tensor);
    }
    const actions = finishActions(normalized, this.actionNormalization, this.limits);
    return {
      observationStampS,
      actions,
      horizon: this.horizon,
      dims: this.dims,
      stepsToExecute: this.stepsToExecute,
      stepDtS: this.stepDtS,
      space: this.space,
      tokens: output.tokens,
      normalized,
    };
  }

  /** Asks a running inference to stop at its next decoding step. */
  cancel(): void {
    this.executor.cancel();
  }

  async close(): Promise<void> {
    await this.executor.close();
  }

  private promptFeeds(promptIds: readonly number[]): Feeds {
    const prompt = this.manifest.prompt;
    if (prompt === undefined) return {};
    const inputs = new Map(this.executor.io.main.inputs.map((i) => [i.name, i]));
    const feeds: Feeds = { [prompt.input_ids]: idsTensor(promptIds, intTypeOf(inputs.get(prompt.input_ids))) };
    if (inputs.has(prompt.attention_mask))
      feeds[prompt.attention_mask] = onesTensor(promptIds.length, intTypeOf(inputs.get(prompt.attention_mask)));
    if (inputs.has(POSITION_IDS)) feeds[POSITION_IDS] = rangeTensor(0, promptIds.length, intTypeOf(inputs.get(POSITION_IDS)));
    return feeds;
  }

  private stateTensor(observation: Observation, source: 'position' | 'position_velocity', dims: number): TensorData {
    const js = observation.jointState;
    let values: ArrayLike<number> = js.position;
    if (source === 'position_velocity') {
      if (js.velocity === undefined) {
        throw new VlaError('ARGUMENT_INVALID', 'the policy reads joint velocities, the joint state has none', {
          path: 'state',
          hint: 'the state source is position_velocity: the joint_states topic must carry velocity',
        });
      }
      values = [...js.position, ...js.velocity];
    }
    if (values.length !== dims) {
      throw new VlaError('ARGUMENT_INVALID', `the policy reads ${dims} state values (${source}), the observation has ${values.length}`, {
        path: 'state',
        hint: "the state is the embodiment's command joints in order (arm joints, then the gripper): check state.dims against the embodiment",
      });
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!))
        throw new VlaError('ARGUMENT_INVALID', `state value ${i} is ${values[i]}`, {
          path: 'state',
          hint: 'the joint state must be finite',
        });
    }
    const out = new Float32Array(dims);
    normalize(this.stateNormalization ?? { type: 'none', dims }, values, out);
    return { type: 'float32', dims: [1, dims], data: out };
  }
}

/** The tensors the manifest feeds, with the shapes and types it implies. */
function expectedInputs(m: PolicyManifest, preprocessors: readonly CameraPreprocessor[]): ExpectedInput[] {
  const out: ExpectedInput[] = preprocessors.map((p, i) => ({
    name: p.spec.tensor,
    shape: p.dims,
    types: [p.spec.dtype],
    path: ['cameras', i, 'tensor'],
  }));
  if (m.state !== undefined) out.push({ name: m.state.tensor, shape: [1, m.state.dims], types: ['float32'], path: ['state', 'tensor'] });
  if (m.prompt !== undefined) {
    out.push({ name: m.prompt.input_ids, shape: [1, null], types: ['int64', 'int32'], path: ['prompt', 'input_ids'] });
    out.push({
      name: m.prompt.attention_mask,
      shape: [1, null],
      types: ['int64', 'int32'],
      path: ['prompt', 'attention_mask'],
      optional: true,
    });
  }
  return out;
}
