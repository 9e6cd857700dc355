import { errorMetrics, tokenAccuracy } from './errorMetrics';

const pair = (p: number[], r: number[]): { tNs: bigint; predicted: Float64Array; recorded: Float64Array } => ({
  tNs: 0n,
  predicted: Float64Array.from(p),
  recorded: Float64Array.from(r),
});

describe('errorMetrics', () => {
  it('computes MSE, L1 and max |error| per dimension', () => {
    const m = errorMetrics(['a', 'b'], [pair([1, 0], [0, 0]), pair([3, -2], [0, 0])]);
    expect(m.perDimension).toEqual([
      { name: 'a', mse: 5, l1: 2, maxAbs: 3, count: 2 },
      { name: 'b', mse: 2, l1: 1, maxAbs: 2, count: 2 },
    ]);
    expect(m.meanMse).toBe(3.5);
    expect(m.meanL1).toBe(1.5);
  });

  it('leaves out values missing on either side (NaN), per dimension', () => {
    const m = errorMetrics(['a', 'gripper'], [pair([1, NaN], [0, 0.5]), pair([1, 1], [1, NaN])]);
    expect(m.perDimension[0]).toMatchObject({ count: 2, mse: 0.5 });
    expect(m.perDimension[1]).toMatchObject({ count: 0 });
    expect(m.perDimension[1]!.mse).toBeNaN();
    expect(m.meanMse).toBe(0.5);
    expect(errorMetrics(['a'], []).meanMse).toBeNull();
  });
});

describe('tokenAccuracy', () => {
  it('counts equal positions, missing and extra tokens as misses', () => {
    expect(
      tokenAccuracy([
        { predicted: [1, 2, 3], expected: [1, 2, 4] },
        { predicted: [5], expected: [5, 6] },
      ]),
    ).toEqual({ accuracy: 3 / 5, compared: 5 });
    expect(tokenAccuracy([])).toEqual({ accuracy: null, compared: 0 });
  });
});
