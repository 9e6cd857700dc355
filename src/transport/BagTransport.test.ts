import { FixedRateScheduler } from '../time/FixedRateScheduler';
import type { StringMsg } from '../msgs/rosMessages';
import { BagTransport } from './BagTransport';

/** A 100 Hz loop on the transport's clock that notes, at each tick, the clock and the last message it saw. */
function tickLog(
  transport: BagTransport,
  onTick?: (tS: number) => Promise<void> | void,
): { ticks: [number, string][]; scheduler: FixedRateScheduler; running: Promise<void> } {
  const ticks: [number, string][] = [];
  let last = '-';
  transport.subscribe('/s', 'std_msgs/msg/String', (m: StringMsg) => (last = m.data));
  const scheduler = new FixedRateScheduler(transport.clock, 0.01);
  const running = scheduler.start(async () => {
    ticks.push([Number(transport.clock.nowS().toFixed(9)), last]);
    await onTick?.(transport.clock.nowS());
  });
  return { ticks, scheduler, running };
}

describe('BagTransport', () => {
  it('runs each tick at its own deadline, after the messages logged before it and before those logged at its instant', async () => {
    const transport = new BagTransport({ startS: 100 });
    const { ticks, scheduler, running } = tickLog(transport);
    await transport.settle();
    // 100.01 + 4e-10: a recorder's nanosecond rounding of the tick's instant is still that instant.
    for (const [t, data] of [
      [100.004, 'a'],
      [100.01 + 4e-10, 'b'],
      [100.0199, 'c'],
      [100.055, 'd'],
    ] as const)
      await transport.play('/s', 'std_msgs/msg/String', t, { data });
    await transport.advanceTo(100.06);
    await scheduler.stop();
    await running;
    expect(ticks).toEqual([
      [100, '-'],
      [100.01, 'a'],
      [100.02, 'c'],
      [100.03, 'c'],
      [100.04, 'c'],
      [100.05, 'c'],
      [100.06, 'd'],
    ]);
    expect(transport.played).toBe(4);
    expect(transport.clock.nowS()).toBe(100.06);
  });

  it('keeps time still while a tick holds the clock, however long the wait takes in wall time', async () => {
    const transport = new BagTransport({ startS: 0 });
    const order: string[] = [];
    const { scheduler, running } = tickLog(transport, async (tS) => {
      order.push(`tick ${tS.toFixed(2)}`);
      if (tS > 0.005 && tS < 0.015) {
        const release = transport.clock.hold();
        await new Promise((resolve) => setTimeout(resolve, 30));
        order.push('released');
        release();
      }
    });
    transport.subscribe('/s', 'std_msgs/msg/String', (m: StringMsg) => order.push(`msg ${m.data}`));
    await transport.settle();
    await transport.play('/s', 'std_msgs/msg/String', 0.015, { data: 'x' });
    await transport.advanceTo(0.02);
    await scheduler.stop();
    await running;
    expect(order).toEqual(['tick 0.00', 'tick 0.01', 'released', 'msg x', 'tick 0.02']);
    expect(transport.clock.held).toBe(false);
  });

  it('runs no tick at or after the fence, whatever it plays, until the fence moves', async () => {
    const transport = new BagTransport({ startS: 0 });
    const { ticks, scheduler, running } = tickLog(transport);
    await transport.settle();
    transport.setFence(0.03);
    await transport.play('/s', 'std_msgs/msg/String', 0.03, { data: 'at the fence' });
    await transport.play('/s', 'std_msgs/msg/String', 0.05, { data: 'later' });
    expect(ticks.map(([t]) => t)).toEqual([0, 0.01, 0.02]);
    await expect(transport.advanceTo(0.04)).rejects.toThrow(/fenced off/);
    await scheduler.stop();
    await running;
  });

  it('keeps what the pipeline publishes in memory: only subscribers of this transport see it', async () => {
    const transport = new BagTransport({ startS: 0 });
    const seen: string[] = [];
    transport.subscribe('/cmd', 'std_msgs/msg/String', (m: StringMsg) => seen.push(m.data));
    transport.createPublisher('/cmd', 'std_msgs/msg/String').publish({ data: 'command' });
    await transport.close();
    transport.createPublisher('/cmd', 'std_msgs/msg/String').publish({ data: 'after close' });
    expect(seen).toEqual(['command']);
    expect(transport.name).toBe('bag');
    expect(transport.clock.kind).toBe('bag');
  });
});
