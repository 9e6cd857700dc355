import type { Clock } from '../../time/Clock';
import type { Embodiment } from '../../config/Embodiment';
import type { JointStateMsg } from '../../msgs/rosMessages';
import type { MessageOf, Publisher, TopicOptions, Transport, Unsubscribe } from '../../transport/Transport';
import { secondsToTime, timeToSeconds } from '../../time/rosTime';
import type { TimeMsg } from '../../msgs/rosMessages';
import type { FaultSchedule } from './FaultSchedule';

/**
 * The clock the bridge reads, jumped forward by every `clock_jump` fault whose time has come: `nowS()` is the
 * simulator's time plus the jumps so far, and sleeping never oversleeps a jump.
 */
export class JumpingClock implements Clock {
  readonly kind: Clock['kind'];

  constructor(
    private readonly inner: Clock,
    private readonly faults: FaultSchedule,
  ) {
    this.kind = inner.kind;
  }

  offsetAt(innerS: number): number {
    const t = this.faults.episodeTimeS(innerS);
    return this.faults.faults.filter((f) => f.kind === 'clock_jump' && t >= f.atS).reduce((sum, f) => sum + (f.durationS ?? 0), 0);
  }

  private nextJumpAfter(innerS: number): number {
    const t = this.faults.episodeTimeS(innerS);
    const next = this.faults.faults.filter((f) => f.kind === 'clock_jump' && f.atS > t).map((f) => f.atS);
    return next.length === 0 ? Infinity : innerS + (Math.min(...next) - t);
  }

  nowS(): number {
    const inner = this.inner.nowS();
    return inner + this.offsetAt(inner);
  }

  async sleepUntil(tS: number, signal?: AbortSignal): Promise<void> {
    while (this.nowS() < tS) {
      const inner = this.inner.nowS();
      await this.inner.sleepUntil(Math.min(tS - this.offsetAt(inner), this.nextJumpAfter(inner)), signal);
    }
  }

  hold(): () => void {
    return this.inner.hold?.() ?? (() => undefined);
  }
}

/**
 * The simulator's transport as the bridge sees it under the fault schedule: camera frames dropped during a
 * `camera_dropout`, joint states dropped during a `joint_state_stall` or carrying NaN positions during a
 * `joint_state_nan`, and the clock jumped by `clock_jump`. Commands pass through untouched.
 */
export class FaultyTransport implements Transport {
  readonly name: string;
  readonly clock: Clock;
  private readonly cameraTopics: ReadonlySet<string>;
  private readonly jointStatesTopic: string;

  constructor(
    private readonly inner: Transport,
    private readonly faults: FaultSchedule,
    embodiment: Embodiment,
  ) {
    this.name = `${inner.name}+faults`;
    this.clock = new JumpingClock(inner.clock, faults);
    this.cameraTopics = new Set(embodiment.config.topics.cameras.map((c) => c.topic));
    this.jointStatesTopic = embodiment.config.topics.joint_states;
  }

  receivedAtS(): number {
    return this.clock.nowS();
  }

  /**
   * A clock jump is the host's clock stepping: the bridge's clock and the stamps of the messages it receives
   * from then on move together, so messages received before the jump look old at once.
   */
  private jumped<M>(msg: M): M {
    const offset = (this.clock as JumpingClock).offsetAt(this.inner.clock.nowS());
    const header = (msg as { header?: { stamp?: TimeMsg } }).header;
    if (offset === 0 || header?.stamp === undefined) return msg;
    return { ...msg, header: { ...header, stamp: secondsToTime(timeToSeconds(header.stamp) + offset) } };
  }

  subscribe<T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void, options?: TopicOptions): Unsubscribe {
    const now = () => this.inner.clock.nowS();
    const shifted = (h: (msg: MessageOf<T>) => void) => (msg: MessageOf<T>) => h(this.jumped(msg));
    handler = shifted(handler);
    if (this.cameraTopics.has(topic)) {
      return this.inner.subscribe(topic, type, (msg) => (this.faults.active('camera_dropout', now()) ? undefined : handler(msg)), options);
    }
    if (topic === this.jointStatesTopic) {
      return this.inner.subscribe(
        topic,
        type,
        (msg) => {
          if (this.faults.active('joint_state_stall', now())) return;
          if (!this.faults.active('joint_state_nan', now())) return handler(msg);
          const js = msg as unknown as JointStateMsg;
          handler({ ...js, position: Array.from(js.position, () => NaN) } as unknown as MessageOf<T>);
        },
        options,
      );
    }
    return this.inner.subscribe(topic, type, handler, options);
  }

  createPublisher<T extends string>(topic: string, type: T, options?: TopicOptions): Publisher<MessageOf<T>> {
    return this.inner.createPublisher(topic, type, options);
  }

  /** The simulator is closed by its owner. */
  async close(): Promise<void> {}
}
