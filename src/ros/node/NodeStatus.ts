import { describeError } from '../../errors';
import type { Clock } from '../../time/Clock';
import { FixedRateScheduler } from '../../time/FixedRateScheduler';
import type { DiagnosticArrayMsg } from '../../msgs/rosMessages';
import { type PolicyStatusMsg, VLA_MSG_TYPES } from '../../msgs/vlaMessages';
import type { Publisher, Transport } from '../../transport/Transport';
import type { LifecycleState } from '../host/lifecycle';
import type { NodeLogger } from '../host/NodeHost';
import type { BridgeStats } from './BridgeRuntime';
import type { NodeSession } from './NodeSession';
import { NODE_SERVICES, NODE_TOPICS } from '../../outputs/nodeTopics';
import { type BridgeMode, type StatusSnapshot, statusToDiagnostics, statusToMsg } from './statusMessages';

/**
 * What the node is doing, in one word and a reason, from its lifecycle state, its configuration and the
 * pipeline's stats (taken once per status message).
 */
export function nodeMode(
  lifecycle: LifecycleState,
  session: NodeSession | undefined,
  stats: BridgeStats | undefined,
  lastError: string,
): { mode: BridgeMode; reason: string } {
  const s = session;
  if (lifecycle === 'finalized') return { mode: 'finalized', reason: '' };
  if (lifecycle === 'unconfigured' || s === undefined) return { mode: 'unconfigured', reason: lastError };
  if (s.settings.safety.latched) return { mode: 'estopped', reason: `e-stop latched; call ${NODE_SERVICES.reset} to release it` };
  if (s.loadError !== undefined) return { mode: 'fault', reason: s.loadError };
  if (s.fault !== undefined) return { mode: 'fault', reason: s.fault };
  if (s.stopping !== undefined) return { mode: 'stopping', reason: 'controlled stop after deactivate' };
  if (s.bridge === undefined) return { mode: 'loading', reason: `loading policy ${s.settings.policyPath}` };
  if (lifecycle === 'inactive' || stats === undefined) return { mode: 'ready', reason: '' };
  if (stats.waitingFor.length > 0) return { mode: 'waiting', reason: `waiting for the first message on ${stats.waitingFor.join(', ')}` };
  const clock = stats.clockWarning;
  if (stats.holding) return { mode: 'holding', reason: [stats.holdReason, clock].filter((r) => r !== undefined && r !== '').join('; ') };
  return { mode: 'running', reason: clock ?? '' };
}

/** Publishes ~/status at its rate and /diagnostics at 1 Hz, from the node's snapshot, from start to dispose. */
export class NodeStatusPublisher {
  private readonly snapshot: () => StatusSnapshot;
  private readonly isFinalized: () => boolean;
  private readonly logger: NodeLogger;
  private readonly statusPublisher: Publisher<PolicyStatusMsg>;
  private readonly diagnosticsPublisher: Publisher<DiagnosticArrayMsg>;
  private readonly schedulers: FixedRateScheduler[] = [];

  constructor(
    transport: Transport,
    options: { statusRateHz: number; snapshot: () => StatusSnapshot; isFinalized: () => boolean; logger: NodeLogger },
  ) {
    this.snapshot = options.snapshot;
    this.isFinalized = options.isFinalized;
    this.logger = options.logger;
    this.statusPublisher = transport.createPublisher(NODE_TOPICS.status, VLA_MSG_TYPES.policyStatus) as Publisher<PolicyStatusMsg>;
    this.diagnosticsPublisher = transport.createPublisher(NODE_TOPICS.diagnostics, 'diagnostic_msgs/msg/DiagnosticArray');
    this.every(transport.clock, 1 / options.statusRateHz, () => this.publishStatus());
    this.every(transport.clock, 1, () => this.publishDiagnostics());
  }

  publishStatus(): void {
    this.statusPublisher.publish(statusToMsg(this.snapshot()));
  }

  publishDiagnostics(): void {
    this.diagnosticsPublisher.publish(statusToDiagnostics(this.snapshot()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.schedulers.map((s) => s.stop()));
  }

  private every(clock: Clock, periodS: number, tick: () => void): void {
    const scheduler = new FixedRateScheduler(clock, periodS);
    this.schedulers.push(scheduler);
    scheduler
      .start(() => {
        if (!this.isFinalized()) tick();
      })
      .catch((err: unknown) => this.logger.error(`status publishing stopped: ${describeError(err)}`));
  }
}
