import { ManualClock } from './ManualClock';
import { FixedRateScheduler } from './FixedRateScheduler';

describe('FixedRateScheduler', () => {
  it('ticks at absolute deadlines start + k * period (no drift from late wake-ups)', async () => {
    const clock = new ManualClock(10);
    const scheduler = new FixedRateScheduler(clock, 0.01, { recordLateness: true });
    const deadlines: number[] = [];
    const done = scheduler.start((t) => {
      deadlines.push(t.deadlineS);
      return deadlines.length < 5;
    });
    // Wake each tick 3 ms late: deadlines stay on the 10 ms grid.
    for (let k = 0; k < 5; k++) await clock.advanceTo(10 + k * 0.01 + 0.003);
    await done;
    expect(deadlines.map((d) => Math.round((d - 10) * 1000))).toEqual([0, 10, 20, 30, 40]);
    expect(scheduler.stats.latenessS.slice(1).every((l) => Math.abs(l - 0.003) < 1e-9)).toBe(true);
    expect(scheduler.stats.overruns).toBe(0);
  });

  it('skips and counts the deadlines a long tick ran over', async () => {
    const clock = new ManualClock(0);
    const scheduler = new FixedRateScheduler(clock, 0.01);
    const deadlines: number[] = [];
    const done = scheduler.start((t) => {
      deadlines.push(t.deadlineS);
      // The second tick takes 35 ms of clock time: deadlines 0.02, 0.03 and 0.04 pass during it.
      if (deadlines.length === 2) clock.set(0.045);
      return deadlines.length < 3;
    });
    await clock.advanceTo(0);
    await clock.advanceTo(0.01);
    await clock.advanceTo(0.05);
    await done;
    expect(deadlines.map((d) => Math.round(d * 1000))).toEqual([0, 10, 40]);
    expect(scheduler.stats.overruns).toBe(2);
  });

  it('stop() ends a loop that is sleeping', async () => {
    const clock = new ManualClock(0);
    const scheduler = new FixedRateScheduler(clock, 0.01);
    let ticks = 0;
    const done = scheduler.start(() => {
      ticks++;
    });
    await clock.advanceTo(0.015);
    await scheduler.stop();
    await done;
    expect(ticks).toBe(2);
    expect(scheduler.isRunning).toBe(false);
  });
});
