import { Observable } from 'rxjs';
import type { MessageOf, TopicOptions, Transport } from './Transport';

/** A topic as an rxjs stream: subscribing subscribes to the topic, unsubscribing releases it. */
export function fromTopic<T extends string>(
  transport: Transport,
  topic: string,
  type: T,
  options?: TopicOptions,
): Observable<MessageOf<T>> {
  return new Observable<MessageOf<T>>((subscriber) => transport.subscribe(topic, type, (msg) => subscriber.next(msg), options));
}
