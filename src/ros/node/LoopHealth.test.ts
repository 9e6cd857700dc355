import { LoopHealth } from './LoopHealth';

describe('LoopHealth', () => {
  it('gives the median, p99 and max lateness of the last window of ticks only', () => {
    const health = new LoopHealth(100, 1);
    // 100 ticks of 9 ms lateness, then a full window of 0.1 ms with one 3 ms outlier.
    for (let k = 0; k < 100; k++) health.onTick(k * 0.01, 0.009);
    for (let k = 100; k < 200; k++) health.onTick(k * 0.01, k === 150 ? 0.003 : 0.0001);
    expect(health.lateness()).toEqual({ p50S: 0.0001, p99S: 0.0001, maxS: 0.003, ticks: 100 });
  });

  it('is NaN before the first tick', () => {
    expect(new LoopHealth(100).lateness()).toEqual({ p50S: NaN, p99S: NaN, maxS: NaN, ticks: 0 });
  });

  it('warns once about a coarse clock, and reports it only while ticks are being skipped', () => {
    const health = new LoopHealth(100);
    health.onTick(0, 0);
    health.onTick(0.05, 0);
    expect(health.onStall(0.05)).toMatch(/steps of 50\.0 ms \(\/clock at about 20 Hz\), coarser than the 100 Hz command rate/);
    expect(health.onStall(0.05)).toBeUndefined();
    expect(health.clockStalls).toBe(2);
    expect(health.clockWarning(1)).toMatch(/2 ticks skipped$/);
    expect(health.clockWarning(5)).toBeUndefined();
  });
});
