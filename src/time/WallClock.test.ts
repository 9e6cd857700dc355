import { WallClock } from './WallClock';

describe('WallClock', () => {
  const clock = new WallClock();

  it('reads epoch seconds that never step backwards', () => {
    const a = clock.nowS();
    expect(Math.abs(a - Date.now() / 1000)).toBeLessThan(1);
    let previous = a;
    for (let i = 0; i < 1000; i++) {
      const t = clock.nowS();
      expect(t).toBeGreaterThanOrEqual(previous);
      previous = t;
    }
  });

  it.each([0.0001, 0.002, 0.004, 0.012])('never wakes before a deadline %p s ahead', async (aheadS) => {
    for (let i = 0; i < 5; i++) {
      const deadlineS = clock.nowS() + aheadS;
      await clock.sleepUntil(deadlineS);
      expect(clock.nowS()).toBeGreaterThanOrEqual(deadlineS);
    }
  });

  it('lets the event loop run while it waits out the last stretch', async () => {
    // The whole 50 ms is the last stretch here: it is slept in slices, with timers running in between.
    const slicing = new WallClock({ preciseWindowS: 0.05 });
    const deadlineS = slicing.nowS() + 0.05;
    let ranDuringSleep = 0;
    const other = setInterval(() => ranDuringSleep++, 0);
    await slicing.sleepUntil(deadlineS);
    clearInterval(other);
    expect(ranDuringSleep).toBeGreaterThan(0);
  });

  it('resolves at once for a deadline in the past, and rejects when aborted', async () => {
    await expect(clock.sleepUntil(clock.nowS() - 1)).resolves.toBeUndefined();
    const abort = new AbortController();
    const sleeping = clock.sleepUntil(clock.nowS() + 10, abort.signal);
    abort.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    const aborted = new AbortController();
    aborted.abort(new Error('already'));
    await expect(clock.sleepUntil(clock.nowS() + 10, aborted.signal)).rejects.toThrow('already');
  });
});
