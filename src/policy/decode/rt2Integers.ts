import { type ErrorLocation, VlaError } from '../../errors';
import type { TextTokenizer } from '../prompt/TextTokenizer';

/**
 * RT-2 writes each action dimension as an integer 0..N-1 (N = 256). Decoding reads one token per integer: the
 * table maps each integer's token (its SentencePiece "▁17", byte-level "Ġ17" or bare "17" form, in that order of
 * preference) to its value, parsed from the token string once at load.
 */
export interface IntegerTokenTable {
  /** Token id of each integer k. */
  ids: Int32Array;
  /** Integer value of each action token id. */
  valueOf: ReadonlyMap<number, number>;
}

export function integerTokenTable(tokenizer: TextTokenizer, numBins: number, where: ErrorLocation): IntegerTokenTable {
  const vocab = tokenizer.vocab();
  const ids = new Int32Array(numBins);
  const valueOf = new Map<number, number>();
  for (let k = 0; k < numBins; k++) {
    const id = ['\u2581', '\u0120', ' ', ''].map((prefix) => vocab.get(`${prefix}${k}`)).find((v) => v !== undefined);
    if (id === undefined) {
      throw new VlaError(
        'TOKENIZER_INVALID',
        `RT-2 decoding needs one token per integer 0..${numBins - 1}; ${tokenizer.file} has none for ${k}`,
        {
          ...where,
          hint: 'this tokenizer spells numbers with several tokens; the RT-2 integer decoder needs a vocabulary with whole-number tokens',
        },
      );
    }
    ids[k] = id;
    valueOf.set(id, k);
  }
  return { ids, valueOf };
}

/** Integer k of N -> the normalized value in [-1, 1]: 2 k / (N - 1) - 1. */
export function rt2Normalized(k: number, numBins: number): number {
  return (k / (numBins - 1)) * 2 - 1;
}
