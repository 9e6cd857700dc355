import type { Embodiment } from '../../config/Embodiment';
import type { EpisodeStats } from '../../control/EpisodeStats';
import type { Handover } from '../../control/queue/ActionQueue';
import type { LatencyCompensation } from '../../control/queue/latencyCompensation';
import type { ExecutionProvider } from '../../policy/manifest/PolicyManifest';
import type { ActionChunk, PolicyServerStats } from '../../policy/Policy';
import type { SafetyEvent } from '../../safety/SafetyEvent';
import type { SafetyLayer } from '../../safety/SafetyLayer';
import type { Transport } from '../../transport/Transport';
import type { NodeLogger } from '../host/NodeHost';
import type { LatenessSummary } from './LoopHealth';

/**
 * What the ROS node needs from the bridge pipeline (observation -> policy -> action queue -> safety ->
 * command): a port, so that the node's lifecycle logic composes the one pipeline the other transports use and
 * never contains a loop or a safety path of its own.
 */

/** Everything the pipeline is built from for one configuration of the node. */
export interface BridgeSettings {
  embodiment: Embodiment;
  /** The policy folder. */
  policyPath: string;
  /** A served policy's server URL instead of its manifest's (parameter policy_server). */
  policyServer?: string;
  /** onnxruntime execution providers of a local policy instead of its manifest's (parameter execution_provider). */
  executionProviders?: readonly ExecutionProvider[];
  instruction: string;
  commandRateHz: number;
  policyRateHz: number;
  jointStateTimeoutS: number;
  /** Camera name -> timeout, s. */
  cameraTimeoutsS: ReadonlyMap<string, number>;
  policyDeadlineS: number;
  handover: Handover;
  latencyCompensation: LatencyCompensation;
  /**
   * The topics: cameras and joint states (as the embodiment names them) in, commands out. In a dry run the
   * command topics of this transport lead to preview topics.
   */
  transport: Transport;
  /**
   * The configuration's safety layer, made by the node at configure: it holds the one e-stop latch (and the
   * watchdog stops latched by watchdog_resume: manual), so the node can latch it before the policy has loaded.
   */
  safety: SafetyLayer;
  logger: NodeLogger;
}

export interface BridgeTick {
  tS: number;
  /** How late the tick started after its deadline, seconds. */
  latenessS: number;
  events: readonly SafetyEvent[];
}

export interface BridgeListeners {
  /** Every control tick that ran: its time, its lateness and its safety events (empty on a quiet tick). */
  tick(tick: BridgeTick): void;
  /** Every chunk that entered the action queue. */
  chunk(chunk: ActionChunk): void;
  /** The loop ended on an error it cannot recover from; the arm holds its last safe command. */
  fault(error: Error): void;
}

/** The node's figures: its loop's EpisodeStats since configure, the status fields derived from them, and its health. */
export interface BridgeStats {
  /** From `episode`: ticks, overruns, completed inferences, safety interventions (the EpisodeStats counting rule). */
  ticks: number;
  overruns: number;
  chunks: number;
  safetyInterventions: number;
  /** The loop's statistics in the shape every run reports (sim, demos, eval). */
  episode: EpisodeStats;
  /** Duration of the last inference, s. */
  lastInferenceS?: number;
  /** A served policy: round trip and server timing, counts of its connection. */
  policyServer?: PolicyServerStats;
  /** True while the arm is not moved: the safety layer holds it (e-stop, watchdog, stop), or nothing can be commanded yet. */
  holding: boolean;
  holdReason?: string;
  /** Topics from which no message has arrived yet (joint states, cameras): the loop waits for them. */
  waitingFor: readonly string[];
  /** How late the ticks started after their deadlines, over the last few seconds. */
  lateness: LatenessSummary;
  /** Ticks skipped because the clock had not advanced (a /clock coarser than the command rate). */
  clockStalls: number;
  /** Set while ticks are being skipped: why, and what to do. */
  clockWarning?: string;
}

export interface ResetOutcome {
  ok: boolean;
  message: string;
}

export interface BridgeRuntime {
  /** The policy's name, for status and logs. */
  readonly policyName: string;
  /** Starts the control loop from the measured state. */
  start(): void;
  /** Brings the arm to a controlled stop within its limits and holds; resolves when it is at rest and the loop has ended. */
  stop(): Promise<void>;
  /** Releases the safety layer's latches (e-stop, latched watchdog stops); motion resumes from a fresh chunk. */
  reset(): ResetOutcome;
  setInstruction(text: string): void;
  stats(): BridgeStats;
  /** Releases the policy (its worker) and every subscription and publisher of the pipeline. */
  close(): Promise<void>;
}

/** Builds the pipeline for one configuration: loads the policy (async) and wires it to the transport. */
export type BridgeFactory = (settings: BridgeSettings, listeners: BridgeListeners) => Promise<BridgeRuntime>;
