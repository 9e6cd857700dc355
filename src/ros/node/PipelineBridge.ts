import { ControlLoop, type TickInfo } from '../../control/ControlLoop';
import { isVlaError } from '../../errors';
import { loadPolicy } from '../../policy/loadPolicy';
import type { Policy } from '../../policy/Policy';
import { SafetyLayer } from '../../safety/SafetyLayer';
import type { BridgeFactory, BridgeListeners, BridgeRuntime, BridgeSettings, BridgeStats, ResetOutcome } from './BridgeRuntime';

/** Clock seconds a controlled stop may take beyond the slowest joint's braking time before the loop ends anyway. */
const STOP_MARGIN_S = 1.0;

export interface PipelineBridgeDeps {
  /** Loads the policy folder (default: loadPolicy, inference in a worker thread). */
  loadPolicy?: (dir: string, settings: BridgeSettings) => Promise<Policy>;
}

/**
 * The bridge factory the ROS node uses: the policy runtime, the safety layer and the control loop, the same
 * pipeline the simulator and bag replay run, composed on the node's transport.
 */
export function pipelineBridgeFactory(deps: PipelineBridgeDeps = {}): BridgeFactory {
  const load = deps.loadPolicy ?? ((dir: string, settings: BridgeSettings) => loadPolicy(dir, { deadlineS: settings.policyDeadlineS }));
  return async (settings, listeners) => {
    const policy = await load(settings.policyPath, settings);
    try {
      return new PipelineBridge(settings, listeners, policy);
    } catch (err) {
      await policy.close();
      throw err;
    }
  };
}

/**
 * One configuration's pipeline. Deactivation is a controlled stop: the safety layer's stop (the same ramp as
 * the e-stop: decelerate within every joint's limits, then hold) runs until the arm is at rest, then the loop
 * ends and the controllers keep the last, resting command.
 */
export class PipelineBridge implements BridgeRuntime {
  readonly policyName: string;
  private readonly settings: BridgeSettings;
  private readonly listeners: BridgeListeners;
  private readonly policy: Policy;
  private readonly safety: SafetyLayer;
  private readonly loop: ControlLoop;
  private readonly stopBudgetS: number;
  private running: Promise<void> | undefined;
  private lastTick: TickInfo | undefined;
  private stopLatched = false;
  private userLatched = false;

  constructor(settings: BridgeSettings, listeners: BridgeListeners, policy: Policy) {
    this.settings = settings;
    this.listeners = listeners;
    this.policy = policy;
    this.policyName = policy.name;
    const { embodiment } = settings;
    this.safety = SafetyLayer.fromEmbodiment(embodiment, {
      timeouts: {
        jointStateS: settings.jointStateTimeoutS,
        cameraS: Object.fromEntries(settings.cameraTimeoutsS),
        defaultCameraS: Math.max(...settings.cameraTimeoutsS.values(), 0.5),
      },
    });
    this.stopBudgetS = Math.max(0, ...embodiment.limits.map((l) => (Number.isFinite(l.maxAcceleration) ? l.maxVelocity / l.maxAcceleration : 0))) + STOP_MARGIN_S;
    this.loop = new ControlLoop({
      embodiment,
      transport: settings.transport,
      policy,
      safety: this.safety,
      instruction: settings.instruction,
      commandRateHz: settings.commandRateHz,
      policyRateHz: settings.policyRateHz,
      policyDeadlineS: settings.policyDeadlineS,
      handover: settings.handover,
      latencyCompensation: settings.latencyCompensation,
      listeners: {
        safetyEvent: (event) => listeners.safetyEvent(event),
        chunk: (chunk) => listeners.chunk(chunk),
        inferenceError: (error) => settings.logger.warn(`inference failed: ${isVlaError(error) ? error.describe() : error instanceof Error ? error.message : String(error)}`),
        tick: (info) => {
          this.lastTick = info;
        },
        stampWarning: (message) => settings.logger.warn(message),
      },
    });
  }

  start(): void {
    if (this.running !== undefined) return;
    if (this.stopLatched && !this.userLatched) this.loop.reset();
    this.stopLatched = false;
    this.running = this.loop
      .run()
      .catch((err: unknown) => this.listeners.fault(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.running = undefined;
      });
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    if (this.lastTick?.command === undefined) {
      // Nothing was ever commanded (no joint state yet): there is no motion to stop.
      await this.loop.stop();
      return;
    }
    this.stopLatched = true;
    const atRest = await this.loop.halt({ timeoutS: this.stopBudgetS });
    if (!atRest) this.settings.logger.warn(`the arm did not come to rest within ${this.stopBudgetS.toFixed(2)} s of the stop; ending the loop holding the last command`);
    await running;
  }

  estop(): void {
    this.userLatched = true;
    this.safety.estop();
  }

  reset(): ResetOutcome {
    this.userLatched = false;
    if (this.running === undefined) {
      // The next activation starts from a fresh chunk without the latch.
      this.stopLatched = true;
      return { ok: true, message: 'e-stop released; activate to resume' };
    }
    this.loop.reset();
    return { ok: true, message: 'e-stop released; motion resumes from the held position with a fresh chunk' };
  }

  setInstruction(text: string): void {
    this.loop.setInstruction(text);
  }

  stats(): BridgeStats {
    const s = this.loop.stats();
    const latencies = s.inferences.latencyS;
    const interventions = Object.values(this.safety.counters).reduce((sum, n) => sum + n, 0);
    const holding = this.lastTick?.command?.holding ?? false;
    const stats: BridgeStats = { ticks: s.ticks, overruns: s.overruns, chunks: s.inferences.completed, safetyInterventions: interventions, holding };
    const last = latencies[latencies.length - 1];
    if (last !== undefined) stats.lastInferenceS = last;
    if (holding) stats.holdReason = this.holdReason();
    return stats;
  }

  async close(): Promise<void> {
    if (this.running !== undefined) await this.loop.stop();
    await this.running;
    this.loop.close();
    await this.policy.close();
  }

  private holdReason(): string {
    const keys = this.safety.holdingFor;
    if (this.stopLatched && !this.userLatched) return 'controlled stop';
    return keys.length === 0 ? 'holding' : `holding for ${keys.join(', ')}`;
  }
}
