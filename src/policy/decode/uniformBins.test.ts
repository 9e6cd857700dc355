import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadNormalization } from '../normalization/loadNormalization';
import { unnormalize } from '../normalization/Normalization';
import { binCenters, binEdges, digitize, quantileNormalizeForBins, UniformBins } from './uniformBins';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'normalization');
const STATS_FILE = 'openvla_oxe_dataset_statistics.json';

interface BinsTable {
  vocab_size: number;
  decode: { token: number; normalized: number; actions: number[] }[];
  encode: { actions: number[][]; tokens: number[][] };
}
const table = JSON.parse(readFileSync(join(FIXTURES, 'bridge_orig_openvla_bins.json'), 'utf8')) as BinsTable;
const bridge = (
  JSON.parse(readFileSync(join(FIXTURES, STATS_FILE), 'utf8')) as Record<
    string,
    { action: { q01: number[]; q99: number[]; mask: boolean[] } }
  >
).bridge_orig!.action;

const bridgeNormalization = () =>
  loadNormalization({
    spec: { type: 'quantile', stats: { file: STATS_FILE, path: 'bridge_orig/action' }, epsilon: 0 },
    dims: 7,
    role: 'action',
    resolveFile: (f) => join(FIXTURES, f),
    where: { path: 'action.normalization' },
  });

describe('OpenVLA bins (DESIGN §6)', () => {
  test('edges are numpy.linspace(-1, 1, 256) and centers their midpoints', () => {
    const edges = binEdges(256);
    expect(edges[0]).toBe(-1);
    expect(edges[255]).toBe(1);
    expect(edges[1]).toBe(2 / 255 - 1);
    const centers = binCenters(256);
    expect(centers).toHaveLength(255);
    expect(centers[0]).toBe((edges[0]! + edges[1]!) / 2);
    expect(centers[254]).toBe((edges[254]! + edges[255]!) / 2);
  });

  test('action tokens are the last 256 ids of the 32000-token vocab', () => {
    const bins = new UniformBins(32000, 256);
    expect(bins.range).toEqual([31744, 32000]);
    // k = clip(V - token - 1, 0, 254): the last id is the lowest bin, the first two share the top bin.
    expect(bins.decodeToken(31999)).toBe(bins.centers[0]);
    expect(bins.decodeToken(31745)).toBe(bins.centers[254]);
    expect(bins.decodeToken(31744)).toBe(bins.centers[254]);
    expect(() => bins.decodeToken(31743)).toThrow('token 31743 is outside the action token range 31744..31999');
    expect(() => bins.decodeToken(32000)).toThrow('outside the action token range');
  });

  test('decoding every token with the real bridge_orig statistics equals numpy, exactly', () => {
    const bins = new UniformBins(table.vocab_size, 256);
    const norm = bridgeNormalization();
    expect(table.decode).toHaveLength(256);
    for (const row of table.decode) {
      const n = bins.decode(new Array<number>(7).fill(row.token));
      expect(n[0]).toBe(row.normalized);
      expect(Array.from(unnormalize(norm, n))).toEqual(row.actions);
    }
  });

  test('the same values follow from the formula written out with the statistics file itself', () => {
    // a = 0.5 (n + 1)(q99 - q01) + q01 on masked dimensions, n itself on the gripper (mask false).
    expect(bridge.mask).toEqual([true, true, true, true, true, true, false]);
    const bins = new UniformBins(32000, 256);
    const norm = bridgeNormalization();
    for (const token of [31744, 31800, 31871, 31872, 31999]) {
      const k = Math.min(Math.max(32000 - token - 1, 0), 254);
      const lo = -1 + (2 / 255) * k;
      const hi = k === 254 ? 1 : -1 + (2 / 255) * (k + 1);
      const n = (lo + hi) / 2;
      expect(bins.decodeToken(token)).toBeCloseTo(n, 15);
      const a = unnormalize(norm, new Array<number>(7).fill(bins.decodeToken(token)));
      for (let d = 0; d < 7; d++) {
        const expected = bridge.mask[d] ? 0.5 * (n + 1) * (bridge.q99[d]! - bridge.q01[d]!) + bridge.q01[d]! : n;
        expect(a[d]).toBeCloseTo(expected, 14);
      }
    }
  });

  test("encoding sample actions gives numpy's tokens, and decoding lands in the same bin", () => {
    const bins = new UniformBins(32000, 256);
    table.encode.actions.forEach((action, i) => {
      const tokens = action.map((a, d) => bins.encodeValue(quantileNormalizeForBins(a, bridge.q01[d]!, bridge.q99[d]!, bridge.mask[d]!)));
      expect(tokens).toEqual(table.encode.tokens[i]);
      const n = action.map((a, d) => quantileNormalizeForBins(a, bridge.q01[d]!, bridge.q99[d]!, bridge.mask[d]!));
      tokens.forEach((t, d) => {
        // The decoded center is within half a bin of the encoded value (n = 1 shares the top bin).
        expect(Math.abs(bins.decodeToken(t) - n[d]!)).toBeLessThanOrEqual(1 / 255 + 1e-12);
      });
    });
  });

  test('digitize counts the edges at or below x, as numpy.digitize', () => {
    const edges = Float64Array.from([-1, 0, 1]);
    expect([-2, -1, -0.5, 0, 0.5, 1, 2].map((x) => digitize(x, edges))).toEqual([0, 1, 1, 2, 2, 3, 3]);
  });
});
