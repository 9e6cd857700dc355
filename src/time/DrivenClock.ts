import { abortReason, type Clock, type ClockKind } from './Clock';

interface Waiter {
  tS: number;
  resolve: () => void;
}

/**
 * A clock whose time is set from outside: by /clock messages (RosTimeClock), by bag replay (BagClock) or by a
 * test (ManualClock). Time never moves backwards here; a jump back (a looping bag) is counted and ignored.
 */
export class DrivenClock implements Clock {
  readonly kind: ClockKind;
  private timeS: number;
  private waiters: Waiter[] = [];
  private backwardJumpCount = 0;

  constructor(kind: ClockKind, startS = 0) {
    this.kind = kind;
    this.timeS = startS;
  }

  nowS(): number {
    return this.timeS;
  }

  /** How many times `set` was asked to move time backwards. */
  get backwardJumps(): number {
    return this.backwardJumpCount;
  }

  /** Moves time to `tS` and wakes every sleeper whose deadline has come (their continuations run as microtasks). */
  set(tS: number): void {
    if (!Number.isFinite(tS)) throw new RangeError(`clock time must be finite, got ${tS}`);
    if (tS < this.timeS) {
      this.backwardJumpCount++;
      return;
    }
    this.timeS = tS;
    if (this.waiters.length === 0) return;
    const due = this.waiters.filter((w) => w.tS <= tS);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.tS > tS);
    for (const w of due) w.resolve();
  }

  /**
   * Sets the time, then resolves after everything it woke has run to its next wait (one macrotask later).
   * Drivers that need a deterministic interleaving (tests, bag replay) await this.
   */
  async advanceTo(tS: number): Promise<void> {
    this.set(tS);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  sleepUntil(tS: number, signal?: AbortSignal): Promise<void> {
    if (tS <= this.timeS) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const waiter: Waiter = {
        tS,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Deadlines somebody is sleeping until, earliest first. */
  pendingDeadlines(): number[] {
    return this.waiters.map((w) => w.tS).sort((a, b) => a - b);
  }
}
