import type { Clock } from '../time/Clock';
import { ManualClock } from '../time/ManualClock';
import { VlaError } from '../errors';
import type { MessageOf, Publisher, TopicOptions, Transport, Unsubscribe } from './Transport';

interface Bus {
  type: string;
  handlers: Set<(msg: unknown) => void>;
  published: number;
}

/**
 * Topics as in-process buses: a publish calls every subscriber synchronously, in subscription order. For tests
 * and for in-process wiring (the simulator's arm and the bridge talk through one of these).
 */
export class LoopbackTransport implements Transport {
  readonly name: string;
  readonly clock: Clock;
  private readonly buses = new Map<string, Bus>();
  private closed = false;

  constructor(clock: Clock = new ManualClock(), name = 'loopback') {
    this.clock = clock;
    this.name = name;
  }

  subscribe<T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void, _options?: TopicOptions): Unsubscribe {
    const bus = this.bus(topic, type);
    const h = handler as (msg: unknown) => void;
    bus.handlers.add(h);
    return () => {
      bus.handlers.delete(h);
    };
  }

  createPublisher<T extends string>(topic: string, type: T, _options?: TopicOptions): Publisher<MessageOf<T>> {
    const bus = this.bus(topic, type);
    return {
      topic,
      type,
      publish: (msg: MessageOf<T>) => {
        if (this.closed) return;
        bus.published++;
        for (const handler of [...bus.handlers]) handler(msg);
      },
    };
  }

  /** Topics that exist, with their type and how many messages went through them. */
  topics(): { topic: string; type: string; published: number }[] {
    return [...this.buses].map(([topic, bus]) => ({ topic, type: bus.type, published: bus.published }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const bus of this.buses.values()) bus.handlers.clear();
  }

  private bus(topic: string, type: string): Bus {
    const existing = this.buses.get(topic);
    if (existing === undefined) {
      const bus: Bus = { type, handlers: new Set(), published: 0 };
      this.buses.set(topic, bus);
      return bus;
    }
    if (existing.type !== type) {
      throw new VlaError('MESSAGE_INVALID', `topic ${topic} carries ${existing.type}, not ${type}`, {
        path: topic,
        hint: 'use one message type per topic (check the topic names and types in the embodiment YAML)',
      });
    }
    return existing;
  }
}
