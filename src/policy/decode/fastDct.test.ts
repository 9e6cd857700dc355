import fc from 'fast-check';
import { dctOrthoMatrix, dctOrthoTime, decodeFastText, fastCoefficients, idctOrthoTime } from './fastDct';

describe('FAST DCT decoding', () => {
  test('the DCT-II matrix is orthonormal', () => {
    const n = 10;
    const c = dctOrthoMatrix(n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += c[a * n + i]! * c[b * n + i]!;
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
  });

  test('a constant chunk has only a DC coefficient, sqrt(horizon) times the value', () => {
    const horizon = 8;
    const coeffs = dctOrthoTime(new Array<number>(horizon * 2).fill(0.5), horizon, 2);
    expect(coeffs[0]).toBeCloseTo(0.5 * Math.sqrt(horizon), 12);
    for (let i = 2; i < coeffs.length; i++) expect(coeffs[i]).toBeCloseTo(0, 12);
  });

  test('inverse after forward gives the chunk back (any horizon and dims)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 8 }), fc.integer(), (horizon, dims, seed) => {
        let s = seed;
        const values = Array.from({ length: horizon * dims }, () => ((s = (s * 1103515245 + 12345) | 0) % 1000) / 1000);
        const back = idctOrthoTime(dctOrthoTime(values, horizon, dims), horizon, dims);
        values.forEach((v, i) => expect(back[i]).toBeCloseTo(v, 10));
      }),
    );
  });

  test('character codes + min_token are the coefficients, time-major', () => {
    // Codes 100..105 with min_token -100 -> coefficients 0..5 for a 3x2 chunk.
    const text = String.fromCodePoint(100, 101, 102, 103, 104, 105);
    expect(Array.from(fastCoefficients(text, -100, 3, 2))).toEqual([0, 1, 2, 3, 4, 5]);
    // Code points, not UTF-16 units: a character above U+FFFF is one coefficient.
    expect(Array.from(fastCoefficients(String.fromCodePoint(0x1f600, 100), -100, 1, 2))).toEqual([0x1f600 - 100, 0]);
  });

  test('a wrong number of coefficients is an error (openpi would pad with zeros)', () => {
    expect(() => fastCoefficients('abc', 0, 2, 2)).toThrow('FAST tokens decode to 3 coefficients, a 2x2 chunk needs 4');
  });

  test('decoding a DC-only string gives a constant chunk of DC / scale / sqrt(horizon)', () => {
    const horizon = 4;
    const text = String.fromCodePoint(100 + 20, 100, 100, 100);
    const chunk = decodeFastText(text, { minToken: -100, scale: 10, horizon, dims: 1 });
    for (const v of chunk) expect(v).toBeCloseTo(2 / Math.sqrt(horizon), 12);
  });
});
