import { VlaError } from '../../errors';

/**
 * FAST (pi0-FAST) action decoding after the BPE: the decoded string's character codes + min_token are the
 * rounded DCT coefficients of the normalized chunk, time-major (horizon, dims); divide by scale and apply the
 * inverse orthonormal DCT-II along time.
 */

/** Orthonormal DCT-II matrix C (row k, column i): X = C x, and x = C^T X. */
export function dctOrthoMatrix(n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const s = k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    for (let i = 0; i < n; i++) c[k * n + i] = Math.cos((Math.PI * (i + 0.5) * k) / n) * s;
  }
  return c;
}

/** Inverse orthonormal DCT along the first axis of a (horizon, dims) row-major array. */
export function idctOrthoTime(coeffs: ArrayLike<number>, horizon: number, dims: number, c = dctOrthoMatrix(horizon)): Float64Array {
  const out = new Float64Array(horizon * dims);
  for (let i = 0; i < horizon; i++) {
    for (let d = 0; d < dims; d++) {
      let sum = 0;
      for (let k = 0; k < horizon; k++) sum += c[k * horizon + i]! * coeffs[k * dims + d]!;
      out[i * dims + d] = sum;
    }
  }
  return out;
}

/** Forward orthonormal DCT along time (for tests and tools that encode chunks). */
export function dctOrthoTime(values: ArrayLike<number>, horizon: number, dims: number, c = dctOrthoMatrix(horizon)): Float64Array {
  const out = new Float64Array(horizon * dims);
  for (let k = 0; k < horizon; k++) {
    for (let d = 0; d < dims; d++) {
      let sum = 0;
      for (let i = 0; i < horizon; i++) sum += c[k * horizon + i]! * values[i * dims + d]!;
      out[k * dims + d] = sum;
    }
  }
  return out;
}

/** Character codes + min_token, checked to fill exactly (horizon, dims): openpi pads with zeros; we refuse. */
export function fastCoefficients(text: string, minToken: number, horizon: number, dims: number): Int32Array {
  const codes = Array.from(text, (ch) => ch.codePointAt(0)!);
  if (codes.length !== horizon * dims) {
    throw new VlaError(
      'MODEL_OUTPUT_INVALID',
      `FAST tokens decode to ${codes.length} coefficients, a ${horizon}x${dims} chunk needs ${horizon * dims}`,
      {
        hint: 'the model stopped early or late (or the manifest horizon, dims, tokenizer do not match the model): this output is not an action',
      },
    );
  }
  return Int32Array.from(codes, (c) => c + minToken);
}

/** The normalized chunk (horizon x dims, row-major) from the FAST BPE-decoded text. */
export function decodeFastText(text: string, options: { minToken: number; scale: number; horizon: number; dims: number }): Float64Array {
  const coeffs = fastCoefficients(text, options.minToken, options.horizon, options.dims);
  const scaled = Float64Array.from(coeffs, (v) => v / options.scale);
  return idctOrthoTime(scaled, options.horizon, options.dims);
}
