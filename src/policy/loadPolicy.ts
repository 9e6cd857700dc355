import type { Embodiment } from '../config/Embodiment';
import { isServedFormat, parseManifest, readManifestSource } from './manifest/loadPolicyManifest';
import { type ServedPolicyManifest, ServedPolicyManifestSchema } from './manifest/ServedPolicyManifest';
import { RemotePolicy } from './remote/RemotePolicy';
import { stateSourceOf } from './remote/ServedObservation';
import { PolicyRuntime, type PolicyRuntimeOptions } from './runtime/PolicyRuntime';
import { GuardedPolicy } from './GuardedPolicy';

export interface LoadPolicyOptions extends PolicyRuntimeOptions {
  /** Deadline of infer() calls that give none, seconds (none by default). */
  deadlineS?: number;
  /** Served policies: the server URL instead of the manifest's (`--policy-server`, node parameter `policy_server`). */
  policyServer?: string;
  /** Served policies: the embodiment whose joint state becomes the server's state (policy joints, then the gripper). */
  embodiment?: Embodiment;
}

/** A served policy folder's manifest (`format: vla_bridge.served_policy/1`), validated. */
export function loadServedManifest(dir: string): ServedPolicyManifest | undefined {
  const { manifestFile, source } = readManifestSource(dir);
  return isServedFormat(source.value) ? parseManifest(ServedPolicyManifestSchema, source, manifestFile) : undefined;
}

/**
 * Loads a policy folder as a Policy for the control loop. A local folder (manifest.yaml, ONNX model(s),
 * tokenizer.json, statistics) runs its onnxruntime sessions in a worker thread unless options.executor says
 * `in_process`; a served folder connects to its policy server (openpi protocol) and checks its metadata.
 */
export async function loadPolicy(dir: string, options: LoadPolicyOptions = {}): Promise<GuardedPolicy> {
  const served = loadServedManifest(dir);
  if (served !== undefined) {
    const stateSource =
      options.embodiment === undefined ? undefined : stateSourceOf(options.embodiment, served.action.space.gripper?.convention);
    return RemotePolicy.connect(served, { url: options.policyServer, deadlineS: options.deadlineS, stateSource });
  }
  const runtime = await PolicyRuntime.load(dir, { ...options, executor: options.executor ?? 'worker' });
  return new GuardedPolicy(runtime, options.deadlineS);
}
