import type { NumberArray, TimeMsg } from './rosMessages';

/**
 * The package's own messages (msg/*.msg) as TypeScript shapes, with the .msg field names. The converters
 * between them and the core's types live in src/outputs (one converter, one truth, for the node and the bags).
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
export const SAFETY_EVENT_SEVERITY = { info: 0, warn: 1, error: 2 } as const;

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
