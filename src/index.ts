/**
 * The package's public API: what a program embedding vla_bridge uses.
 *
 * - errors: `VlaError` (a code, a location, a hint), `describeError`;
 * - embodiments: `loadEmbodiment` (YAML + URDF, validated);
 * - the pipeline: `ControlLoop` (timing, sampling, the safety stage), its `InferenceScheduler`, the command modes;
 *   `createEpisodeLoop`/`runEpisode` (one wiring, run to a stop condition) and `EpisodeStats` (one set of counts);
 * - clocks: `src/time`;
 * - policies: `loadPolicy`, the `Policy` contract, `GuardedPolicy` (one inference in flight, a deadline) and
 *   `PolicyRuntime` (the in-process preprocess -> model -> decode pipeline);
 * - safety: `SafetyLayer` (the only producer of `SafeCommand`) and the `safety-filter` stream;
 * - bags and evaluation: `BagReader`, `McapRecorder`, `runEval`;
 * - the node's outputs: its topic and service names, dry-run preview topics, the vla_bridge/msg/* shapes and
 *   their converters (`safetyEventToMsg`, `actionChunkToMsg` and inverses);
 * - the ROS 2 node.
 */
export { VlaError, VlaErrorList, describeError, isVlaError, type ErrorCode, type ErrorKind, type ErrorLocation } from './errors';
export { loadEmbodiment } from './config/loadEmbodiment';
export type { Embodiment } from './config/Embodiment';
export * from './time';
export { ControlLoop, type ControlLoopListeners, type ControlLoopOptions, type InferenceMode, type TickInfo } from './control/ControlLoop';
export { addEpisodeStats, type EpisodeStats } from './control/EpisodeStats';
export { createEpisodeLoop, type EpisodeOutcome, runEpisode } from './control/runEpisode';
export { InferenceScheduler } from './control/InferenceScheduler';
export { type CommandMode, commandModeFor, CommandPublisher } from './command';
export { BagReader, McapRecorder } from './bag';
export { runEval, type EvalRunOptions, type EvalRunResult } from './eval/runEval';
export * from './outputs';
export { VLA_MSG_TYPES, SAFETY_EVENT_SEVERITY, type ActionChunkMsg, type PolicyStatusMsg, type SafetyEventMsg } from './msgs/vlaMessages';
export * from './policy';
export * from './safety';
export * from './ros';
