import { PolicyRuntime, type PolicyRuntimeOptions } from './runtime/PolicyRuntime';
import { RuntimePolicy } from './RuntimePolicy';

export interface LoadPolicyOptions extends PolicyRuntimeOptions {
  /** Deadline of infer() calls that give none, seconds (none by default). */
  deadlineS?: number;
}

/**
 * Loads a policy folder (manifest.yaml, ONNX model(s), tokenizer.json, statistics) as a Policy for the control
 * loop: the onnxruntime sessions run in a worker thread unless options.executor says `in_process`.
 */
export async function loadPolicy(dir: string, options: LoadPolicyOptions = {}): Promise<RuntimePolicy> {
  const runtime = await PolicyRuntime.load(dir, { ...options, executor: options.executor ?? 'worker' });
  return new RuntimePolicy(runtime, options.deadlineS);
}
