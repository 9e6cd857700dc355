import { ManualClock } from '../time/ManualClock';
import type { StringMsg } from '../msgs/rosMessages';
import { firstValueFrom, take, toArray } from 'rxjs';
import { fromTopic } from './fromTopic';
import { LoopbackTransport } from './LoopbackTransport';

describe('LoopbackTransport', () => {
  it('delivers each publish synchronously to every subscriber of the topic, in subscription order', () => {
    const t = new LoopbackTransport(new ManualClock());
    const got: string[] = [];
    t.subscribe('/a', 'std_msgs/msg/String', (m: StringMsg) => got.push(`1:${m.data}`));
    t.subscribe('/a', 'std_msgs/msg/String', (m: StringMsg) => got.push(`2:${m.data}`));
    t.subscribe('/b', 'std_msgs/msg/String', (m: StringMsg) => got.push(`b:${m.data}`));
    t.createPublisher('/a', 'std_msgs/msg/String').publish({ data: 'x' });
    expect(got).toEqual(['1:x', '2:x']);
    expect(t.topics().find((x) => x.topic === '/a')?.published).toBe(1);
  });

  it('refuses a second type on a topic, naming the topic', () => {
    const t = new LoopbackTransport();
    t.createPublisher('/joint_states', 'sensor_msgs/msg/JointState');
    expect(() => t.subscribe('/joint_states', 'std_msgs/msg/String', () => {})).toThrow(
      'topic /joint_states carries sensor_msgs/msg/JointState, not std_msgs/msg/String',
    );
  });

  it('stops delivering after unsubscribe and after close', async () => {
    const t = new LoopbackTransport();
    const got: string[] = [];
    const off = t.subscribe('/a', 'std_msgs/msg/String', (m: StringMsg) => got.push(m.data));
    const pub = t.createPublisher('/a', 'std_msgs/msg/String');
    pub.publish({ data: '1' });
    off();
    pub.publish({ data: '2' });
    t.subscribe('/a', 'std_msgs/msg/String', (m: StringMsg) => got.push(m.data));
    await t.close();
    pub.publish({ data: '3' });
    expect(got).toEqual(['1']);
  });

  it('fromTopic turns a topic into an rxjs stream', async () => {
    const t = new LoopbackTransport();
    const values = firstValueFrom(fromTopic(t, '/a', 'std_msgs/msg/String').pipe(take(2), toArray()));
    const pub = t.createPublisher('/a', 'std_msgs/msg/String');
    pub.publish({ data: 'p' });
    pub.publish({ data: 'q' });
    expect((await values).map((m) => m.data)).toEqual(['p', 'q']);
  });
});
