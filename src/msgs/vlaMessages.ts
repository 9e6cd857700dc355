import type { NumberArray, TimeMsg } from './rosMessages';
import { secondsToTime, timeToSeconds } from '../time/rosTime';
import type { ActionChunk, ActionSpace } from '../policy/Policy';
import { describeSafetyEvent, SAFETY_LIMITS, type SafetyEvent, type SafetyLimit, type SafetySeverity } from '../safety/SafetyEvent';

/**
 * The package's own messages (msg/*.msg) as TypeScript shapes, and the converters between them and the core's
 * types. The node publishes them through rclnodejs and the bag recorder writes them with the same field
 * names, so both use these converters: one converter, one truth.
 */

export const VLA_MSG_TYPES = {
  policyStatus: 'vla_bridge/msg/PolicyStatus',
  safetyEvent: 'vla_bridge/msg/SafetyEvent',
  actionChunk: 'vla_bridge/msg/ActionChunk',
} as const;

/** vla_bridge/msg/SafetyEvent */
export interface SafetyEventMsg {
  stamp: TimeMsg;
  limit: string;
  target: string;
  requested: number;
  applied: number;
  severity: number;
  message: string;
}

/** SafetyEvent.msg SEVERITY_* constants. */
export const SEVERITY_CODES: Readonly<Record<SafetySeverity, number>> = { info: 0, warn: 1, error: 2 };
const SEVERITIES: readonly SafetySeverity[] = ['info', 'warn', 'error'];

export function safetyEventToMsg(event: SafetyEvent): SafetyEventMsg {
  return {
    stamp: secondsToTime(event.tS),
    limit: event.limit,
    target: event.target ?? '',
    requested: event.requested ?? NaN,
    applied: event.applied ?? NaN,
    severity: SEVERITY_CODES[event.severity],
    message: describeSafetyEvent(event),
  };
}

/** The inverse of safetyEventToMsg (for bags). Unknown limits or severities are MESSAGE_INVALID-worthy: undefined. */
export function safetyEventFromMsg(msg: SafetyEventMsg): SafetyEvent | undefined {
  const severity = SEVERITIES[msg.severity];
  if (severity === undefined || !(SAFETY_LIMITS as readonly string[]).includes(msg.limit)) return undefined;
  const event: SafetyEvent = { tS: timeToSeconds(msg.stamp), limit: msg.limit as SafetyLimit, severity };
  if (msg.target !== '') event.target = msg.target;
  if (!Number.isNaN(msg.requested)) event.requested = msg.requested;
  if (!Number.isNaN(msg.applied)) event.applied = msg.applied;
  if (msg.message !== '') event.message = msg.message;
  return event;
}

/** vla_bridge/msg/ActionChunk */
export interface ActionChunkMsg {
  stamp: TimeMsg;
  names: readonly string[];
  kind: string;
  frame: string;
  gripper_index: number;
  horizon: number;
  dims: number;
  actions: NumberArray;
  step_dt: number;
  steps_to_execute: number;
  tokens: Int32Array | readonly number[];
  inference_s: number;
}

export function actionChunkToMsg(chunk: ActionChunk): ActionChunkMsg {
  return {
    stamp: secondsToTime(chunk.observationStampS),
    names: chunk.space.names,
    kind: chunk.space.kind,
    frame: chunk.space.frame,
    gripper_index: chunk.space.gripperIndex ?? -1,
    horizon: chunk.horizon,
    dims: chunk.dims,
    actions: chunk.actions,
    step_dt: chunk.stepDtS,
    steps_to_execute: chunk.stepsToExecute,
    tokens: chunk.tokens === undefined ? new Int32Array(0) : Int32Array.from(chunk.tokens),
    inference_s: chunk.inferenceS ?? NaN,
  };
}

/** The inverse of actionChunkToMsg (for bags); undefined when the message is inconsistent. */
export function actionChunkFromMsg(msg: ActionChunkMsg): ActionChunk | undefined {
  if (msg.kind !== 'delta' && msg.kind !== 'absolute') return undefined;
  if (msg.frame !== 'joint' && msg.frame !== 'end_effector') return undefined;
  if (msg.actions.length !== msg.horizon * msg.dims || msg.names.length !== msg.dims) return undefined;
  const space: ActionSpace = { names: [...msg.names], kind: msg.kind, frame: msg.frame };
  if (msg.gripper_index >= 0) {
    if (msg.gripper_index >= msg.dims) return undefined;
    space.gripperIndex = msg.gripper_index;
  }
  const chunk: ActionChunk = {
    observationStampS: timeToSeconds(msg.stamp),
    actions: Float64Array.from(msg.actions),
    horizon: msg.horizon,
    dims: msg.dims,
    stepsToExecute: msg.steps_to_execute,
    stepDtS: msg.step_dt,
    space,
  };
  if (msg.tokens.length > 0) chunk.tokens = Array.from(msg.tokens);
  if (!Number.isNaN(msg.inference_s)) chunk.inferenceS = msg.inference_s;
  return chunk;
}

/** vla_bridge/msg/PolicyStatus */
export interface PolicyStatusMsg {
  stamp: TimeMsg;
  lifecycle_state: number;
  mode: string;
  embodiment: string;
  policy: string;
  instruction: string;
  dry_run: boolean;
  estopped: boolean;
  holding: boolean;
  reason: string;
  command_rate_hz: number;
  policy_rate_hz: number;
  ticks: number;
  overruns: number;
  chunks: number;
  safety_interventions: number;
  last_inference_s: number;
  lateness_p50_s: number;
  lateness_p99_s: number;
  lateness_max_s: number;
  clock_stalls: number;
  policy_server: string;
  policy_round_trip_p50_s: number;
  policy_round_trip_p99_s: number;
  policy_server_infer_p50_s: number;
  policy_server_infer_p99_s: number;
  policy_server_failures: number;
  policy_server_reconnects: number;
}
