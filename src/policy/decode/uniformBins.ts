import { VlaError } from '../../errors';

/**
 * OpenVLA's action tokenization (DESIGN §6), exact: bins = linspace(-1, 1, N) (N = 256), centers
 * c_k = (bins[k] + bins[k + 1]) / 2 for k = 0..N-2, and with V the tokenizer vocab size (32000, without padding):
 *
 *   encode: n = clip(a_normalized, -1, 1), token = V - digitize(n, bins)            (ids V-N .. V-1)
 *   decode: k = clip(V - token - 1, 0, N - 2), n = c_k
 *
 * Unnormalization (quantile, with the mask) is Normalization.unnormalize. RT-2's integers use the same [-1, 1]
 * range: n = 2 k / (N - 1) - 1.
 */

/** numpy.linspace(-1, 1, numBins), bit for bit (i * step + start, and the last edge set to the stop). */
export function binEdges(numBins: number): Float64Array {
  const step = 2 / (numBins - 1);
  const edges = new Float64Array(numBins);
  for (let i = 0; i < numBins; i++) edges[i] = i * step + -1;
  edges[numBins - 1] = 1;
  return edges;
}

export function binCenters(numBins: number): Float64Array {
  const edges = binEdges(numBins);
  const centers = new Float64Array(numBins - 1);
  for (let k = 0; k < numBins - 1; k++) centers[k] = (edges[k]! + edges[k + 1]!) / 2;
  return centers;
}

export class UniformBins {
  readonly vocabSize: number;
  readonly numBins: number;
  readonly edges: Float64Array;
  readonly centers: Float64Array;
  readonly range: [number, number];

  constructor(vocabSize: number, numBins: number) {
    if (numBins < 2 || vocabSize < numBins)
      throw new RangeError(`uniform bins need 2 <= num_bins <= vocab_size (got ${numBins}, ${vocabSize})`);
    this.vocabSize = vocabSize;
    this.numBins = numBins;
    this.edges = binEdges(numBins);
    this.centers = binCenters(numBins);
    // The action token ids, half-open: [V - N, V).
    this.range = [vocabSize - numBins, vocabSize];
  }

  /** Normalized value of one action token; a token outside [V - N, V) is an error, never clipped into range. */
  decodeToken(token: number): number {
    if (!Number.isInteger(token) || token < this.range[0] || token >= this.range[1]) {
      throw new VlaError(
        'MODEL_OUTPUT_INVALID',
        `token ${token} is outside the action token range ${this.range[0]}..${this.range[1] - 1}`,
        {
          hint: 'the model produced a non-action token where an action token was expected; check vocab_size and num_bins in the manifest',
        },
      );
    }
    const k = Math.min(Math.max(this.vocabSize - token - 1, 0), this.numBins - 2);
    return this.centers[k]!;
  }

  decode(tokens: readonly number[]): Float64Array {
    return Float64Array.from(tokens, (t) => this.decodeToken(t));
  }

  /** Token of a normalized value (clipped to [-1, 1]), as OpenVLA encodes its training targets. */
  encodeValue(n: number): number {
    const x = Math.min(Math.max(n, -1), 1);
    return this.vocabSize - digitize(x, this.edges);
  }
}

/** numpy.digitize(x, edges) for increasing edges (right=False): the number of edges <= x. */
export function digitize(x: number, edges: Float64Array): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** OpenVLA's training-side normalization of one action value (with its 1e-8), before digitizing. */
export function quantileNormalizeForBins(a: number, q01: number, q99: number, masked: boolean): number {
  return masked ? Math.min(Math.max((2 * (a - q01)) / (q99 - q01 + 1e-8) - 1, -1), 1) : Math.min(Math.max(a, -1), 1);
}
