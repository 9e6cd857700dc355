import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { NormalizationSpec } from '../manifest/PolicyManifest';
import { loadNormalization } from './loadNormalization';
import { type Normalization, normalize, unnormalize } from './Normalization';

const quantile: Normalization = {
  type: 'quantile',
  dims: 3,
  q01: Float64Array.from([-2, 0, 10]),
  q99: Float64Array.from([2, 1, 10]),
  mask: [true, true, false],
  epsilon: 0,
};
const gaussian: Normalization = {
  type: 'gaussian',
  dims: 2,
  mean: Float64Array.from([1, -1]),
  std: Float64Array.from([0.5, 2]),
  mask: [true, false],
  epsilon: 0,
};

describe('unnormalize / normalize', () => {
  test('quantile maps [-1, 1] onto [q01, q99] where masked, passes the rest through', () => {
    expect(Array.from(unnormalize(quantile, [-1, -1, 0.3, 1, 1, -0.7]))).toEqual([-2, 0, 0.3, 2, 1, -0.7]);
  });

  test('gaussian scales by std and shifts by mean where masked', () => {
    expect(Array.from(unnormalize(gaussian, [2, 5]))).toEqual([2, 5]);
  });

  test('epsilon widens the range as openpi does', () => {
    const eps: Normalization = { ...quantile, epsilon: 1e-6 };
    expect(unnormalize(eps, [1, 0, 0])[0]).toBeCloseTo(2 + 1e-6, 12);
  });

  test('normalize inverts unnormalize on masked dimensions with a non-zero range', () => {
    const state: Normalization = {
      type: 'quantile',
      dims: 2,
      q01: Float64Array.from([-3, 0.1]),
      q99: Float64Array.from([4, 0.2]),
      mask: [true, true],
      epsilon: 0,
    };
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), (a, b) => {
        const out = new Float64Array(2);
        normalize(state, [a, b], out);
        const back = unnormalize(state, out);
        expect(back[0]).toBeCloseTo(a, 9);
        expect(back[1]).toBeCloseTo(b, 9);
      }),
    );
  });
});

describe('loadNormalization', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vla-stats-'));
    writeFileSync(
      join(dir, 'stats.json'),
      JSON.stringify({
        ds: { action: { q01: [-1, -2], q99: [1, 2], mask: [true, false] } },
        nomask: { q01: [-1, -2], q99: [1, 2], mean: [0, 0], std: [1, 1] },
        'observation.state': { mean: [0, 0], std: [1, 0] },
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (spec: NormalizationSpec, role: 'action' | 'state' = 'action', dims = 2) =>
    loadNormalization({
      spec,
      dims,
      role,
      resolveFile: (f) => join(dir, f),
      where: { file: 'manifest.yaml', path: 'action.normalization', line: 7 },
    });

  test('reads q01, q99 and the mask at a / path', () => {
    const n = load({ type: 'quantile', stats: { file: 'stats.json', path: 'ds/action' }, epsilon: 0 });
    expect(n).toMatchObject({ type: 'quantile', mask: [true, false] });
  });

  test('takes the mask from the manifest when the file has none', () => {
    expect(load({ type: 'quantile', stats: { file: 'stats.json', path: 'nomask' }, mask: [false, true], epsilon: 0 })).toMatchObject({
      mask: [false, true],
    });
  });

  test('refuses a manifest mask that contradicts the file', () => {
    expect(() => load({ type: 'quantile', stats: { file: 'stats.json', path: 'ds/action' }, mask: [true, true], epsilon: 0 })).toThrow(
      "the manifest's mask [true, true] contradicts the statistics file's [true, false]",
    );
  });

  test('refuses to guess a mask', () => {
    expect(() => load({ type: 'gaussian', stats: { file: 'stats.json', path: 'nomask' }, epsilon: 0 })).toThrow('no normalization mask');
  });

  test('a path that is not in the file names the missing key and what is there', () => {
    try {
      load({ type: 'quantile', stats: { file: 'stats.json', path: 'ds/actions' }, epsilon: 0 });
      throw new Error('expected an error');
    } catch (err) {
      expect((err as Error).message).toBe('statistics path "ds/actions" not found: no "actions" under "ds"');
      expect((err as { hint: string }).hint).toBe('keys there: action');
    }
  });

  test('keys with dots (LeRobot) are one path segment', () => {
    expect(() =>
      load({ type: 'gaussian', stats: { file: 'stats.json', path: 'observation.state' }, mask: [true, true], epsilon: 0 }, 'state'),
    ).toThrow('std[1] is 0: the state cannot be divided by it');
  });

  test('none needs no file', () => {
    expect(load({ type: 'none' })).toEqual({ type: 'none', dims: 2 });
  });
});
