import type { DiagnosticArrayMsg, KeyValueMsg } from '../../msgs/rosMessages';
import { secondsToTime } from '../../time/rosTime';
import { LIFECYCLE_STATE_IDS, type LifecycleState } from '../host/lifecycle';
import type { PolicyStatusMsg } from '../../msgs/vlaMessages';
import type { PolicyServerStats } from '../../policy/Policy';
import type { BridgeStats } from './BridgeRuntime';

/** What the bridge is doing, in one word (PolicyStatus.mode). */
export type BridgeMode =
  | 'unconfigured'
  | 'loading'
  | 'ready'
  | 'running'
  | 'waiting'
  | 'stopping'
  | 'holding'
  | 'estopped'
  | 'fault'
  | 'finalized';

/** One look at the node, from which ~/status and /diagnostics are both made. */
export interface StatusSnapshot {
  stampS: number;
  nodeName: string;
  lifecycle: LifecycleState;
  mode: BridgeMode;
  /** Why it holds, waits or failed; empty when it runs normally. */
  reason: string;
  embodiment: string;
  policy: string;
  instruction: string;
  dryRun: boolean;
  estopped: boolean;
  commandRateHz: number;
  policyRateHz: number;
  /** Present once the pipeline exists. */
  stats?: BridgeStats;
}

/** diagnostic_msgs/DiagnosticStatus levels. */
export const DIAGNOSTIC_LEVEL = { ok: 0, warn: 1, error: 2, stale: 3 } as const;

const LEVEL_BY_MODE: Readonly<Record<BridgeMode, number>> = {
  unconfigured: DIAGNOSTIC_LEVEL.ok,
  loading: DIAGNOSTIC_LEVEL.ok,
  ready: DIAGNOSTIC_LEVEL.ok,
  running: DIAGNOSTIC_LEVEL.ok,
  waiting: DIAGNOSTIC_LEVEL.warn,
  stopping: DIAGNOSTIC_LEVEL.warn,
  holding: DIAGNOSTIC_LEVEL.warn,
  estopped: DIAGNOSTIC_LEVEL.error,
  fault: DIAGNOSTIC_LEVEL.error,
  finalized: DIAGNOSTIC_LEVEL.stale,
};

const count = (n: number | undefined): number => Math.max(0, Math.min(0xffffffff, Math.floor(n ?? 0)));

const ms = (seconds: number | undefined): string => (seconds === undefined || Number.isNaN(seconds) ? '' : (seconds * 1000).toFixed(3));
/** A served policy's latency in PolicyStatus fields (seconds; NaN when not known). */
function serverStatusFields(p: PolicyServerStats | undefined) {
  const s = (ms: number | undefined) => (ms === undefined ? NaN : ms / 1000);
  return {
    policy_server: p?.url ?? '',
    policy_round_trip_p50_s: s(p?.roundTripMs?.p50),
    policy_round_trip_p99_s: s(p?.roundTripMs?.p99),
    policy_server_infer_p50_s: s(p?.serverInferMs?.p50),
    policy_server_infer_p99_s: s(p?.serverInferMs?.p99),
    policy_server_failures: count(p?.failures),
    policy_server_reconnects: count(p?.reconnects),
  };
}

export function statusToMsg(s: StatusSnapshot): PolicyStatusMsg {
  return {
    stamp: secondsToTime(s.stampS),
    lifecycle_state: LIFECYCLE_STATE_IDS[s.lifecycle],
    mode: s.mode,
    embodiment: s.embodiment,
    policy: s.policy,
    instruction: s.instruction,
    dry_run: s.dryRun,
    estopped: s.estopped,
    holding: s.stats?.holding ?? false,
    reason: s.reason,
    command_rate_hz: s.commandRateHz,
    policy_rate_hz: s.policyRateHz,
    ticks: count(s.stats?.ticks),
    overruns: count(s.stats?.overruns),
    chunks: count(s.stats?.chunks),
    safety_interventions: count(s.stats?.safetyInterventions),
    last_inference_s: s.stats?.lastInferenceS ?? NaN,
    lateness_p50_s: s.stats?.lateness.p50S ?? NaN,
    lateness_p99_s: s.stats?.lateness.p99S ?? NaN,
    lateness_max_s: s.stats?.lateness.maxS ?? NaN,
    clock_stalls: count(s.stats?.clockStalls),
    ...serverStatusFields(s.stats?.policyServer),
  };
}

export function statusToDiagnostics(s: StatusSnapshot): DiagnosticArrayMsg {
  const values: KeyValueMsg[] = [
    ['lifecycle_state', s.lifecycle],
    ['mode', s.mode],
    ['embodiment', s.embodiment],
    ['policy', s.policy],
    ['instruction', s.instruction],
    ['dry_run', String(s.dryRun)],
    ['estopped', String(s.estopped)],
    ['command_rate_hz', String(s.commandRateHz)],
    ['policy_rate_hz', String(s.policyRateHz)],
    ['ticks', String(count(s.stats?.ticks))],
    ['overruns', String(count(s.stats?.overruns))],
    ['chunks', String(count(s.stats?.chunks))],
    ['safety_interventions', String(count(s.stats?.safetyInterventions))],
    ['last_inference_s', s.stats?.lastInferenceS === undefined ? '' : s.stats.lastInferenceS.toFixed(4)],
    ['lateness_p50_ms', ms(s.stats?.lateness.p50S)],
    ['lateness_p99_ms', ms(s.stats?.lateness.p99S)],
    ['lateness_max_ms', ms(s.stats?.lateness.maxS)],
    ['clock_stalls', String(count(s.stats?.clockStalls))],
    ...Object.entries(serverStatusFields(s.stats?.policyServer)).map(([k, v]) => [
      k,
      typeof v === 'number' && Number.isNaN(v) ? '' : String(v),
    ]),
  ].map(([key, value]) => ({ key: key!, value: value! }));
  return {
    header: { stamp: secondsToTime(s.stampS), frame_id: '' },
    status: [
      {
        level: LEVEL_BY_MODE[s.mode],
        name: `${s.nodeName}: bridge`,
        message: s.reason === '' ? s.mode : `${s.mode}: ${s.reason}`,
        hardware_id: s.embodiment,
        values,
      },
    ],
  };
}
