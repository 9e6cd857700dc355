import { secondsToTime, timeToSeconds } from '../time/rosTime';
import { type ActionChunkMsg, SAFETY_EVENT_SEVERITY, type SafetyEventMsg } from '../msgs/vlaMessages';
import type { ActionChunk, ActionSpace } from '../policy/Policy';
import { describeSafetyEvent, SAFETY_LIMITS, type SafetyEvent, type SafetyLimit, type SafetySeverity } from '../safety/SafetyEvent';

/**
 * Converters between the core's types and the package's own messages (msg/*.msg): the node publishes them
 * through rclnodejs, and `sim --record` and `eval` write them into bags with the same field names, so all of
 * them use these: one converter, one truth.
 */

/** Every core severity has its SafetyEvent.msg constant (the compiler checks it; test/ros/interfaces.test.ts checks the .msg). */
const SEVERITY_CODES: Readonly<Record<SafetySeverity, number>> = SAFETY_EVENT_SEVERITY;
const SEVERITY_BY_CODE = new Map(Object.entries(SEVERITY_CODES).map(([severity, code]) => [code, severity as SafetySeverity]));

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
  const severity = SEVERITY_BY_CODE.get(msg.severity);
  if (severity === undefined || !(SAFETY_LIMITS as readonly string[]).includes(msg.limit)) return undefined;
  const event: SafetyEvent = { tS: timeToSeconds(msg.stamp), limit: msg.limit as SafetyLimit, severity };
  if (msg.target !== '') event.target = msg.target;
  if (!Number.isNaN(msg.requested)) event.requested = msg.requested;
  if (!Number.isNaN(msg.applied)) event.applied = msg.applied;
  if (msg.message !== '') event.message = msg.message;
  return event;
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
