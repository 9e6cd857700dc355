import { VlaError } from '../errors';
import type { JointStateSample, Observation } from '../observation/Observation';
import type { ActionChunk, Policy } from '../policy/Policy';
import type { Clock } from '../time/Clock';
import type { ActionQueue, Handover } from './queue/ActionQueue';
import type { ChunkConverter } from './queue/ChunkConverter';
import { delayChunk, delayToCoverS, type LatencyCompensation } from './queue/latencyCompensation';
import type { TargetChunk } from './queue/TargetChunk';

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

export interface InferenceSchedulerOptions {
  policy: Policy;
  mode: InferenceMode;
  converter: ChunkConverter;
  queue: ActionQueue;
  /** The loop's command period, s: requests and arrivals happen on ticks. */
  periodS: number;
  /** Requests are at most this frequent, s apart. */
  minRequestIntervalS: number;
  /** An inference older than this makes the policy overdue, s. */
  deadlineS: number;
  handover?: Handover;
  /** How arriving chunks are lined up with the clock (default `keep_fed`). */
  latencyCompensation?: LatencyCompensation;
  /** Every chunk that entered the queue, as the policy gave it and as converted to targets. */
  onChunk?(chunk: ActionChunk, target: TargetChunk): void;
  /** Every inference that failed (rejected, timed out, or returned an invalid chunk). */
  onError?(error: unknown): void;
}

export interface InferenceCounters {
  requested: number;
  completed: number;
  failed: number;
  /** Clock seconds from request to the chunk entering the queue, per completed inference. */
  latencyS: readonly number[];
  /** Chunks run later than their observation's time to keep the queue fed (`keep_fed`), and the largest delay. */
  lateChunks: { count: number; maxDelayS: number };
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
 * The loop's asynchronous inference client (as LeRobot's async client): one request in flight, asked for early
 * enough that the action queue does not run dry (allowing for the inference latency seen recently), never
 * waited for on live clocks; in lockstep on program-driven clocks. A finished inference is converted to targets,
 * lined up with the clock and pushed into the queue on the tick it becomes available.
 */
export class InferenceScheduler {
  private readonly o: InferenceSchedulerOptions;
  private pending: Pending | undefined;
  private lastRequestS = -Infinity;
  private latencyEstimateS: number;
  private readonly recentLatenciesS: number[] = [];
  private readonly latencies: number[] = [];
  private readonly counts = { requested: 0, completed: 0, failed: 0, lateChunks: 0, maxChunkDelayS: 0 };

  constructor(options: InferenceSchedulerOptions) {
    this.o = options;
    this.latencyEstimateS = options.mode.kind === 'lockstep' ? options.mode.latencyS : options.minRequestIntervalS;
  }

  get counters(): InferenceCounters {
    const c = this.counts;
    return {
      requested: c.requested,
      completed: c.completed,
      failed: c.failed,
      latencyS: this.latencies,
      lateChunks: { count: c.lateChunks, maxDelayS: c.maxChunkDelayS },
    };
  }

  /** True when an inference in flight is older than the deadline. */
  overdue(nowS: number): boolean {
    return this.pending !== undefined && nowS - this.pending.requestedAtS > this.o.deadlineS;
  }

  /** Moves a finished inference into the queue once it is available at `nowS`. `measured`: where the arm is. */
  collect(nowS: number, measured: () => JointStateSample | undefined): void {
    const p = this.pending;
    if (p === undefined || !p.settled) return;
    if (this.o.mode.kind === 'lockstep' && nowS < p.availableAtS) return;
    this.pending = undefined;
    if (p.error !== undefined || p.chunk === undefined) {
      this.fail(p.error ?? new VlaError('INFERENCE_FAILED', 'the policy returned no chunk'));
      return;
    }
    let target: TargetChunk;
    try {
      target = this.o.converter.convert(p.chunk, p.observation.jointState);
    } catch (err) {
      this.fail(err);
      return;
    }
    const latencyS = nowS - p.requestedAtS;
    this.latencies.push(latencyS);
    this.recentLatenciesS.push(latencyS);
    if (this.recentLatenciesS.length > 5) this.recentLatenciesS.shift();
    this.latencyEstimateS = Math.max(...this.recentLatenciesS);
    if ((this.o.latencyCompensation ?? 'keep_fed') === 'keep_fed') {
      const delayS = delayToCoverS(target, nowS, this.nextChunkDueS(nowS));
      if (delayS > 0) {
        target = delayChunk(target, delayS);
        this.counts.lateChunks++;
        this.counts.maxChunkDelayS = Math.max(this.counts.maxChunkDelayS, delayS);
      }
    }
    const queue = this.o.queue;
    if (queue.size === 0) {
      // First chunk (or first after a reset): blend in from where the arm is, not from the chunk's start.
      const state = measured();
      if (state !== undefined) queue.holdAt(this.o.converter.targetOf(state), nowS);
    }
    queue.push(target, nowS);
    this.counts.completed++;
    this.o.onChunk?.(p.chunk, target);
  }

  /**
   * Asks the policy for the next chunk when it is time to: nothing in flight, not sooner than the policy rate
   * allows, and the queue about to need it. `observe` gives the observation, or undefined when there is none
   * fit to infer on (missing or stale inputs).
   */
  maybeRequest(nowS: number, observe: () => Observation | undefined): void {
    if (this.pending !== undefined || !this.needsChunk(nowS)) return;
    const observation = observe();
    if (observation === undefined) return;
    this.lastRequestS = nowS;
    this.counts.requested++;
    const mode = this.o.mode;
    const availableAtS = mode.kind === 'lockstep' ? nowS + mode.latencyS : nowS;
    const pending: Pending = { requestedAtS: nowS, availableAtS, observation, settled: false, waited: false, done: Promise.resolve() };
    let started: Promise<ActionChunk>;
    try {
      started = this.o.policy.infer(observation, { deadlineS: this.o.deadlineS });
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
   * Lockstep only: when the inference in flight is due before the next tick and has not answered, keep the
   * clock still and wait for it (bounded in wall time).
   */
  async waitForLockstep(clock: Clock): Promise<void> {
    const p = this.pending;
    const mode = this.o.mode;
    if (mode.kind !== 'lockstep' || p === undefined || p.settled || p.waited) return;
    const nextTickS = clock.nowS() + this.o.periodS;
    if (p.availableAtS > nextTickS + 1e-9) return;
    p.waited = true;
    const release = clock.hold?.();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([p.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, (mode.waitLimitS ?? 30) * 1000)))]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      release?.();
    }
  }

  /** Resolves once no inference this scheduler asked for is still running. */
  async settle(): Promise<void> {
    await this.pending?.done;
  }

  /**
   * When the next chunk can be in the queue at the latest, if it is asked for as early as allowed (on a tick,
   * one inference at a time, at most policy_hz) and takes as long as the slowest recent inference.
   */
  private nextChunkDueS(nowS: number): number {
    const periodS = this.o.periodS;
    const earliestS = Math.max(nowS, this.lastRequestS + this.o.minRequestIntervalS);
    const requestS = nowS + Math.ceil((earliestS - nowS) / periodS - 1e-9) * periodS;
    return requestS + this.latencyEstimateS + periodS;
  }

  private fail(error: unknown): void {
    this.counts.failed++;
    if (!(error instanceof Error)) error = new VlaError('INFERENCE_FAILED', String(error));
    this.o.onError?.(error);
  }

  /** Whether the next chunk should be requested now. */
  private needsChunk(nowS: number): boolean {
    if (nowS < this.lastRequestS + this.o.minRequestIntervalS) return false;
    const execEndS = this.o.queue.executableEndS();
    if (execEndS === undefined) return true;
    // Temporal ensembling wants a fresh chunk at every policy period; receding horizon just before the
    // executable part of the newest chunk runs out, allowing for the inference latency seen recently.
    if (this.o.handover?.kind === 'temporal_ensemble') return true;
    return nowS >= execEndS - (this.latencyEstimateS + this.o.periodS);
  }
}
