import type { Normalization } from '../normalization/Normalization';
import { type ActionLimits, finishActions } from './finishActions';

const limits = (gripper?: ActionLimits['gripper']): ActionLimits => ({
  names: ['x', 'gripper'],
  lower: Float64Array.from([-1, 0]),
  upper: Float64Array.from([1, 1]),
  gripper,
});
const quantile: Normalization = {
  type: 'quantile',
  dims: 2,
  q01: Float64Array.from([-0.5, 0]),
  q99: Float64Array.from([0.5, 1]),
  mask: [true, false],
  epsilon: 0,
};

describe('finishActions', () => {
  test('unnormalizes, maps the gripper range onto [0, 1] with clamping', () => {
    const out = finishActions(Float64Array.from([1, 0.5, -1, -0.5]), quantile, limits({ index: 1, from: -1, to: 1 }));
    expect(Array.from(out)).toEqual([0.5, 0.75, -0.5, 0.25]);
    const clamped = finishActions(Float64Array.from([0, 1.2]), quantile, limits({ index: 1, from: 0, to: 1 }));
    expect(clamped[1]).toBe(1);
  });

  test('a reversed range and a binarize threshold', () => {
    const out = finishActions(Float64Array.from([0, 0.8, 0, 0.1]), quantile, limits({ index: 1, from: 1, to: 0, binarizeAt: 0.5 }));
    expect([out[1], out[3]]).toEqual([0, 1]);
  });

  test('NaN anywhere is refused, naming step and dimension', () => {
    expect(() => finishActions(Float64Array.from([0, 0, NaN, 0]), quantile, limits())).toThrow(
      'the normalized action is NaN at step 1, dimension x',
    );
  });

  test('an action outside the bounds is refused, naming the bound', () => {
    const wide: Normalization = { ...quantile, q99: Float64Array.from([3, 1]) };
    expect(() => finishActions(Float64Array.from([1, 0]), wide, limits())).toThrow(
      'action 3 at step 0, dimension x is outside its upper bound 1',
    );
  });
});
