export { ControlLoop, type ControlLoopListeners, type ControlLoopOptions, type InferenceMode, type TickInfo } from './ControlLoop';
export { addEpisodeStats, emptyEpisodeStats, type EpisodeStats, sumEpisodeStats, tallySafetyEvents } from './EpisodeStats';
export {
  createEpisodeLoop,
  type EpisodeEnd,
  type EpisodeLoopOptions,
  type EpisodeOutcome,
  type EpisodeStop,
  runEpisode,
} from './runEpisode';
export { InferenceScheduler, type InferenceCounters, type InferenceSchedulerOptions } from './InferenceScheduler';
export { type SafetyGate, safetyGateFor, type SafetyStepInput, type SafetyStepResult, type WatchdogInputs } from './SafetyGate';
export { ActionQueue, type ActionQueueOptions, type Handover, type QueueSample, type QueueStatus } from './queue/ActionQueue';
export { ChunkConverter, type ChunkConverterOptions, type DeltaConvention, gripperPosition, targetSpaceFor } from './queue/ChunkConverter';
export { interpolateChunk, type Interpolation } from './queue/interpolateChunk';
export { LATENCY_COMPENSATIONS, type LatencyCompensation, latencyCompensationNamed } from './queue/latencyCompensation';
export { DEFAULT_HANDOVER, DEFAULT_HANDOVER_NAME, HANDOVERS, handoverNamed } from './queue/handovers';
export type { TargetChunk, TargetSpace } from './queue/TargetChunk';
export { DlsIkSolver, type DlsIkOptions, type IkResult } from '../robot/DlsIkSolver';
