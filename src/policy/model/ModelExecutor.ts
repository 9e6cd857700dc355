import type { Feeds, IdRange, ModelIo, TensorData } from './tensors';

/** What to load: the model file(s) and the names of the inputs the executor feeds itself. */
export interface ExecutorSpec {
  type: 'single_pass' | 'autoregressive';
  modelFile: string;
  /** Autoregressive: the one-token step with past_key_values.* inputs, when it is its own file. */
  decodeModelFile?: string;
  /** onnxruntime intra-op threads. */
  threads: number;
  /** onnxruntime execution providers in order of preference (default cpu); cpu after a provider = fallback. */
  executionProviders?: readonly string[];
  /** Token inputs and the logits output (autoregressive). */
  inputIds: string;
  attentionMask: string;
  logits: string;
  /** KV-cache dimensions when the graph leaves them symbolic. */
  kvCache?: { numHeads: number; headDim: number };
}

export interface ExecutorIo {
  /** The single-pass model, or the prefill model. */
  main: ModelIo;
  /** The decode model, when it is a separate file. */
  decode?: ModelIo;
}

/** Greedy autoregressive decoding with a KV cache, restricted to the allowed ids. */
export interface GenerateRequest {
  /** Non-token inputs (cameras, state): fed to the prefill, and to decode steps whose graph declares them. */
  feeds: Feeds;
  promptIds: readonly number[];
  allowed: readonly IdRange[];
  maxNewTokens: number;
  /** Generation ends after one of these (it is kept as the last token). */
  stopIds: readonly number[];
  /** Return each step's logits over the allowed ranges (for goldens and `infer --json`). */
  returnLogits: boolean;
}

export interface GenerateResult {
  tokens: number[];
  /** Per step, the logits of the allowed ids, concatenated in range order. */
  logits?: Float32Array[];
  /** session.run calls made. */
  runs: number;
}

/**
 * Runs the model. The in-process implementation holds onnxruntime sessions; the worker implementation proxies to
 * one in a worker thread, so that session.run (which blocks its thread for the whole inference) never blocks the
 * control loop.
 */
export interface ModelExecutor {
  readonly io: ExecutorIo;
  /** One pass: feeds in, the named outputs out. */
  runOnce(feeds: Feeds, outputs: readonly string[]): Promise<Record<string, TensorData>>;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** Ask a running generate() to stop at its next step (it rejects with INFERENCE_TIMEOUT). */
  cancel(): void;
  close(): Promise<void>;
}
