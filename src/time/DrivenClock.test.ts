import { BagClock } from './BagClock';
import { ManualClock } from './ManualClock';
import { RosTimeClock } from './RosTimeClock';
import { SimClock } from './SimClock';

describe('DrivenClock', () => {
  it('wakes sleepers in deadline order when time passes their deadline, not before', async () => {
    const clock = new ManualClock(0);
    const woke: string[] = [];
    void clock.sleepUntil(0.3).then(() => woke.push('b'));
    void clock.sleepUntil(0.1).then(() => woke.push('a'));
    await clock.advanceTo(0.05);
    expect(woke).toEqual([]);
    await clock.advanceTo(0.2);
    expect(woke).toEqual(['a']);
    await clock.advanceTo(0.3);
    expect(woke).toEqual(['a', 'b']);
  });

  it('resolves at once for a deadline already passed, and ignores backward jumps', async () => {
    const clock = new BagClock(5);
    await expect(clock.sleepUntil(4)).resolves.toBeUndefined();
    clock.set(3);
    expect(clock.nowS()).toBe(5);
    expect(clock.backwardJumps).toBe(1);
  });

  it('rejects a sleeper whose signal aborts, and drops its deadline', async () => {
    const clock = new ManualClock();
    const abort = new AbortController();
    const sleeping = clock.sleepUntil(1, abort.signal);
    abort.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingDeadlines()).toEqual([]);
  });

  it('ROS time is zero until the first /clock message, then follows it', () => {
    const clock = new RosTimeClock();
    expect(clock.nowS()).toBe(0);
    expect(clock.active).toBe(false);
    clock.onClock({ clock: { sec: 12, nanosec: 500_000_000 } });
    expect(clock.active).toBe(true);
    expect(clock.nowS()).toBeCloseTo(12.5, 12);
  });
});

describe('SimClock', () => {
  it('steps the world to each deadline somebody sleeps until, in order', async () => {
    const clock = new SimClock();
    const steps: number[] = [];
    clock.setStepper((to) => steps.push(to));
    await clock.sleepUntil(0.01);
    await clock.sleepUntil(0.02);
    expect(steps).toEqual([0.01, 0.02]);
    expect(clock.nowS()).toBe(0.02);
  });

  it('keeps time still while held', async () => {
    const clock = new SimClock();
    const release = clock.hold();
    let woke = false;
    void clock.sleepUntil(1).then(() => (woke = true));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(false);
    expect(clock.nowS()).toBe(0);
    release();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(true);
    expect(clock.nowS()).toBe(1);
  });
});
