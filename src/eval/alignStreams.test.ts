import fc from 'fast-check';
import { alignStreams } from './alignStreams';
import type { CommandStream } from './CommandStream';
import { defaultMaxGapNs, detectGaps, medianPeriodNs } from './detectGaps';

const stream = (names: string[], samples: [number, number[]][]): CommandStream => ({
  names,
  samples: samples.map(([t, v]) => ({ tNs: BigInt(t), values: Float64Array.from(v) })),
});

describe('alignStreams', () => {
  it('pairs equal times exactly and interpolates between close recorded samples', () => {
    const recorded = stream(
      ['a', 'b'],
      [
        [0, [0, 10]],
        [10, [1, 20]],
        [20, [2, 40]],
      ],
    );
    const predicted = stream(
      ['a', 'b'],
      [
        [0, [0, 0]],
        [5, [0, 0]],
        [20, [0, 0]],
      ],
    );
    const { pairs, inGap, outside } = alignStreams(predicted, recorded, 15n);
    expect(pairs.map((p) => [p.tNs, Array.from(p.recorded)])).toEqual([
      [0n, [0, 10]],
      [5n, [0.5, 15]],
      [20n, [2, 40]],
    ]);
    expect([inGap, outside]).toEqual([0, 0]);
  });

  it('never interpolates across a gap, and counts what it skipped', () => {
    const recorded = stream(
      ['a'],
      [
        [0, [0]],
        [10, [1]],
        [100, [10]],
        [110, [11]],
      ],
    );
    const predicted = stream(
      ['a'],
      [
        [-5, [0]],
        [5, [0]],
        [50, [0]],
        [105, [0]],
        [200, [0]],
      ],
    );
    const { pairs, inGap, outside } = alignStreams(predicted, recorded, 20n);
    expect(pairs.map((p) => p.tNs)).toEqual([5n, 105n]);
    expect(inGap).toBe(1);
    expect(outside).toBe(2);
  });

  it('refuses streams in different dimension orders', () => {
    expect(() => alignStreams(stream(['a', 'b'], []), stream(['b', 'a'], []), 1n)).toThrow(/different dimensions/);
  });

  it('gives every predicted sample exactly one outcome, and interpolated values stay between their neighbours', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { maxLength: 40 }),
        fc.array(fc.integer({ min: -100, max: 1100 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 300 }),
        (rec, pred, gap) => {
          const r = stream(
            ['a'],
            [...rec].sort((x, y) => x - y).map((t) => [t, [Math.sin(t)]]),
          );
          const p = stream(
            ['a'],
            [...pred].sort((x, y) => x - y).map((t) => [t, [0]]),
          );
          const out = alignStreams(p, r, BigInt(gap));
          expect(out.pairs.length + out.inGap + out.outside).toBe(pred.length);
          for (const pair of out.pairs) {
            const v = pair.recorded[0]!;
            expect(v).toBeGreaterThanOrEqual(-1);
            expect(v).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });
});

describe('detectGaps', () => {
  it('finds spacings above the bound, from the median period', () => {
    const times = [0n, 10n, 20n, 30n, 200n, 210n, 220n];
    expect(medianPeriodNs(times)).toBe(10n);
    expect(defaultMaxGapNs(times, 3, 1n)).toBe(30n);
    expect(detectGaps(times, 30n)).toEqual([{ startNs: 30n, endNs: 200n }]);
    expect(detectGaps([5n], 1n)).toEqual([]);
    expect(defaultMaxGapNs([5n])).toBeUndefined();
  });
});
