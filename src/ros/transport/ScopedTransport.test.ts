import { ManualClock } from '../../time/ManualClock';
import type { StringMsg } from '../../msgs/rosMessages';
import { LoopbackTransport } from '../../transport/LoopbackTransport';
import { RemappedTransport } from './RemappedTransport';
import { ScopedTransport } from './ScopedTransport';

describe('ScopedTransport', () => {
  it('closing the scope ends its subscriptions and mutes its publishers, and leaves the shared bus running', async () => {
    const bus = new LoopbackTransport(new ManualClock());
    const scope = new ScopedTransport(bus);
    const inScope: string[] = [];
    const outside: string[] = [];
    scope.subscribe('/t', 'std_msgs/msg/String', (m: StringMsg) => inScope.push(m.data));
    bus.subscribe('/t', 'std_msgs/msg/String', (m: StringMsg) => outside.push(m.data));
    const scoped = scope.createPublisher('/t', 'std_msgs/msg/String');
    const shared = bus.createPublisher('/t', 'std_msgs/msg/String');
    scoped.publish({ data: 'a' });
    await scope.close();
    scoped.publish({ data: 'b' });
    shared.publish({ data: 'c' });
    expect(inScope).toEqual(['a']);
    expect(outside).toEqual(['a', 'c']);
    expect(scope.isClosed).toBe(true);
    expect(() => scope.createPublisher('/u', 'std_msgs/msg/String')).toThrow(/closed/);
  });
});

describe('RemappedTransport', () => {
  it('sends renamed topics elsewhere and leaves the others alone, with a table or a function', () => {
    const bus = new LoopbackTransport(new ManualClock());
    const table = new RemappedTransport(bus, new Map([['/cmd', '/preview/cmd']]));
    const fn = new RemappedTransport(bus, (t) => t.toUpperCase());
    const got: string[] = [];
    bus.subscribe('/preview/cmd', 'std_msgs/msg/String', (m: StringMsg) => got.push(`preview:${m.data}`));
    bus.subscribe('/cmd', 'std_msgs/msg/String', (m: StringMsg) => got.push(`cmd:${m.data}`));
    bus.subscribe('/X', 'std_msgs/msg/String', (m: StringMsg) => got.push(`X:${m.data}`));
    table.createPublisher('/cmd', 'std_msgs/msg/String').publish({ data: '1' });
    table.createPublisher('/x', 'std_msgs/msg/String').publish({ data: '2' });
    fn.createPublisher('/x', 'std_msgs/msg/String').publish({ data: '3' });
    expect(got).toEqual(['preview:1', 'X:3']);
    expect(table.resolve('/cmd')).toBe('/preview/cmd');
    expect(table.clock).toBe(bus.clock);
  });
});
