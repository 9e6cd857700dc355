import type { Clock } from './Clock';

/** What a tick knows about its timing. */
export interface TickTiming {
  /** Index of this tick's deadline since start (skipped deadlines are not ticks). */
  index: number;
  /** The absolute deadline this tick was scheduled for, seconds. */
  deadlineS: number;
  /** When it actually started: `nowS - deadlineS`, seconds (>= 0). */
  latenessS: number;
}

export interface SchedulerStats {
  ticks: number;
  /** Deadlines that passed without a tick because an earlier tick or wake-up ran too late. */
  overruns: number;
  /** Lateness of each tick in seconds, when `recordLateness` is on. */
  latenessS: readonly number[];
  maxLatenessS: number;
}

export interface SchedulerOptions {
  /** Start time of the first deadline (default: the clock's time at `start`). */
  startS?: number;
  /** Keep every tick's lateness (for benchmarks and summaries). */
  recordLateness?: boolean;
}

/**
 * A drift-free fixed-rate loop: deadline_k = start + k * period (absolute, never `now + period`), sleeping in
 * the clock's time. When a tick runs past the next deadline, the missed deadlines are skipped and counted as
 * overruns rather than run in a burst (ros2_control's controller manager does the same).
 */
export class FixedRateScheduler {
  readonly periodS: number;
  private readonly clock: Clock;
  private readonly options: SchedulerOptions;
  private readonly lateness: number[] = [];
  private tickCount = 0;
  private overrunCount = 0;
  private maxLateness = 0;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(clock: Clock, periodS: number, options: SchedulerOptions = {}) {
    if (!(periodS > 0) || !Number.isFinite(periodS)) throw new RangeError(`period must be a positive number of seconds, got ${periodS}`);
    this.clock = clock;
    this.periodS = periodS;
    this.options = options;
  }

  get stats(): SchedulerStats {
    return { ticks: this.tickCount, overruns: this.overrunCount, latenessS: this.lateness, maxLatenessS: this.maxLateness };
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /**
   * Calls `onTick` at every deadline until `stop()` or until `onTick` returns false. `onTick` may be async; the
   * next deadline is computed after it settles. Resolves when the loop ends; rejects if `onTick` throws.
   */
  start(onTick: (timing: TickTiming) => boolean | void | Promise<boolean | void>): Promise<void> {
    if (this.running !== undefined) throw new Error('scheduler already running');
    const abort = new AbortController();
    this.abort = abort;
    this.running = this.run(onTick, abort.signal).finally(() => {
      this.running = undefined;
      this.abort = undefined;
    });
    return this.running;
  }

  /** Ends the loop after the tick in progress; resolves when it has ended. */
  async stop(): Promise<void> {
    const running = this.running;
    this.abort?.abort(new StopSignal());
    if (running !== undefined) await running;
  }

  private async run(onTick: (timing: TickTiming) => boolean | void | Promise<boolean | void>, signal: AbortSignal): Promise<void> {
    const startS = this.options.startS ?? this.clock.nowS();
    let k = 0;
    while (!signal.aborted) {
      const deadlineS = startS + k * this.periodS;
      try {
        await this.clock.sleepUntil(deadlineS, signal);
      } catch (err) {
        if (err instanceof StopSignal) return;
        throw err;
      }
      const nowS = this.clock.nowS();
      const latenessS = Math.max(0, nowS - deadlineS);
      this.tickCount++;
      if (latenessS > this.maxLateness) this.maxLateness = latenessS;
      if (this.options.recordLateness === true) this.lateness.push(latenessS);
      const keepGoing = await onTick({ index: k, deadlineS, latenessS });
      if (keepGoing === false) return;
      // Next deadline strictly after now; every deadline jumped over is an overrun.
      const afterS = this.clock.nowS();
      let next = k + 1;
      const due = Math.floor((afterS - startS) / this.periodS);
      if (due > next) {
        this.overrunCount += due - next;
        next = due;
      }
      k = next;
    }
  }
}

class StopSignal extends Error {
  constructor() {
    super('scheduler stopped');
  }
}
