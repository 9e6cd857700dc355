import type { Observation } from '../observation/Observation';

/** What one action dimension means (manifest `action.space`). */
export interface ActionSpace {
  /** Dimension names in the model's output order (e.g. joint names, or x y z roll pitch yaw gripper). */
  names: readonly string[];
  /** `delta`: add to the current state; `absolute`: a target. Never guessed: the manifest must say. */
  kind: 'delta' | 'absolute';
  /**
   * For delta actions, as the policy manifest states it: `relative_to_observation` (every step is an offset from
   * the state at the chunk's observation) or `cumulative` (each step adds to the previous one).
   */
  deltaConvention?: 'relative_to_observation' | 'cumulative';
  /** `joint`: joint positions; `end_effector`: tool pose (xyz m, rpy rad) in the base frame. */
  frame: 'joint' | 'end_effector';
  /** Index of the gripper dimension, if any (its value is in [0, 1] after unnormalization). */
  gripperIndex?: number;
  /**
   * What 1 means on the gripper dimension, as the policy manifest states it. Compare it with the embodiment's
   * gripper.action_convention: a mismatch opens the gripper when the policy means to close it.
   */
  gripperConvention?: 'open_is_1' | 'close_is_1';
}

/** A validated, unnormalized chunk of actions, ready for the action queue. */
/** The state a policy reads: `dims` values of the embodiment's command joints (positions, or positions then velocities). */
export interface StateInput {
  dims: number;
  source: 'position' | 'position_velocity';
}

export interface ActionChunk {
  /** Stamp of the observation the chunk was computed from, seconds. */
  observationStampS: number;
  /** horizon x dims, row-major, unnormalized, finite and inside the action space. */
  actions: Float64Array;
  horizon: number;
  dims: number;
  /** How many of the horizon's steps to execute before the next chunk takes over. */
  stepsToExecute: number;
  /** Time between two steps of the chunk, seconds (1 / the policy's action rate). */
  stepDtS: number;
  space: ActionSpace;
  /** Tokens the decoder read, for tokenized decoders. */
  tokens?: readonly number[];
  /** The actions before unnormalization, same layout as `actions`. */
  normalized?: Float64Array;
  /** Wall time the inference took, seconds. */
  inferenceS?: number;
}

export interface InferOptions {
  /** Reject with INFERENCE_TIMEOUT if no chunk after this many seconds of wall time. */
  deadlineS?: number;
}

/** Latency and counts of a served policy's server (round trip measured here; the server's own timing as it says). */
export interface PolicyServerStats {
  url: string;
  requests: number;
  replies: number;
  failures: number;
  /** Connection attempts after the first connection (each lost connection costs at least one). */
  reconnects: number;
  /** Requests given up at their deadline (the connection is dropped: a late reply cannot be matched). */
  abandoned: number;
  /** Size of the last request and reply frames, bytes. */
  requestBytes: number;
  replyBytes: number;
  /** Over the most recent replies, ms; undefined before the first. */
  roundTripMs?: { p50: number; p99: number; max: number };
  /** The server's `server_timing.infer_ms` and `policy_timing.infer_ms`, when it sends them. */
  serverInferMs?: { p50: number; p99: number; max: number };
  policyInferMs?: { p50: number; p99: number; max: number };
  lastError?: string;
}

/**
 * A policy turns an observation into an action chunk. Implementations: the ONNX runtime (in a worker thread),
 * a scripted expert for the simulator, test doubles. One in-flight inference at a time.
 */
export interface Policy {
  readonly name: string;
  readonly space: ActionSpace;
  /** Steps per chunk and seconds between steps. */
  readonly horizon: number;
  readonly stepDtS: number;
  readonly stepsToExecute: number;
  /** Camera names the policy needs, in the manifest's order. */
  readonly cameras: readonly string[];
  /** The joint state it reads, if any: how many values, from positions or positions then velocities. */
  readonly stateInput?: StateInput;
  infer(observation: Observation, options?: InferOptions): Promise<ActionChunk>;
  /** Served policies: the server's latency and the connection's counts. */
  serverStats?(): PolicyServerStats | undefined;
  close(): Promise<void>;
}
