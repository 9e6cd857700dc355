/** Seconds of ticks the lateness figures of ~/status and /diagnostics cover. */
export const LATENESS_WINDOW_S = 5;
/** A coarse clock is reported in ~/status while ticks were skipped this recently, seconds of clock time. */
const STALL_NOTE_S = 2;

/** How late the control ticks started after their deadlines, over the last LATENESS_WINDOW_S. */
export interface LatenessSummary {
  p50S: number;
  p99S: number;
  maxS: number;
  /** Ticks in the window. */
  ticks: number;
}

/**
 * What the live node reports about its loop's timing: lateness over a rolling window (ring buffer, figures
 * computed when asked, at the status rate) and ticks skipped because the clock did not advance (a /clock
 * coarser than the command rate), with one warning that names the clock's rate.
 */
export class LoopHealth {
  private readonly commandRateHz: number;
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private next = 0;
  private filled = 0;
  private lastTickS = NaN;
  private lastStepS = NaN;
  private stalls = 0;
  private lastStallS = -Infinity;
  private warned = false;

  constructor(commandRateHz: number, windowS = LATENESS_WINDOW_S) {
    this.commandRateHz = commandRateHz;
    this.ring = new Float64Array(Math.max(1, Math.round(windowS * commandRateHz)));
    this.sorted = new Float64Array(this.ring.length);
  }

  /** A tick that ran at `tS`, `latenessS` after its deadline. */
  onTick(tS: number, latenessS: number): void {
    this.ring[this.next] = latenessS;
    this.next = (this.next + 1) % this.ring.length;
    if (this.filled < this.ring.length) this.filled++;
    if (Number.isFinite(this.lastTickS)) this.lastStepS = tS - this.lastTickS;
    this.lastTickS = tS;
  }

  /** A tick skipped at `tS` because the clock had not advanced; returns the warning to log, the first time only. */
  onStall(tS: number): string | undefined {
    this.stalls++;
    this.lastStallS = tS;
    if (this.warned) return undefined;
    this.warned = true;
    return `${this.clockNote()}; ticks whose time has not advanced are skipped (counted in ~/status clock_stalls)`;
  }

  get clockStalls(): number {
    return this.stalls;
  }

  lateness(): LatenessSummary {
    const n = this.filled;
    if (n === 0) return { p50S: NaN, p99S: NaN, maxS: NaN, ticks: 0 };
    const sorted = this.sorted.subarray(0, n);
    sorted.set(this.ring.subarray(0, n));
    sorted.sort();
    // Nearest rank, as the benchmarks' percentile.
    const rank = (p: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
    return { p50S: rank(50), p99S: rank(99), maxS: sorted[n - 1]!, ticks: n };
  }

  /** Why ticks are being skipped, while they are (within the last few seconds of clock time); undefined otherwise. */
  clockWarning(nowS: number): string | undefined {
    if (this.stalls === 0 || nowS - this.lastStallS > STALL_NOTE_S) return undefined;
    return `${this.clockNote()}: ${this.stalls} ticks skipped`;
  }

  private clockNote(): string {
    const rate = this.commandRateHz;
    const step =
      this.lastStepS > 0
        ? `in steps of ${(this.lastStepS * 1000).toFixed(1)} ms (/clock at about ${(1 / this.lastStepS).toFixed(0)} Hz)`
        : 'in steps coarser than a tick';
    return `the clock advances ${step}, coarser than the ${rate} Hz command rate; publish /clock at ${rate} Hz or more (ros2 bag play --clock ${rate})`;
  }
}
