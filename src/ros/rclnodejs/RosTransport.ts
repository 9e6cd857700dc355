import type { Clock } from '../../time/Clock';
import { VlaError } from '../../errors';
import type { MessageOf, Publisher, QosHint, TopicOptions, Transport, Unsubscribe } from '../../transport/Transport';
import type { RclNode, RclPublisher, RclSubscription, Rclnodejs } from './rclnodejsApi';

/**
 * Topics over an rclnodejs node. Messages cross as plain objects with the .msg field names (numeric arrays as
 * typed arrays), the shapes of src/msgs/rosMessages.ts, so the core's converters serve this transport and bag
 * replay alike. QoS hints map onto rclnodejs's profiles: `sensor_data` (best effort, shallow queue) for cameras
 * and joint states, the default profile (reliable) otherwise. `close()` destroys what this transport created
 * and leaves the node alive, so a lifecycle node opens one per configuration.
 */
export class RosTransport implements Transport {
  readonly name = 'ros';
  readonly clock: Clock;
  private readonly node: RclNode;
  private readonly qos: Rclnodejs['QoS'];
  private readonly types = new Map<string, string>();
  private readonly subscriptions = new Set<RclSubscription>();
  private readonly publishers = new Set<RclPublisher>();
  private closed = false;

  constructor(node: RclNode, qos: Rclnodejs['QoS'], clock: Clock) {
    this.node = node;
    this.qos = qos;
    this.clock = clock;
  }

  subscribe<T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void, options?: TopicOptions): Unsubscribe {
    this.claim(topic, type);
    const subscription = this.node.createSubscription(
      type,
      topic,
      { qos: this.profile(options?.qos ?? 'reliable'), enableTypedArray: true },
      (msg) => {
        if (!this.closed) handler(msg as MessageOf<T>);
      },
    );
    this.subscriptions.add(subscription);
    return () => {
      if (!this.subscriptions.delete(subscription)) return;
      this.node.destroySubscription(subscription);
    };
  }

  createPublisher<T extends string>(topic: string, type: T, options?: TopicOptions): Publisher<MessageOf<T>> {
    this.claim(topic, type);
    const publisher = this.node.createPublisher(type, topic, { qos: this.profile(options?.qos ?? 'reliable') });
    this.publishers.add(publisher);
    return {
      topic,
      type,
      publish: (msg: MessageOf<T>) => {
        if (!this.closed) publisher.publish(msg as object);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of this.subscriptions) this.node.destroySubscription(subscription);
    for (const publisher of this.publishers) this.node.destroyPublisher(publisher);
    this.subscriptions.clear();
    this.publishers.clear();
  }

  private profile(hint: QosHint): string {
    return hint === 'sensor_data' ? this.qos.profileSensorData : this.qos.profileDefault;
  }

  /** One type per topic within this transport, as LoopbackTransport enforces. */
  private claim(topic: string, type: string): void {
    if (this.closed) throw new Error(`ROS transport is closed; cannot use ${topic}`);
    const known = this.types.get(topic);
    if (known !== undefined && known !== type) {
      throw new VlaError('MESSAGE_INVALID', `topic ${topic} carries ${known}, not ${type}`, {
        path: topic,
        hint: 'use one message type per topic (check the topic names and types in the embodiment YAML)',
      });
    }
    this.types.set(topic, type);
  }
}
