export type { MessageOf, Publisher, QosHint, RosMessageMap, TopicOptions, Transport, Unsubscribe } from './Transport';
export { LoopbackTransport } from './LoopbackTransport';
export { fromTopic } from './fromTopic';
export { BagTransport, type BagTransportOptions } from './BagTransport';
