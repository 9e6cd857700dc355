import { performance } from 'node:perf_hooks';
import { CommandPublisher, type SentMessage } from '../command/CommandPublisher';
import type { Embodiment } from '../config/Embodiment';
import { isVlaError, VlaError } from '../errors';
import { isObservation, ObservationAssembler, observationSourcesFor } from '../observation/ObservationAssembler';
import type { JointStateSample, Observation } from '../observation/Observation';
import type { ObservationTimeBase } from '../observation/stampTime';
import type { ActionChunk, Policy } from '../policy/Policy';
import { MIN_DT_S } from '../safety/limitMath';
import type { SafeCommand } from '../safety/SafeCommand';
import type { SafetyEvent } from '../safety/SafetyEvent';
import type { Transport } from '../transport/Transport';
import { isDrivenByProgram } from '../time/Clock';
import { FixedRateScheduler, type TickTiming } from '../time/FixedRateScheduler';
import { POSE_WIDTH, rigidFromPose, rotationError } from '../robot/poseMath';
import { ActionQueue, type Handover, type QueueCounters, type QueueStatus } from './queue/ActionQueue';
import { DEFAULT_HANDOVER } from './queue/handovers';
import { bindPolicy } from './bindPolicy';
import { ChunkConverter, type DeltaConvention } from './queue/ChunkConverter';
import type { Interpolation } from './queue/interpolateChunk';
import { delayChunk, delayToCoverS, type LatencyCompensation } from './queue/latencyCompensation';
import type { TargetChunk } from './queue/TargetChunk';
import type { SafetyGate, WatchdogInputs } from './SafetyGate';

/**
 * How inference overlaps the loop.
 * - `async` (wall and ROS time): the loop never waits for the policy; a chunk enters the queue at the first
 *   tick after it arrives.
 * - `lockstep` (simulated, bag and test clocks): inference is modelled as taking `latencyS` of clock time: the
 *   chunk enters the queue at the first tick at least `latencyS` after the request, and if the policy has not
 *   answered by then (in wall time) the loop keeps the clock still and waits for it, at most `waitLimitS` of wall
 *   time. Results are then the same on every machine, however fast.
 */
export type InferenceMode = { kind: 'async' } | { kind: 'lockstep'; latencyS: number; waitLimitS?: number };

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

export interface ControlLoopStats {
  ticks: number;
  overruns: number;
  /** Per tick, clock seconds past its deadline (when recordTiming). */
  latenessS: readonly number[];
  maxLatenessS: number;
  /** Per tick, wall seconds the tick took (when recordTiming). */
  tickComputeS: readonly number[];
  /** Ticks without any joint state yet (nothing could be commanded). */
  ticksWithoutState: number;
  inferences: { requested: number; completed: number; failed: number; latencyS: readonly number[] };
  queue: Readonly<QueueCounters>;
  /** Chunks run later than their observation's time to keep the queue fed (`keep_fed`), and the largest delay. */
  lateChunks: { count: number; maxDelayS: number };
  /** Ticks on which the policy was overdue (an inference past its deadline, or the queue ran dry). */
  overdueTicks: number;
  safetyEvents: number;
  eventsByLimit: Readonly<Record<string, number>>;
  /** Ticks on which the safety layer held the arm. */
  holdingTicks: number;
  /** Of those, the ticks on which a sensor input was stale (older than its timeout, or never received). */
  staleHoldingTicks: number;
  /** Ticks skipped because the clock had not advanced since the last tick (a coarse /clock). */
  clockStalls: number;
  commandsSent: number;
}

interface Pending {
  requestedAtS: number;
  availableAtS: number;
  observation: Observation;
  settled: boolean;
  waited: boolean;
  chunk?: ActionChunk;
  error?: unknown;
  done: Promise<void>;
}

/**
 * The bridge's fixed-rate loop: at every command tick it assembles the latest observation, starts an
 * inference early enough that the action queue does not run dry (never waiting for it), samples the queue at
 * the tick's time, passes the target through the safety layer with the watchdog inputs, and publishes the safe
 * command. Everything reads one clock, so the same loop runs live, on bag time and in the simulator.
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
  private readonly converter: ChunkConverter;
  private readonly publisher: CommandPublisher;
  private readonly inference: InferenceMode;
  private readonly periodS: number;
  private readonly minRequestIntervalS: number;
  private readonly deadlineS: number;
  private readonly listeners: ControlLoopListeners;
  private instructionText: string;
  private pending: Pending | undefined;
  private lastRequestS = -Infinity;
  private latencyEstimateS: number;
  private readonly recentLatenciesS: number[] = [];
  private readonly counts = {
    ticksWithoutState: 0,
    requested: 0,
    completed: 0,
    failed: 0,
    overdueTicks: 0,
    safetyEvents: 0,
    holdingTicks: 0,
    staleHoldingTicks: 0,
    clockStalls: 0,
    lateChunks: 0,
    maxChunkDelayS: 0,
  };
  private readonly latencies: number[] = [];
  private readonly lateness: number[] = [];
  private readonly compute: number[] = [];
  private readonly eventsByLimit: Record<string, number> = {};
  private readonly previousTarget: Float64Array;
  private hasPreviousTarget = false;
  private lastTickS = -Infinity;
  private halting = false;
  /** True when the last command was a holding one with zero velocity. */
  private atRest = false;
  private readonly toolTarget = new Float64Array(16);
  private readonly toolMeasured = new Float64Array(16);
  private readonly chainQ: Float64Array;
  private readonly twist = new Float64Array(6);

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
    this.minRequestIntervalS = 1 / (options.policyRateHz ?? rates.policy_hz);
    this.deadlineS = options.policyDeadlineS ?? embodiment.config.timeouts.policy_deadline_s;
    this.inference = options.inference ?? (isDrivenByProgram(transport.clock) ? { kind: 'lockstep', latencyS: 0.1 } : { kind: 'async' });
    this.latencyEstimateS = this.inference.kind === 'lockstep' ? this.inference.latencyS : this.minRequestIntervalS;
    this.assembler = new ObservationAssembler(transport, observationSourcesFor(embodiment), {
      timeBase: options.timeBase,
      onStampWarning: (message, topic) => this.listeners.stampWarning?.(message, topic),
    });
    this.converter = bindPolicy(embodiment, policy, { deltaConvention: options.deltaConvention });
    this.queue = new ActionQueue(this.converter.space, { handover: options.handover ?? DEFAULT_HANDOVER, interpolation: options.interpolation ?? 'cubic' });
    this.publisher = new CommandPublisher(transport, embodiment, { onSent: (sent) => this.listeners.sent?.(sent) });
    this.scheduler = new FixedRateScheduler(transport.clock, this.periodS);
    this.previousTarget = new Float64Array(this.converter.space.width);
    this.chainQ = new Float64Array(embodiment.chain.dof);
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
      await this.waitForLockstepInference();
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
    this.hasPreviousTarget = false;
  }

  /**
   * Resolves once no inference this loop asked for is still running. Call it after `run()` returns and before
   * another loop asks the same policy for a chunk: a policy runs one inference at a time.
   */
  async settle(): Promise<void> {
    await this.pending?.done;
  }

  /** Releases the subscriptions (the policy and transport belong to the caller). */
  close(): void {
    this.assembler.close();
  }

  stats(): ControlLoopStats {
    const s = this.scheduler.stats;
    return {
      ticks: s.ticks,
      overruns: s.overruns,
      latenessS: this.lateness,
      maxLatenessS: s.maxLatenessS,
      tickComputeS: this.compute,
      ticksWithoutState: this.counts.ticksWithoutState,
      inferences: { requested: this.counts.requested, completed: this.counts.completed, failed: this.counts.failed, latencyS: this.latencies },
      queue: this.queue.counters,
      lateChunks: { count: this.counts.lateChunks, maxDelayS: this.counts.maxChunkDelayS },
      overdueTicks: this.counts.overdueTicks,
      safetyEvents: this.counts.safetyEvents,
      eventsByLimit: this.eventsByLimit,
      holdingTicks: this.counts.holdingTicks,
      staleHoldingTicks: this.counts.staleHoldingTicks,
      clockStalls: this.counts.clockStalls,
      commandsSent: this.publisher.sent,
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
    this.collectInference(nowS);
    this.maybeRequest(nowS);
    const sample = this.queue.sample(nowS);
    const measured = this.assembler.latestJointState();
    let command: SafeCommand | undefined;
    let events: SafetyEvent[] = [];
    if (measured === undefined) {
      this.counts.ticksWithoutState++;
    } else {
      const overdue = (this.pending !== undefined && nowS - this.pending.requestedAtS > this.deadlineS) || sample.status === 'dry';
      if (overdue) this.counts.overdueTicks++;
      const ages = this.assembler.ages(nowS);
      const watchdog: WatchdogInputs = { jointStateAgeS: ages.jointStateAgeS, cameraAgesS: ages.cameraAgesS, policyOverdue: overdue };
      ({ command, events } = this.enforceAndPublish(nowS, measured, sample.target, watchdog));
      if (command.holding) {
        this.counts.holdingTicks++;
        if (this.assembler.anyStale(ages)) this.counts.staleHoldingTicks++;
      }
      this.atRest = command.holding && isStill(command);
    }
    for (const event of events) {
      this.counts.safetyEvents++;
      this.eventsByLimit[event.limit] = (this.eventsByLimit[event.limit] ?? 0) + 1;
      this.listeners.safetyEvent?.(event);
    }
    const latenessS = timing?.latenessS ?? 0;
    if (this.options.recordTiming === true) {
      this.lateness.push(latenessS);
      this.compute.push((performance.now() - wallStart) / 1000);
    }
    const info: TickInfo = { tS: nowS, latenessS, queue: sample.status, command, events };
    this.listeners.tick?.(info);
    return info;
  }

  /** Safety stage and publication, in one place for every control mode. */
  private enforceAndPublish(nowS: number, measured: JointStateSample, target: Float64Array | null, watchdog: WatchdogInputs): { command: SafeCommand; events: SafetyEvent[] } {
    const mode = this.embodiment.config.control.mode;
    const input = { tS: nowS, measured, watchdog };
    if (mode === 'cartesian_pose') {
      const result = this.safety.enforcePose({ ...input, proposal: target === null ? null : target.slice(0, POSE_WIDTH) });
      this.publisher.publish(result.command);
      return result;
    }
    if (mode === 'cartesian_twist') {
      const result = this.safety.enforceTwist({ ...input, proposal: target === null ? null : this.twistToward(target, measured) });
      this.publisher.publish(result.command);
      return result;
    }
    const result = this.safety.enforce({ ...input, proposal: target });
    this.publisher.publish(result.command);
    return result;
  }

  /** Twist toward the target pose: the target's own motion plus a proportional correction of the pose error. */
  private twistToward(target: Float64Array, measured: JointStateSample): Float64Array {
    const gain = this.options.twistGainPerS ?? 5;
    const idx = this.embodiment.chainJointIndices;
    for (let i = 0; i < idx.length; i++) this.chainQ[i] = measured.position[idx[i]!]!;
    this.embodiment.chain.forwardKinematics(this.chainQ, this.toolMeasured);
    rigidFromPose(target, this.toolTarget);
    const twist = this.twist;
    twist[0] = gain * (this.toolTarget[3]! - this.toolMeasured[3]!);
    twist[1] = gain * (this.toolTarget[7]! - this.toolMeasured[7]!);
    twist[2] = gain * (this.toolTarget[11]! - this.toolMeasured[11]!);
    rotationError(this.toolTarget, this.toolMeasured, twist, 3);
    for (let k = 3; k < 6; k++) twist[k] = gain * twist[k]!;
    if (this.hasPreviousTarget) {
      for (let k = 0; k < 3; k++) twist[k] = twist[k]! + (target[k]! - this.previousTarget[k]!) / this.periodS;
    }
    this.previousTarget.set(target);
    this.hasPreviousTarget = true;
    return twist.slice();
  }

  private collectInference(nowS: number): void {
    const p = this.pending;
    if (p === undefined || !p.settled) return;
    if (this.inference.kind === 'lockstep' && nowS < p.availableAtS) return;
    this.pending = undefined;
    if (p.error !== undefined || p.chunk === undefined) {
      this.fail(p.error ?? new VlaError('INFERENCE_FAILED', 'the policy returned no chunk'));
      return;
    }
    let target: TargetChunk;
    try {
      target = this.converter.convert(p.chunk, p.observation.jointState);
    } catch (err) {
      this.fail(err);
      return;
    }
    const latencyS = nowS - p.requestedAtS;
    this.latencies.push(latencyS);
    this.recentLatenciesS.push(latencyS);
    if (this.recentLatenciesS.length > 5) this.recentLatenciesS.shift();
    this.latencyEstimateS = Math.max(...this.recentLatenciesS);
    if ((this.options.latencyCompensation ?? 'keep_fed') === 'keep_fed') {
      const delayS = delayToCoverS(target, nowS, this.nextChunkDueS(nowS));
      if (delayS > 0) {
        target = delayChunk(target, delayS);
        this.counts.lateChunks++;
        this.counts.maxChunkDelayS = Math.max(this.counts.maxChunkDelayS, delayS);
      }
    }
    if (this.queue.size === 0) {
      // First chunk (or first after a reset): blend in from where the arm is, not from the chunk's start.
      const measured = this.assembler.latestJointState();
      if (measured !== undefined) this.queue.holdAt(this.converter.targetOf(measured), nowS);
    }
    this.queue.push(target, nowS);
    this.counts.completed++;
    this.listeners.chunk?.(p.chunk, target);
  }

  /**
   * When the next chunk can be in the queue at the latest, if it is asked for as early as the loop allows (on
   * a tick, one inference at a time, at most policy_hz) and takes as long as the slowest recent inference.
   */
  private nextChunkDueS(nowS: number): number {
    const earliestS = Math.max(nowS, this.lastRequestS + this.minRequestIntervalS);
    const requestS = nowS + Math.ceil((earliestS - nowS) / this.periodS - 1e-9) * this.periodS;
    return requestS + this.latencyEstimateS + this.periodS;
  }

  private fail(error: unknown): void {
    this.counts.failed++;
    if (!isVlaError(error) && !(error instanceof Error)) error = new VlaError('INFERENCE_FAILED', String(error));
    this.listeners.inferenceError?.(error);
  }

  /** Whether the next chunk should be requested now. */
  private needsChunk(nowS: number): boolean {
    if (nowS < this.lastRequestS + this.minRequestIntervalS) return false;
    const execEndS = this.queue.executableEndS();
    if (execEndS === undefined) return true;
    // Temporal ensembling wants a fresh chunk at every policy period; receding horizon just before the
    // executable part of the newest chunk runs out, allowing for the inference latency seen recently.
    if (this.options.handover?.kind === 'temporal_ensemble') return true;
    return nowS >= execEndS - (this.latencyEstimateS + this.periodS);
  }

  private maybeRequest(nowS: number): void {
    if (this.halting || this.pending !== undefined || !this.needsChunk(nowS)) return;
    const assembled = this.assembler.assemble(this.instructionText, this.policy.cameras);
    if (!isObservation(assembled)) return;
    const stale = this.assembler.stale(nowS);
    if (stale.length > 0) return;
    this.lastRequestS = nowS;
    this.counts.requested++;
    const availableAtS = this.inference.kind === 'lockstep' ? nowS + this.inference.latencyS : nowS;
    const pending: Pending = { requestedAtS: nowS, availableAtS, observation: assembled, settled: false, waited: false, done: Promise.resolve() };
    let started: Promise<ActionChunk>;
    try {
      started = this.policy.infer(assembled, { deadlineS: this.deadlineS });
    } catch (err) {
      started = Promise.reject(err);
    }
    pending.done = started.then(
      (chunk) => {
        pending.chunk = chunk;
        pending.settled = true;
      },
      (err: unknown) => {
        pending.error = err ?? new Error('inference failed');
        pending.settled = true;
      },
    );
    this.pending = pending;
  }

  /**
   * Lockstep only: when the pending inference is due before the next tick and has not answered, keep the
   * clock still and wait for it (bounded in wall time).
   */
  private async waitForLockstepInference(): Promise<void> {
    const p = this.pending;
    const mode = this.inference;
    if (mode.kind !== 'lockstep' || p === undefined || p.settled || p.waited) return;
    const nextTickS = this.transport.clock.nowS() + this.periodS;
    if (p.availableAtS > nextTickS + 1e-9) return;
    p.waited = true;
    const release = this.transport.clock.hold?.();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([p.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, (mode.waitLimitS ?? 30) * 1000)))]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      release?.();
    }
  }
}

/** A command that moves nothing: zero joint velocities, or a zero twist (a held pose is still). */
function isStill(command: SafeCommand): boolean {
  if (command.kind === 'joint') return command.velocities.every((v) => v === 0);
  if (command.kind === 'twist') return [...command.linearMPerS, ...command.angularRadPerS].every((v) => v === 0);
  return true;
}
