import { performance } from 'node:perf_hooks';
import { abortReason, type Clock } from './Clock';

export interface WallClockOptions {
  /**
   * How long before a deadline the clock stops sleeping with setTimeout, seconds (default 3 ms). libuv's
   * timers have millisecond resolution and wake up to 2-3 ms late when another thread is busy; the last
   * stretch is slept in short slices instead (DESIGN §7).
   */
  preciseWindowS?: number;
}

/** Longest slice of the last stretch before a deadline slept without giving the event loop a turn, seconds. */
const SLICE_S = 0.0002;
/** The final part of the last stretch is busy-waited: futex timeouts wake some 50 us late. */
const BUSY_S = 0.00008;

/** Epoch time from the monotonic high-resolution timer: never steps backwards, sub-microsecond resolution. */
export class WallClock implements Clock {
  readonly kind = 'wall' as const;
  private readonly originMs = performance.timeOrigin;
  private readonly preciseWindowS: number;
  /** Atomics.wait on a word nobody writes: a sleep of the thread with sub-millisecond resolution. */
  private readonly napWord = new Int32Array(new SharedArrayBuffer(4));

  constructor(options: WallClockOptions = {}) {
    this.preciseWindowS = options.preciseWindowS ?? 0.003;
  }

  nowS(): number {
    return (this.originMs + performance.now()) / 1000;
  }

  /**
   * Resolves at `tS`: setTimeout until `preciseWindowS` before it, then slices of at most SLICE_S (the thread sleeps,
   * and I/O such as arriving joint states is handled between slices) and a final short busy wait. Unlike a
   * setImmediate spin, this burns no CPU and allocates next to nothing, so it does not feed the garbage
   * collector pauses that would make later ticks late.
   */
  sleepUntil(tS: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      const onAbort = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        if (immediate !== undefined) clearImmediate(immediate);
        reject(abortReason(signal!));
      };
      const finish = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const slice = (): void => {
        immediate = undefined;
        let remainingS = tS - this.nowS();
        if (remainingS > BUSY_S) {
          Atomics.wait(this.napWord, 0, 0, Math.min(SLICE_S, remainingS - BUSY_S) * 1000);
          remainingS = tS - this.nowS();
        }
        if (remainingS > BUSY_S) {
          immediate = setImmediate(slice);
          return;
        }
        while (this.nowS() < tS);
        finish();
      };
      const wait = (): void => {
        timer = undefined;
        const remainingS = tS - this.nowS();
        if (remainingS <= 0) return finish();
        if (remainingS > this.preciseWindowS) timer = setTimeout(wait, (remainingS - this.preciseWindowS) * 1000);
        else slice();
      };
      if (signal?.aborted) return reject(abortReason(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      wait();
    });
  }
}
