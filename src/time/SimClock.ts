import { DrivenClock } from './DrivenClock';
import { WallClock } from './WallClock';

/** Advances the simulated world from its current time to `toS` (integrates dynamics, publishes sensors). */
export type SimStepper = (toS: number) => void;

export interface SimClockOptions {
  /** Pace simulated time to wall time (`--realtime`); by default time runs as fast as the machine allows. */
  realtime?: boolean;
  startS?: number;
}

/**
 * Simulated time. Sleeping on it is what makes it move: whenever somebody sleeps, the clock steps the
 * simulator to the earliest deadline anyone is waiting for and wakes them (a discrete-event scheduler). With
 * `realtime`, simulated time follows wall time: each advance waits for its wall-clock moment, and a late
 * wake-up advances the world to the moment it actually woke.
 */
export class SimClock extends DrivenClock {
  private readonly realtime: boolean;
  private readonly wall = new WallClock();
  private stepper: SimStepper | undefined;
  private driving = false;
  private holds = 0;
  private wallOffsetS: number | undefined;

  constructor(options: SimClockOptions = {}) {
    super('sim', options.startS ?? 0);
    this.realtime = options.realtime ?? false;
  }

  /** The simulator registers the function that moves the world forward. */
  setStepper(stepper: SimStepper | undefined): void {
    this.stepper = stepper;
  }

  /**
   * Keeps time still until the returned release is called: an actor that is busy (awaiting an inference in
   * lockstep) takes a hold so that another sleeper's later deadline does not run the world ahead of it.
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.kick();
    };
  }

  override sleepUntil(tS: number, signal?: AbortSignal): Promise<void> {
    const sleeping = super.sleepUntil(tS, signal);
    this.kick();
    return sleeping;
  }

  private kick(): void {
    if (this.driving || this.holds > 0) return;
    this.driving = true;
    setImmediate(() => void this.drive());
  }

  private async drive(): Promise<void> {
    try {
      for (;;) {
        if (this.holds > 0) return;
        const next = this.pendingDeadlines()[0];
        if (next === undefined) return;
        let toS = next;
        if (this.realtime) {
          // Paced: simulated time is wall time (shifted), so a late wake-up shows as lateness, as it would live.
          this.wallOffsetS ??= this.wall.nowS() - this.nowS();
          await this.wall.sleepUntil(next + this.wallOffsetS);
          toS = Math.max(next, this.wall.nowS() - this.wallOffsetS);
        }
        this.stepper?.(toS);
        this.set(toS);
        // Let the woken sleepers run (and sleep again) before choosing the next deadline.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.driving = false;
    }
  }
}
