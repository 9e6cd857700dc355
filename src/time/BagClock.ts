import { DrivenClock } from './DrivenClock';

/**
 * Bag time. Replay (src/transport/BagTransport) moves it from one control tick's deadline to the next, in
 * log-time order with the bag's messages. A control loop waiting for a lockstep inference holds it (`hold`),
 * and the replay waits for the release (`whenReleased`) before it moves time on, so what the pipeline does
 * never depends on how fast the machine runs the policy.
 */
export class BagClock extends DrivenClock {
  private holdCount = 0;
  private releaseWaiters: (() => void)[] = [];

  constructor(startS = 0) {
    super('bag', startS);
  }

  /** True while somebody holds time still. */
  get held(): boolean {
    return this.holdCount > 0;
  }

  /** Keeps time still until the returned release is called (calling it twice is harmless). */
  hold(): () => void {
    this.holdCount++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holdCount--;
      if (this.holdCount === 0) for (const resolve of this.releaseWaiters.splice(0)) resolve();
    };
  }

  /** Resolves once nobody holds time (at once when nobody does). */
  whenReleased(): Promise<void> {
    if (this.holdCount === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.releaseWaiters.push(resolve));
  }
}
