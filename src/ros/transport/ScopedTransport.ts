import type { Clock } from '../../time/Clock';
import type { MessageOf, Publisher, TopicOptions, Transport, Unsubscribe } from '../../transport/Transport';

/**
 * A view of a shared transport that owns what it creates: `close()` ends its subscriptions and mutes its
 * publishers, and leaves the shared transport (and everybody else's topics on it) running. A lifecycle node
 * opens one per configuration and closes it on cleanup.
 */
export class ScopedTransport implements Transport {
  readonly name: string;
  readonly clock: Clock;
  private readonly inner: Transport;
  private readonly unsubscribes = new Set<Unsubscribe>();
  private closed = false;

  constructor(inner: Transport) {
    this.inner = inner;
    this.name = inner.name;
    this.clock = inner.clock;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  subscribe<T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void, options?: TopicOptions): Unsubscribe {
    this.assertOpen(topic);
    const inner = this.inner.subscribe(
      topic,
      type,
      (msg) => {
        if (!this.closed) handler(msg);
      },
      options,
    );
    const unsubscribe = (): void => {
      this.unsubscribes.delete(unsubscribe);
      inner();
    };
    this.unsubscribes.add(unsubscribe);
    return unsubscribe;
  }

  createPublisher<T extends string>(topic: string, type: T, options?: TopicOptions): Publisher<MessageOf<T>> {
    this.assertOpen(topic);
    const inner = this.inner.createPublisher(topic, type, options);
    return {
      topic: inner.topic,
      type: inner.type,
      publish: (msg: MessageOf<T>) => {
        if (!this.closed) inner.publish(msg);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const unsubscribe of [...this.unsubscribes]) unsubscribe();
  }

  private assertOpen(topic: string): void {
    if (this.closed) throw new Error(`transport scope is closed; cannot use ${topic}`);
  }
}
