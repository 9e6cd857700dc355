import type { ControlLoop, TickInfo } from '../../control/ControlLoop';
import { createEpisodeLoop } from '../../control/runEpisode';
import { describeError, VlaError } from '../../errors';
import { loadPolicy } from '../../policy/loadPolicy';
import type { Policy } from '../../policy/Policy';
import type { SafetyLayer } from '../../safety/SafetyLayer';
import { LoopHealth } from './LoopHealth';
import { RepeatedWarning } from './RepeatedWarning';
import { warmUpPolicy } from './warmUpPolicy';
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
  const load =
    deps.loadPolicy ??
    ((dir: string, settings: BridgeSettings) =>
      loadPolicy(dir, {
        deadlineS: settings.policyDeadlineS,
        policyServer: settings.policyServer,
        executionProviders: settings.executionProviders,
        embodiment: settings.embodiment,
        // A provider fallback (cuda listed, cpu used) goes to the node's log, not to stderr.
        log: (line) => settings.logger.warn(line),
      }));
  return async (settings, listeners) => {
    const policy = await load(settings.policyPath, settings);
    let bridge: PipelineBridge;
    try {
      // The hot path (loop, queue, publishers) is built here, at configure.
      bridge = new PipelineBridge(settings, listeners, policy);
    } catch (err) {
      await policy.close();
      throw err;
    }
    // The policy's first-time work is done now rather than on the first ticks after activation.
    try {
      const tookS = await warmUpPolicy(policy, settings.embodiment, settings.instruction);
      settings.logger.info(`policy ${policy.name} warmed up in ${tookS.toFixed(2)} s`);
    } catch (err) {
      await bridge.close();
      throw new VlaError('INFERENCE_FAILED', `the warm-up inference failed: ${describeError(err)}`, {
        cause: err,
        hint: 'check the policy with vla-bridge infer',
      });
    }
    return bridge;
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
  private readonly health: LoopHealth;
  /** Inference failures (a policy server down fails every request): logged once, then counted. */
  private readonly inferenceWarning: RepeatedWarning;
  private running: Promise<void> | undefined;
  private lastTick: TickInfo | undefined;
  /** The loop ran before: the next start begins from a fresh chunk. */
  private ranBefore = false;

  constructor(settings: BridgeSettings, listeners: BridgeListeners, policy: Policy) {
    this.settings = settings;
    this.listeners = listeners;
    this.policy = policy;
    this.policyName = policy.name;
    const { embodiment } = settings;
    this.safety = settings.safety;
    this.health = new LoopHealth(settings.commandRateHz);
    this.inferenceWarning = new RepeatedWarning(
      (line) => settings.logger.warn(line),
      5,
      () => settings.transport.clock.nowS(),
    );
    this.stopBudgetS =
      Math.max(0, ...embodiment.limits.map((l) => (Number.isFinite(l.maxAcceleration) ? l.maxVelocity / l.maxAcceleration : 0))) +
      STOP_MARGIN_S;
    // The node's run is one open-ended episode: the same wiring as every other run, started and stopped by the lifecycle.
    this.loop = createEpisodeLoop({
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
        chunk: (chunk) => listeners.chunk(chunk),
        inferenceError: (error) => this.inferenceWarning.warn(`inference failed: ${describeError(error)}`),
        tick: (info) => {
          this.lastTick = info;
          this.health.onTick(info.tS, info.latenessS);
          listeners.tick(info);
        },
        clockStalled: (tS) => {
          const warning = this.health.onStall(tS);
          if (warning !== undefined) settings.logger.warn(warning);
        },
        stampWarning: (message) => settings.logger.warn(message),
      },
    });
  }

  start(): void {
    if (this.running !== undefined) return;
    if (this.ranBefore) {
      // After a deactivation: release its controlled stop (never an e-stop) and start from a fresh chunk.
      if (this.safety.resetRequiredFor.length === 0) this.loop.reset();
      else this.safety.releaseStop();
    }
    this.ranBefore = true;
    this.running = this.loop
      .run()
      .catch((err: unknown) => this.listeners.fault(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.running = undefined;
        this.inferenceWarning.flush();
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
    const atRest = await this.loop.halt({ timeoutS: this.stopBudgetS });
    if (!atRest)
      this.settings.logger.warn(
        `the arm did not come to rest within ${this.stopBudgetS.toFixed(2)} s of the stop; ending the loop holding the last command`,
      );
    await running;
  }

  reset(): ResetOutcome {
    const released = describeLatches(this.safety.resetRequiredFor);
    if (this.running === undefined) {
      this.safety.reset();
      return { ok: true, message: `${released} released; activate to resume` };
    }
    this.loop.reset();
    return { ok: true, message: `${released} released; motion resumes from the held position with a fresh chunk` };
  }

  setInstruction(text: string): void {
    this.loop.setInstruction(text);
  }

  stats(): BridgeStats {
    const s = this.loop.stats();
    const latencies = s.inferences.latencyS;
    const waitingFor = this.waitingFor();
    const command = this.lastTick?.command;
    const holding = command === undefined ? this.running !== undefined : command.holding;
    const stats: BridgeStats = {
      ticks: s.ticks,
      overruns: s.overruns,
      chunks: s.inferences.completed,
      safetyInterventions: s.safetyInterventions,
      episode: s,
      holding,
      waitingFor,
      lateness: this.health.lateness(),
      clockStalls: this.health.clockStalls,
    };
    const clockWarning = this.health.clockWarning(this.settings.transport.clock.nowS());
    if (clockWarning !== undefined) stats.clockWarning = clockWarning;
    const last = latencies[latencies.length - 1];
    if (last !== undefined) stats.lastInferenceS = last;
    const server = this.policy.serverStats?.();
    if (server !== undefined) stats.policyServer = server;
    if (holding) stats.holdReason = command === undefined ? 'no joint state yet: nothing is commanded' : this.holdReason();
    return stats;
  }

  async close(): Promise<void> {
    if (this.running !== undefined) await this.loop.stop();
    await this.running;
    this.loop.close();
    await this.policy.close();
  }

  /** The topics the loop has never heard from (joint states first, then the cameras in the embodiment's order). */
  private waitingFor(): string[] {
    const { topics } = this.settings.embodiment.config;
    const assembler = this.loop.assembler;
    const out: string[] = [];
    if (assembler.latestJointState() === undefined) out.push(topics.joint_states);
    for (const camera of topics.cameras) if (assembler.latestFrame(camera.name) === undefined) out.push(camera.topic);
    return out;
  }

  private holdReason(): string {
    const latched = this.safety.resetRequiredFor;
    const keys = this.safety.holdingFor.filter((k) => !latched.includes(k));
    const parts: string[] = [];
    if (latched.length > 0) parts.push(`${describeLatches(latched)} latched until ~/reset`);
    if (keys.includes('stop')) parts.push('controlled stop');
    const others = keys.filter((k) => k !== 'stop');
    if (others.length > 0) parts.push(`holding for ${others.join(', ')}`);
    return parts.length === 0 ? 'holding the last command' : parts.join('; ');
  }
}

/** "e-stop", "watchdog stop (joint_states)", "e-stop and watchdog stop (camera:primary)". */
function describeLatches(keys: readonly string[]): string {
  const watchdog = keys.filter((k) => k !== 'estop');
  const parts = keys.includes('estop') ? ['e-stop'] : [];
  if (watchdog.length > 0) parts.push(`watchdog stop (${watchdog.join(', ')})`);
  return parts.length === 0 ? 'nothing latched;' : parts.join(' and ');
}
