import { BagClock } from '../time/BagClock';
import { LoopbackTransport } from './LoopbackTransport';
import type { MessageOf, Publisher, TopicOptions, Transport, Unsubscribe } from './Transport';

export interface BagTransportOptions {
  /** Bag time replay starts at (the first message's log time), seconds. */
  startS: number;
  /**
   * A message logged within this long of a tick's deadline counts as logged at that instant, seconds (default
   * 1 µs): bag times are rounded to nanoseconds, a tick's deadline is not.
   */
  simultaneityS?: number;
}

/**
 * A recorded bag as a transport: the replay hands it the bag's sensor messages in log-time order (`play`), and
 * it moves its BagClock through the control loop's tick deadlines in between, so every tick runs at its own
 * deadline and sees exactly the messages logged before it. A message logged at a tick's very instant arrives
 * after that tick: it was being logged as the tick ran (in the simulator too, a sensor and a tick due at the
 * same time meet in that order). Publishers are in memory: what the pipeline publishes reaches the subscribers
 * of this transport and nothing else.
 *
 * Deterministic by construction: no wall time anywhere. When a lockstep control loop holds the clock while it
 * waits for an inference, time does not move until it lets go, however long the policy takes.
 */
export class BagTransport implements Transport {
  readonly name = 'bag';
  readonly clock: BagClock;
  /** A message logged within this long of a tick's deadline counts as logged at that instant, s. */
  readonly simultaneityS: number;
  private readonly bus: LoopbackTransport;
  private readonly feeds = new Map<string, Publisher<unknown>>();
  private playedCount = 0;
  private fence = Infinity;
  private deliveringAtS: number | undefined;

  constructor(options: BagTransportOptions) {
    this.clock = new BagClock(options.startS);
    this.bus = new LoopbackTransport(this.clock, 'bag');
    this.simultaneityS = options.simultaneityS ?? 1e-6;
  }

  /** Messages delivered so far. */
  get played(): number {
    return this.playedCount;
  }

  /** No tick due at or after this time runs, s (Infinity: none is fenced off). */
  get fenceS(): number {
    return this.fence;
  }

  /**
   * Stops time short of `tS`: ticks due at or after it do not run, however late the next message is. Replay
   * fences an episode off at the start of the next one, so that its loop does not tick at the instant the next
   * episode begins (messages logged at that instant come before the instruction that says so).
   */
  setFence(tS: number): void {
    this.fence = tS;
  }

  subscribe<T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void, options?: TopicOptions): Unsubscribe {
    return this.bus.subscribe(topic, type, handler, options);
  }

  createPublisher<T extends string>(topic: string, type: T, options?: TopicOptions): Publisher<MessageOf<T>> {
    return this.bus.createPublisher(topic, type, options);
  }

  /** Runs every tick due up to `logTimeS` (its instant included), then delivers the message to the subscribers of `topic`. */
  async play(topic: string, type: string, logTimeS: number, message: unknown): Promise<void> {
    await this.catchUp(logTimeS);
    let feed = this.feeds.get(topic);
    if (feed === undefined) {
      feed = this.bus.createPublisher(topic, type, { qos: 'sensor_data' }) as Publisher<unknown>;
      this.feeds.set(topic, feed);
    }
    this.playedCount++;
    this.deliveringAtS = logTimeS;
    try {
      feed.publish(message);
    } finally {
      this.deliveringAtS = undefined;
    }
  }

  /** The log time of the message being played (the clock may still be at the tick before it), s. */
  receivedAtS(): number {
    return this.deliveringAtS ?? this.clock.nowS();
  }

  /** Runs every tick due up to `tS` (its instant included) that the fence allows; the clock stays at the last of them. */
  async catchUp(tS: number): Promise<void> {
    const limitS = Math.min(tS + this.simultaneityS, this.fence - this.simultaneityS);
    for (;;) {
      const next = this.clock.pendingDeadlines()[0];
      if (next === undefined || next > limitS || next >= this.fence - this.simultaneityS) return;
      this.clock.set(next);
      await this.settle();
    }
  }

  /** Runs every tick due up to `tS`, then moves the clock to `tS` if it is behind. `tS` must be short of the fence. */
  async advanceTo(tS: number): Promise<void> {
    if (tS >= this.fence - this.simultaneityS)
      throw new RangeError(`bag time cannot move to ${tS} s: it is fenced off from ${this.fence} s`);
    await this.catchUp(tS);
    if (tS > this.clock.nowS()) this.clock.set(tS);
    await this.settle();
  }

  /**
   * Lets whatever the last clock move woke run until it sleeps again: one macrotask, and for as long as
   * somebody holds the clock (a lockstep inference in flight), until the hold is released. `play`, `catchUp`
   * and `advanceTo` settle after every move they make; a caller that starts a loop itself settles before it
   * plays the next message, so the loop's first tick runs first.
   */
  async settle(): Promise<void> {
    await nextMacrotask();
    while (this.clock.held) {
      await this.clock.whenReleased();
      await nextMacrotask();
    }
  }

  async close(): Promise<void> {
    await this.bus.close();
  }
}

function nextMacrotask(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
