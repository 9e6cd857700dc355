/**
 * The safety layer's public surface. `mintSafeCommand` is deliberately not here: only src/safety creates the
 * SafeCommand type that publishers accept.
 */
export {
  SafetyLayer,
  DEFAULT_CARTESIAN_ANGULAR_SPEED_RAD_PER_S,
  DEFAULT_CARTESIAN_LINEAR_SPEED_M_PER_S,
  type SafetyPoseInput,
  type SafetyStepInput,
  type SafetyStepResult,
  type SafetyTwistInput,
  type WatchdogInputs,
} from './SafetyLayer';
export { optionsFromEmbodiment, type SafetyLayerOptions, SafetyLayerOptionsSchema, type SafetyLayerOverrides } from './SafetyLayerOptions';
export {
  isSafeCommand,
  type SafeCommand,
  type SafeJointCommand,
  type SafePoseCommand,
  type SafeTwistCommand,
  unsafeReason,
} from './SafeCommand';
export { SAFETY_LIMITS, type SafetyEvent, type SafetyLimit, type SafetySeverity } from './SafetyEvent';
export { DEFAULT_CAMERA_TIMEOUT_S, DEFAULT_WATCHDOG_RESUME, type WatchdogResume, type WatchdogTimeouts } from './Watchdog';
export { MIN_DT_S } from './limitMath';
export { safetyDiagnosticStatus } from './safetyDiagnosticStatus';
export { type FilterOutput, SafetyFilter } from './filter/SafetyFilter';
export { type FilterLine, FilterLineError, parseFilterLine } from './filter/parseFilterLine';
