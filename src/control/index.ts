export * from './clock';
export { ControlLoop, type ControlLoopListeners, type ControlLoopOptions, type ControlLoopStats, type InferenceMode, type TickInfo } from './ControlLoop';
export { FixedRateScheduler, type SchedulerOptions, type SchedulerStats, type TickTiming } from './FixedRateScheduler';
export { type SafetyGate, safetyGateFor, type SafetyStepInput, type SafetyStepResult, type WatchdogInputs } from './SafetyGate';
export { ActionQueue, type ActionQueueOptions, type Handover, type QueueSample, type QueueStatus } from './queue/ActionQueue';
export { ChunkConverter, type ChunkConverterOptions, type DeltaConvention, gripperPosition, targetSpaceFor } from './queue/ChunkConverter';
export { interpolateChunk, type Interpolation } from './queue/interpolateChunk';
export type { TargetChunk, TargetSpace } from './queue/TargetChunk';
export { DlsIkSolver, type DlsIkOptions, type IkResult } from '../robot/DlsIkSolver';
