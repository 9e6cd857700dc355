/** The policy runtime's public surface: load a policy folder, run it, read its manifest. */
export type { ActionChunk, ActionSpace, InferOptions, Policy } from './Policy';
export { loadPolicy, type LoadPolicyOptions } from './loadPolicy';
export { GuardedPolicy, type PolicyStepper } from './GuardedPolicy';
export {
  type ModelOutput,
  type PolicyRuntimeOptions,
  PolicyRuntime,
  type PolicyStep,
  type StepOptions,
  type StepTimings,
} from './runtime/PolicyRuntime';
export {
  type CameraSpec,
  type GeometrySpec,
  type ModelSpec,
  type NormalizationSpec,
  OPENVLA_PROMPT,
  POLICY_FORMAT,
  type PolicyManifest,
  PolicyManifestSchema,
  type PromptSpec,
  type StateSpec,
} from './manifest/PolicyManifest';
export type { DecoderSpec, GripperSpec } from './manifest/ActionSchema';
export { actionSpaceOf } from './manifest/actionSpaceOf';
export { loadPolicyManifest, MANIFEST_FILE, type PolicyFolder } from './manifest/loadPolicyManifest';
export { binCenters, binEdges, UniformBins } from './decode/uniformBins';
export { decodeFastText, dctOrthoMatrix, idctOrthoTime } from './decode/fastDct';
