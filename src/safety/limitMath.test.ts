import { approachSpeed, brakingSpeedBound, clamp, jerkStopSpeed, jerkVelocityWindow } from './limitMath';

describe('brakingSpeedBound', () => {
  it('leaves exactly enough room to stop: v^2 = 2 a (d - v dt)', () => {
    for (const [d, a, dt] of [
      [1, 10, 0.01],
      [0.001, 5, 0.001],
      [2.5, 0.5, 0.2],
      [1e-9, 20, 1e-6],
    ] as const) {
      const v = brakingSpeedBound(d, a, dt);
      expect(v).toBeGreaterThan(0);
      expect(v * v).toBeCloseTo(2 * a * (d - v * dt), 12);
      expect(v * dt).toBeLessThanOrEqual(d);
    }
  });

  it('allows no motion further out once at or beyond the limit', () => {
    expect(brakingSpeedBound(0, 10, 0.01)).toBe(0);
    expect(brakingSpeedBound(-0.3, 10, 0.01)).toBe(0);
  });

  it('is the plain position bound without an acceleration limit, and unbounded without a limit', () => {
    expect(brakingSpeedBound(0.5, Infinity, 0.01)).toBe(50);
    expect(brakingSpeedBound(Infinity, 10, 0.01)).toBe(Infinity);
  });
});

describe('approachSpeed', () => {
  it('closes a gap exactly, slowing by at most a dt per tick, and arrives at rest', () => {
    for (const [gap, a, dt] of [
      [1.5, 10, 0.01],
      [0.0123, 7.5, 0.004],
      [3, 2, 0.05],
    ] as const) {
      let remaining: number = gap;
      let v = Infinity;
      let ticks = 0;
      while (remaining > 0 && ticks < 100000) {
        const next = approachSpeed(remaining, a, dt);
        if (v !== Infinity) expect(v - next).toBeLessThanOrEqual(a * dt * (1 + 1e-9));
        remaining -= next * dt;
        v = next;
        ticks++;
        if (Math.abs(remaining) < 1e-12) remaining = 0;
      }
      expect(remaining).toBe(0);
      expect(v).toBeLessThanOrEqual(a * dt * (1 + 1e-9));
    }
  });

  it('closes the gap in one tick without an acceleration limit, and never moves away', () => {
    expect(approachSpeed(0.3, Infinity, 0.01)).toBeCloseTo(30, 12);
    expect(approachSpeed(0, 10, 0.01)).toBe(0);
    expect(approachSpeed(-1, 10, 0.01)).toBe(0);
  });
});

describe('jerkVelocityWindow', () => {
  const w = { lo: 0, hi: 0 };

  it('limits how fast acceleration builds up', () => {
    jerkVelocityWindow(1, 0, 100, 0.01, w);
    expect(w.lo).toBeCloseTo(1 - 100 * 0.01 * 0.01, 12);
    expect(w.hi).toBeCloseTo(1 + 100 * 0.01 * 0.01, 12);
  });

  it('always lets acceleration fall back to zero (no ringing at a stop)', () => {
    jerkVelocityWindow(0, -10, 100, 0.01, w);
    expect(w.hi).toBeGreaterThanOrEqual(0);
    expect(w.lo).toBeCloseTo((-10 - 1) * 0.01, 12);
  });
});

describe('jerkStopSpeed', () => {
  it('matches the stopping distance of a jerk-limited stop', () => {
    const [a, j] = [6, 100];
    // Reaches full deceleration: d = v^2 / (2a) + v a / (2j).
    const v = jerkStopSpeed(1, a, j);
    expect((v * v) / (2 * a) + (v * a) / (2 * j)).toBeCloseTo(1, 12);
    // Never reaches it (v < a^2 / j): d = v sqrt(v / j).
    const w = jerkStopSpeed(0.001, a, j);
    expect(w).toBeLessThan((a * a) / j);
    expect(w * Math.sqrt(w / j)).toBeCloseTo(0.001, 12);
  });

  it('is unlimited without a jerk limit and zero without room', () => {
    expect(jerkStopSpeed(1, 6, Infinity)).toBe(Infinity);
    expect(jerkStopSpeed(0, 6, 100)).toBe(0);
  });
});

describe('clamp', () => {
  it('clamps into a range and passes values inside unchanged', () => {
    expect(clamp(5, 0, 1)).toBe(1);
    expect(clamp(-5, 0, 1)).toBe(0);
    expect(Object.is(clamp(0.1 + 0.2, 0, 1), 0.1 + 0.2)).toBe(true);
  });
});
