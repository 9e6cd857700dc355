import { median, percentile } from '../../stats/orderStatistics';

/** p50 / p99 over the most recent samples (a ring), for what `~/status`, `sim` and `eval` report. */
export class LatencyStats {
  private readonly ring: Float64Array;
  private count = 0;
  private next = 0;

  constructor(capacity = 1024) {
    this.ring = new Float64Array(capacity);
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.ring[this.next] = value;
    this.next = (this.next + 1) % this.ring.length;
    this.count = Math.min(this.count + 1, this.ring.length);
  }

  get size(): number {
    return this.count;
  }

  /** Median, nearest-rank p99 and max of the samples held; undefined when there are none. */
  summary(): { p50: number; p99: number; max: number } | undefined {
    if (this.count === 0) return undefined;
    const held = this.ring.subarray(0, this.count);
    return { p50: median(held), p99: percentile(held, 99), max: percentile(held, 100) };
  }
}
