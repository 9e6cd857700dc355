import fc from 'fast-check';
import { ActionQueue, type Handover } from './ActionQueue';
import { interpolateChunk } from './interpolateChunk';
import type { TargetChunk } from './TargetChunk';

/** A one-joint chunk whose waypoints follow f(t) at t = start + (i + 1) * dt, anchored at `anchor`. */
function chunk1(
  startS: number,
  f: (t: number) => number,
  options: { horizon?: number; stepDtS?: number; execute?: number; anchor?: number } = {},
): TargetChunk {
  const horizon = options.horizon ?? 10;
  const stepDtS = options.stepDtS ?? 0.1;
  const points = Float64Array.from({ length: horizon }, (_, i) => f(startS + (i + 1) * stepDtS));
  return {
    startS,
    stepDtS,
    horizon,
    stepsToExecute: options.execute ?? 5,
    width: 1,
    anchor: Float64Array.of(options.anchor ?? f(startS)),
    points,
  };
}

function sampleSeries(queue: ActionQueue, fromS: number, toS: number, dtS: number): number[] {
  const out: number[] = [];
  for (let t = fromS; t <= toS + 1e-12; t += dtS) out.push(queue.sample(t).target![0]!);
  return out;
}

function maxStep(series: readonly number[]): number {
  let m = 0;
  for (let i = 1; i < series.length; i++) m = Math.max(m, Math.abs(series[i]! - series[i - 1]!));
  return m;
}

describe('interpolateChunk', () => {
  const c = chunk1(1, (t) => t * t, { horizon: 4, anchor: 5 });

  it('passes through the anchor at the start and through every waypoint at its time', () => {
    const out = new Float64Array(1);
    for (const mode of ['linear', 'cubic'] as const) {
      expect(interpolateChunk(c, 1, mode, out)[0]).toBe(5);
      for (let i = 0; i < 4; i++) expect(interpolateChunk(c, 1 + (i + 1) * 0.1, mode, out)[0]).toBeCloseTo((1 + (i + 1) * 0.1) ** 2, 12);
    }
  });

  it('holds the anchor before the chunk and the last waypoint after it', () => {
    const out = new Float64Array(1);
    expect(interpolateChunk(c, 0.5, 'linear', out)[0]).toBe(5);
    expect(interpolateChunk(c, 9, 'cubic', out)[0]).toBeCloseTo(1.4 ** 2, 12);
  });

  it('interpolates linearly between waypoints', () => {
    const out = new Float64Array(1);
    expect(interpolateChunk(c, 1.15, 'linear', out)[0]).toBeCloseTo((1.1 ** 2 + 1.2 ** 2) / 2, 12);
  });
});

describe('ActionQueue', () => {
  it('is empty before the first chunk, then follows it, then reports dry past its last waypoint', () => {
    const q = new ActionQueue({ kind: 'joint', width: 1 }, { handover: { kind: 'receding_horizon', blendS: 0 } });
    expect(q.sample(0).status).toBe('empty');
    q.push(
      chunk1(0, (t) => 2 * t),
      0.05,
    );
    const mid = q.sample(0.55);
    expect(mid.status).toBe('ok');
    expect(mid.target![0]).toBeCloseTo(1.1, 12);
    expect(mid.beyondExecutable).toBe(true);
    const late = q.sample(1.5);
    expect(late.status).toBe('dry');
    expect(late.target![0]).toBeCloseTo(2.0, 12);
    expect(q.counters.drySamples).toBe(1);
  });

  it('a hard switch jumps by the disagreement between chunks; overlap blending spreads it over the blend time', () => {
    const dt = 0.01;
    const run = (handover: Handover): number[] => {
      const q = new ActionQueue({ kind: 'joint', width: 1 }, { handover });
      q.push(
        chunk1(0, () => 0),
        0,
      );
      q.push(
        chunk1(0.3, () => 0.1),
        0.4,
      );
      return sampleSeries(q, 0, 1, dt);
    };
    expect(maxStep(run({ kind: 'receding_horizon', blendS: 0 }))).toBeCloseTo(0.1, 9);
    const blended = run({ kind: 'receding_horizon', blendS: 0.2 });
    // Smoothstep's steepest slope is 1.5 / blendS.
    expect(maxStep(blended)).toBeLessThanOrEqual((1.5 * 0.1 * dt) / 0.2 + 1e-12);
    expect(blended[blended.length - 1]).toBeCloseTo(0.1, 12);
  });

  it('temporal ensembling averages overlapping chunks, weighted toward older ones as in ACT', () => {
    const q = new ActionQueue({ kind: 'joint', width: 1 }, { handover: { kind: 'temporal_ensemble', decayPerStep: 0.5, blendS: 0 } });
    q.push(
      chunk1(0, () => 0, { horizon: 20 }),
      0,
    );
    q.push(
      chunk1(0.1, () => 1, { horizon: 20 }),
      0.1,
    );
    const w0 = 1;
    const w1 = Math.exp(-0.5);
    expect(q.sample(0.5).target![0]).toBeCloseTo(w1 / (w0 + w1), 12);
  });

  it('never jumps when a chunk leaves the ensemble, even if it ends as the next one arrives', () => {
    const dt = 0.01;
    const q = new ActionQueue({ kind: 'joint', width: 1 }, { handover: { kind: 'temporal_ensemble', decayPerStep: 0.01, blendS: 0.2 } });
    q.push(
      chunk1(0, () => 0, { horizon: 5 }),
      0,
    );
    // Arrives when the first chunk (ends at 0.5) is nearly over.
    q.push(
      chunk1(0.4, () => 0.1, { horizon: 10 }),
      0.45,
    );
    const series = sampleSeries(q, 0, 1.2, dt);
    expect(maxStep(series)).toBeLessThanOrEqual(0.1 * 0.1 + 1e-12);
    expect(series[series.length - 1]).toBeCloseTo(0.1, 12);
  });

  it('refuses sampling times that go backwards', () => {
    const q = new ActionQueue({ kind: 'joint', width: 1 }, { handover: { kind: 'receding_horizon', blendS: 0 } });
    q.sample(1);
    expect(() => q.sample(0.5)).toThrow(RangeError);
  });

  it('property: chunks that each move within half the velocity limit and disagree by at most vmax*blend/3 give steps within vmax*dt at every boundary', () => {
    const vmax = 2;
    const dt = 0.01;
    const blendS = 0.15;
    fc.assert(
      fc.property(
        fc.constantFrom<'receding' | 'ensemble'>('receding', 'ensemble'),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.double({ min: -(vmax * blendS) / 6, max: (vmax * blendS) / 6, noNaN: true }), { minLength: 6, maxLength: 6 }),
        fc.double({ min: 0.1, max: 0.45, noNaN: true }),
        (mode, coefficients, offsets, latencyS) => {
          // Reference motion with |r'| <= vmax / 2: a sum of sines.
          const r = (t: number): number => coefficients.reduce((s, c, k) => s + ((c * vmax) / 2 / 4 / (k + 1)) * Math.sin((k + 1) * t), 0);
          const handover: Handover =
            mode === 'receding' ? { kind: 'receding_horizon', blendS } : { kind: 'temporal_ensemble', decayPerStep: 0.01, blendS };
          const q = new ActionQueue({ kind: 'joint', width: 1 }, { handover });
          const period = 0.25;
          const series: number[] = [];
          let next = 0;
          for (let k = 0; k * dt <= 6 * period + 1; k++) {
            const t = k * dt;
            while (next < offsets.length && t >= next * period + latencyS - 1e-12) {
              const off = offsets[next]!;
              q.push(
                chunk1(next * period, (s) => r(s) + off, { horizon: 10, stepDtS: 0.1, anchor: r(next * period) + off }),
                t,
              );
              next++;
            }
            const s = q.sample(t);
            if (s.target !== null) series.push(s.target[0]!);
          }
          return maxStep(series) <= vmax * dt + 1e-9;
        },
      ),
      { numRuns: 200 },
    );
  });
});
