import type { Clock } from '../../time/Clock';
import type { MessageOf, Publisher, TopicOptions, Transport, Unsubscribe } from '../../transport/Transport';

/** A rename table, or a function from a topic to the topic it goes to. */
export type TopicRemap = ReadonlyMap<string, string> | ((topic: string) => string);

/**
 * Renames topics on their way to another transport. The node's dry run uses it to send every command topic
 * of the embodiment to a preview topic (the pipeline runs unchanged and nothing reaches the real
 * controllers); the in-process node host uses it to expand `~/name` as rcl would.
 */
export class RemappedTransport implements Transport {
  readonly name: string;
  readonly clock: Clock;
  private readonly inner: Transport;
  private readonly remap: TopicRemap;

  constructor(inner: Transport, remap: TopicRemap) {
    this.inner = inner;
    this.remap = remap;
    this.name = inner.name;
    this.clock = inner.clock;
  }

  /** The topic a name is sent to. */
  resolve(topic: string): string {
    return typeof this.remap === 'function' ? this.remap(topic) : (this.remap.get(topic) ?? topic);
  }

  subscribe<T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void, options?: TopicOptions): Unsubscribe {
    return this.inner.subscribe(this.resolve(topic), type, handler, options);
  }

  createPublisher<T extends string>(topic: string, type: T, options?: TopicOptions): Publisher<MessageOf<T>> {
    return this.inner.createPublisher(this.resolve(topic), type, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
