import { performance } from 'node:perf_hooks';
import { type CommandMode, commandModeFor } from '../command/CommandMode';
import type { SentMessage } from '../command/CommandPublisher';
import type { Embodiment } from '../config/Embodiment';
import { isObservation, ObservationAssembler, observationSourcesFor } from '../observation/ObservationAssembler';
import type { Observation } from '../observation/Observation';
import type { ObservationTimeBase } from '../observation/stampTime';
import type { ActionChunk, Policy } from '../policy/Policy';
import { MIN_DT_S } from '../safety/limitMath';
import type { SafeCommand } from '../safety/SafeCommand';
import type { SafetyEvent } from '../safety/SafetyEvent';
import type { Transport } from '../transport/Transport';
import { type Clock, isDrivenByProgram } from '../time/Clock';
import { FixedRateScheduler, type TickTiming } from '../time/FixedRateScheduler';
import { bindPolicy } from './bindPolicy';
import { emptySafetyTally, type EpisodeStats, tallySafetyEvents } from './EpisodeStats';
import { InferenceScheduler, type InferenceMode } from './InferenceScheduler';
import { ActionQueue, type Handover, type QueueStatus } from './queue/ActionQueue';
import type { DeltaConvention } from './queue/ChunkConverter';
import { DEFAULT_HANDOVER } from './queue/handovers';
import type { Interpolation } from './queue/interpolateChunk';
import type { LatencyCompensation } from './queue/latencyCompensation';
import type { TargetChunk } from './queue/TargetChunk';
import type { SafetyGate, WatchdogInputs } from './SafetyGate';

export type { InferenceMode } from './InferenceScheduler';

export interface TickInfo {
  tS: number;
  latenessS: number;
  queue: QueueStatus;
  command: SafeCommand | undefined;
  events: readonly SafetyEvent[];
  /** The clock had not advanced since the last tick: nothing ran (see ControlLoopListeners.clockStalled). */
  stalled?: true;
}

export interface ControlLoopListeners {
  /** Every intervention of the safety layer. */
  safetyEvent?(event: SafetyEvent): void;
  /** Every chunk that entered the queue, as the policy gave it and as converted to targets. */
  chunk?(chunk: ActionChunk, target: TargetChunk): void;
  /** Every message the command publisher sent. */
  sent?(sent: SentMessage): void;
  /** Every inference that failed (rejected, timed out, or returned an invalid chunk). */
  inferenceError?(error: unknown): void;
  tick?(info: TickInfo): void;
  /**
   * A tick whose clock time had not advanced since the last one (a /clock coarser than the command rate): it
   * was skipped, without reaching the safety layer. `lastTickS` is the time of the last tick that ran.
   */
  clockStalled?(tS: number, lastTickS: number): void;
  /** Once per sensor topic: its header stamps are zero, implausible or late against the clock (stampTime.ts). */
  stampWarning?(message: string, topic: string): void;
}

export interface ControlLoopOptions {
  embodiment: Embodiment;
  transport: Transport;
  policy: Policy;
  safety: SafetyGate;
  instruction: string;
  /** Chunk handover (default: overlap blending over 0.3 s). */
  handover?: Handover;
  /** Between a chunk's waypoints (default `cubic`: velocity continuous at every waypoint). */
  interpolation?: Interpolation;
  deltaConvention?: DeltaConvention;
  /** Default: lockstep with 0.1 s of modelled latency on program-driven clocks, async otherwise. */
  inference?: InferenceMode;
  /** How arriving chunks are lined up with the clock (default `keep_fed`). */
  latencyCompensation?: LatencyCompensation;
  /** Which time observations are judged by (default `header`: their stamps, or receive time where implausible). */
  timeBase?: ObservationTimeBase;
  /** Default: the embodiment's rates.command_hz. */
  commandRateHz?: number;
  /** Requests are at most this frequent (default: rates.policy_hz). */
  policyRateHz?: number;
  /** An inference older than this makes the policy overdue (default: timeouts.policy_deadline_s). */
  policyDeadlineS?: number;
  /** Cartesian twist mode: gain on the pose error, 1/s. */
  twistGainPerS?: number;
  /** Keep every tick's lateness and compute time (for summaries and benchmarks). */
  recordTiming?: boolean;
  listeners?: ControlLoopListeners;
}

/**
 * The bridge's fixed-rate loop: at every command tick it takes a finished inference into the action queue and
 * lets the inference scheduler ask for the next one (never waiting for it), samples the queue at the tick's
 * time, and hands the target with the watchdog inputs to the command mode, which passes it through the safety
 * layer and publishes the safe command. Everything reads one clock, so the same loop runs live, on bag time and
 * in the simulator.
 */
export class ControlLoop {
  readonly embodiment: Embodiment;
  readonly assembler: ObservationAssembler;
  readonly queue: ActionQueue;
  readonly scheduler: FixedRateScheduler;
  private readonly options: ControlLoopOptions;
  private readonly transport: Transport;
  private readonly policy: Policy;
  private readonly safety: SafetyGate;
  private readonly inference: InferenceScheduler;
  private readonly command: CommandMode;
  private readonly periodS: number;
  private readonly listeners: ControlLoopListeners;
  private instructionText: string;
  private readonly counts = { ticksWithoutState: 0, overdueTicks: 0, holdingTicks: 0, staleHoldingTicks: 0, clockStalls: 0 };
  private readonly safetyTally = emptySafetyTally();
  private lastTickS = -Infinity;
  private readonly lateness: number[] = [];
  private readonly compute: number[] = [];
  private halting = false;
  /** True when the last command was a holding one with zero velocity. */
  private atRest = false;
  private readonly latestJointState = () => this.assembler.latestJointState();
  private readonly observe = () => this.observation();

  constructor(options: ControlLoopOptions) {
    this.options = options;
    const { embodiment, transport, policy } = options;
    this.embodiment = embodiment;
    this.transport = transport;
    this.policy = policy;
    this.safety = options.safety;
    this.listeners = options.listeners ?? {};
    this.instructionText = options.instruction;
    const rates = embodiment.config.rates;
    const commandHz = options.commandRateHz ?? rates.command_hz;
    this.periodS = 1 / commandHz;
    this.assembler = new ObservationAssembler(transport, observationSourcesFor(embodiment), {
      timeBase: options.timeBase,
      onStampWarning: (message, topic) => this.listeners.stampWarning?.(message, topic),
    });
    const converter = bindPolicy(embodiment, policy, { deltaConvention: options.deltaConvention });
    this.queue = new ActionQueue(converter.space, {
      handover: options.handover ?? DEFAULT_HANDOVER,
      interpolation: options.interpolation ?? 'cubic',
    });
    this.inference = new InferenceScheduler({
      policy,
      mode: options.inference ?? (isDrivenByProgram(transport.clock) ? { kind: 'lockstep', latencyS: 0.1 } : { kind: 'async' }),
      converter,
      queue: this.queue,
      periodS: this.periodS,
      minRequestIntervalS: 1 / (options.policyRateHz ?? rates.policy_hz),
      deadlineS: options.policyDeadlineS ?? embodiment.config.timeouts.policy_deadline_s,
      handover: options.handover,
      latencyCompensation: options.latencyCompensation,
      onChunk: (chunk, target) => this.listeners.chunk?.(chunk, target),
      onError: (error) => this.listeners.inferenceError?.(error),
    });
    this.command = commandModeFor(embodiment, transport, this.safety, {
      periodS: this.periodS,
      twistGainPerS: options.twistGainPerS,
      onSent: (sent) => this.listeners.sent?.(sent),
    });
    this.scheduler = new FixedRateScheduler(transport.clock, this.periodS);
  }

  /** The clock the loop ticks on (its transport's). */
  get clock(): Clock {
    return this.transport.clock;
  }

  get instruction(): string {
    return this.instructionText;
  }

  setInstruction(text: string): void {
    this.instructionText = text;
  }

  /** Runs the loop at the command rate until `stop()` or until `until(tS)` returns true after a tick. */
  run(until?: (tS: number) => boolean): Promise<void> {
    return this.scheduler.start(async (timing) => {
      this.tick(timing);
      if (until?.(this.transport.clock.nowS()) === true) return false;
      await this.inference.waitForLockstep(this.transport.clock);
      return true;
    });
  }

  /** Ends the loop after the tick in progress (the arm holds its last safe command). */
  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /**
   * A controlled stop: no further inference is asked for, the safety layer decelerates the arm within its
   * limits (its requested-stop ramp) and, once the commands are at rest or after `timeoutS` of clock time, the
   * loop ends. The stop stays latched (the arm holds) until `reset()`, or is released at once with
   * `release: true`. Resolves true when the arm came to rest, false when the time ran out first.
   */
  async halt(options: { timeoutS?: number; release?: boolean } = {}): Promise<boolean> {
    const clock = this.transport.clock;
    const untilS = clock.nowS() + (options.timeoutS ?? 5);
    this.halting = true;
    this.safety.stop();
    try {
      while (this.scheduler.isRunning && !this.atRest && clock.nowS() < untilS) await clock.sleepUntil(clock.nowS() + this.periodS);
      await this.scheduler.stop();
      return this.atRest;
    } finally {
      if (options.release === true) this.safety.reset();
      this.halting = false;
    }
  }

  estop(): void {
    this.safety.estop();
  }

  /** Releases the e-stop; the queue is cleared so motion restarts from a fresh chunk. */
  reset(): void {
    this.safety.reset();
    this.queue.clear();
    this.command.forget();
  }

  /**
   * Resolves once no inference this loop asked for is still running. Call it after `run()` returns and before
   * another loop asks the same policy for a chunk: a policy runs one inference at a time.
   */
  settle(): Promise<void> {
    return this.inference.settle();
  }

  /** Releases the subscriptions (the policy and transport belong to the caller). */
  close(): void {
    this.assembler.close();
  }

  /** What the loop did so far (see EpisodeStats for the counting rule). */
  stats(): EpisodeStats {
    const s = this.scheduler.stats;
    const inference = this.inference.counters;
    return {
      ticks: s.ticks,
      overruns: s.overruns,
      latenessS: this.lateness,
      maxLatenessS: s.maxLatenessS,
      tickComputeS: this.compute,
      ticksWithoutState: this.counts.ticksWithoutState,
      inferences: {
        requested: inference.requested,
        completed: inference.completed,
        failed: inference.failed,
        latencyS: inference.latencyS,
      },
      queue: this.queue.counters,
      lateChunks: inference.lateChunks,
      overdueTicks: this.counts.overdueTicks,
      safetyEvents: this.safetyTally.safetyEvents,
      eventsByLimit: { ...this.safetyTally.eventsByLimit },
      safetyInterventions: this.safetyTally.safetyInterventions,
      interventionsByLimit: { ...this.safetyTally.interventionsByLimit },
      holdingTicks: this.counts.holdingTicks,
      staleHoldingTicks: this.counts.staleHoldingTicks,
      clockStalls: this.counts.clockStalls,
      commandsSent: this.command.sent,
    };
  }

  /**
   * One control tick at the clock's current time. The scheduler calls it; tests may call it directly. A tick
   * whose time has not advanced since the last one runs nothing (see `clockStalled`): its info says `stalled`.
   */
  tick(timing?: TickTiming): TickInfo {
    const wallStart = performance.now();
    const nowS = this.transport.clock.nowS();
    if (!(nowS - this.lastTickS >= MIN_DT_S)) {
      this.counts.clockStalls++;
      this.listeners.clockStalled?.(nowS, this.lastTickS);
      return { tS: nowS, latenessS: timing?.latenessS ?? 0, queue: 'ok', command: undefined, events: [], stalled: true };
    }
    this.lastTickS = nowS;
    this.inference.collect(nowS, this.latestJointState);
    if (!this.halting) this.inference.maybeRequest(nowS, this.observe);
    const sample = this.queue.sample(nowS);
    const measured = this.assembler.latestJointState();
    let command: SafeCommand | undefined;
    let events: SafetyEvent[] = [];
    if (measured === undefined) {
      this.counts.ticksWithoutState++;
    } else {
      const overdue = this.inference.overdue(nowS) || sample.status === 'dry';
      if (overdue) this.counts.overdueTicks++;
      const ages = this.assembler.ages(nowS);
      const watchdog: WatchdogInputs = { jointStateAgeS: ages.jointStateAgeS, cameraAgesS: ages.cameraAgesS, policyOverdue: overdue };
      ({ command, events } = this.command.step({ tS: nowS, measured, target: sample.target, watchdog }));
      if (command.holding) {
        this.counts.holdingTicks++;
        if (this.assembler.anyStale(ages)) this.counts.staleHoldingTicks++;
      }
      this.atRest = command.holding && isStill(command);
    }
    tallySafetyEvents(this.safetyTally, events);
    for (const event of events) this.listeners.safetyEvent?.(event);
    const latenessS = timing?.latenessS ?? 0;
    if (this.options.recordTiming === true) {
      this.lateness.push(latenessS);
      this.compute.push((performance.now() - wallStart) / 1000);
    }
    const info: TickInfo = { tS: nowS, latenessS, queue: sample.status, command, events };
    this.listeners.tick?.(info);
    return info;
  }

  /** The observation to infer on, or undefined when an input is missing or stale. */
  private observation(): Observation | undefined {
    const assembled = this.assembler.assemble(this.instructionText, this.policy.cameras);
    if (!isObservation(assembled)) return undefined;
    if (this.assembler.stale(this.transport.clock.nowS()).length > 0) return undefined;
    return assembled;
  }
}

/** A command that moves nothing: zero joint velocities, or a zero twist and gripper (a held pose is still). */
function isStill(command: SafeCommand): boolean {
  if (command.kind === 'joint') return command.velocities.every((v) => v === 0);
  if (command.gripper !== undefined && command.gripper.velocity !== 0) return false;
  if (command.kind === 'twist') return [...command.linearMPerS, ...command.angularRadPerS].every((v) => v === 0);
  return true;
}
