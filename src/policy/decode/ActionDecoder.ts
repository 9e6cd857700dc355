import { describeError, type ErrorLocation, VlaError } from '../../errors';
import type { DecoderSpec } from '../manifest/ActionSchema';
import { idsToRanges, type IdRange, type TensorData } from '../model/tensors';
import { TextTokenizer } from '../prompt/TextTokenizer';
import { decodeFastText } from './fastDct';
import { integerTokenTable, rt2Normalized } from './rt2Integers';
import { UniformBins } from './uniformBins';

/** A decoder that reads generated (or single-pass) tokens: which ids may be chosen, and what they mean. */
export interface TokenDecoder {
  kind: 'tokens';
  type: DecoderSpec['type'];
  /** The logits output. */
  output: string;
  /** Greedy choices are restricted to these ids (half-open ranges). */
  allowed: readonly IdRange[];
  maxNewTokens: number;
  /** Generation ends after one of these. */
  stopIds: readonly number[];
  /** Normalized chunk (horizon x dims, row-major) from the tokens; throws on any token that is not an action. */
  decode(tokens: readonly number[]): Float64Array;
}

/** A decoder that reads a float tensor (continuous heads). */
export interface TensorDecoder {
  kind: 'continuous';
  type: 'continuous';
  output: string;
  decode(output: TensorData): Float64Array;
}

export type ActionDecoder = TokenDecoder | TensorDecoder;

export interface DecoderContext {
  horizon: number;
  dims: number;
  /** The prompt tokenizer (every tokenized decoder has a prompt). */
  tokenizer?: TextTokenizer;
  resolveFile(relative: string): string;
  at(path: (string | number)[]): ErrorLocation;
}

type Builder<T extends DecoderSpec['type']> = (spec: Extract<DecoderSpec, { type: T }>, ctx: DecoderContext) => ActionDecoder;

const countCheck = (tokens: readonly number[], expected: number, what: string) => {
  if (tokens.length !== expected) {
    throw new VlaError('MODEL_OUTPUT_INVALID', `${what}: got ${tokens.length} tokens, the chunk needs ${expected}`, {
      hint: 'the output does not form a whole chunk: it is not an action',
    });
  }
};

const uniformBins: Builder<'uniform_bins'> = (spec, ctx) => {
  const bins = new UniformBins(spec.vocab_size, spec.num_bins);
  const n = ctx.horizon * ctx.dims;
  return {
    kind: 'tokens',
    type: spec.type,
    output: spec.output,
    allowed: [bins.range],
    maxNewTokens: n,
    stopIds: [],
    decode: (tokens) => {
      countCheck(tokens, n, 'uniform bins');
      return bins.decode(tokens);
    },
  };
};

const rt2Integers: Builder<'rt2_integers'> = (spec, ctx) => {
  const table = integerTokenTable(requireTokenizer(ctx, spec.type), spec.num_bins, ctx.at(['action', 'decoder', 'num_bins']));
  const n = ctx.horizon * ctx.dims;
  return {
    kind: 'tokens',
    type: spec.type,
    output: spec.output,
    allowed: idsToRanges([...table.valueOf.keys()]),
    maxNewTokens: n,
    stopIds: [],
    decode: (tokens) => {
      countCheck(tokens, n, 'RT-2 integers');
      return Float64Array.from(tokens, (t) => {
        const k = table.valueOf.get(t);
        if (k === undefined) {
          throw new VlaError('MODEL_OUTPUT_INVALID', `token ${t} is not one of the integers 0..${spec.num_bins - 1}`, {
            hint: 'an RT-2 action is one integer token per dimension',
          });
        }
        return rt2Normalized(k, spec.num_bins);
      });
    },
  };
};

const fast: Builder<'fast'> = (spec, ctx) => {
  const fastTokenizer = TextTokenizer.load(ctx.resolveFile(spec.tokenizer), ctx.at(['action', 'decoder', 'tokenizer']));
  const fastVocab = fastTokenizer.vocabSize;
  const stopId = requireTokenizer(ctx, spec.type).requireId(spec.stop_token, ctx.at(['action', 'decoder', 'stop_token']));
  const mapping = spec.token_mapping;
  const toFast =
    mapping.type === 'reversed_tail'
      ? (id: number) => mapping.vocab_size - 1 - mapping.skip_tokens - id
      : (id: number) => id - mapping.offset;
  const fastRange: IdRange =
    mapping.type === 'reversed_tail'
      ? [mapping.vocab_size - mapping.skip_tokens - fastVocab, mapping.vocab_size - mapping.skip_tokens]
      : [mapping.offset, mapping.offset + fastVocab];
  if (fastRange[0] < 0) {
    throw new VlaError('POLICY_INVALID', `the FAST vocabulary (${fastVocab} tokens) does not fit below vocab_size - skip_tokens`, {
      ...ctx.at(['action', 'decoder', 'token_mapping']),
      hint: 'check token_mapping against the model vocab',
    });
  }
  if (stopId >= fastRange[0] && stopId < fastRange[1]) {
    throw new VlaError(
      'POLICY_INVALID',
      `stop_token id ${stopId} falls inside the FAST action ids ${fastRange[0]}..${fastRange[1] - 1}`,
      ctx.at(['action', 'decoder', 'stop_token']),
    );
  }
  return {
    kind: 'tokens',
    type: spec.type,
    output: spec.output,
    allowed: ([fastRange, [stopId, stopId + 1]] as IdRange[]).sort((a, b) => a[0] - b[0]),
    maxNewTokens: spec.max_new_tokens,
    stopIds: [stopId],
    decode: (tokens) => {
      if (tokens[tokens.length - 1] !== stopId) {
        throw new VlaError(
          'MODEL_OUTPUT_INVALID',
          `FAST decoding did not end with ${JSON.stringify(spec.stop_token)} within ${spec.max_new_tokens} tokens`,
          {
            hint: 'the model kept generating action tokens: this output is not an action (raise max_new_tokens only if chunks are genuinely longer)',
          },
        );
      }
      const fastIds = tokens.slice(0, -1).map((t) => {
        if (t < fastRange[0] || t >= fastRange[1])
          throw new VlaError('MODEL_OUTPUT_INVALID', `token ${t} is outside the FAST action ids ${fastRange[0]}..${fastRange[1] - 1}`);
        return toFast(t);
      });
      let text: string;
      try {
        text = fastTokenizer.decode(fastIds);
      } catch (err) {
        throw new VlaError('MODEL_OUTPUT_INVALID', `FAST tokens do not decode to text: ${describeError(err)}`);
      }
      return decodeFastText(text, { minToken: spec.min_token, scale: spec.scale, horizon: ctx.horizon, dims: ctx.dims });
    },
  };
};

const continuous: Builder<'continuous'> = (spec, ctx) => ({
  kind: 'continuous',
  type: 'continuous',
  output: spec.output,
  decode: (t) => {
    const { horizon, dims } = ctx;
    const shape = t.dims;
    const ok =
      t.type === 'float32' &&
      shape[shape.length - 1] === dims &&
      shape[shape.length - 2] === horizon &&
      shape.slice(0, -2).every((d) => d === 1);
    if (!ok) {
      throw new VlaError(
        'MODEL_OUTPUT_INVALID',
        `output "${spec.output}" is ${t.type} [${shape.join(', ')}], the manifest expects float32 [1, ${horizon}, ${dims}]`,
        {
          hint: 'chunk.horizon and the action names must match the model output',
        },
      );
    }
    return Float64Array.from(t.data as Float32Array);
  },
});

const BUILDERS: { [T in DecoderSpec['type']]: Builder<T> } = {
  uniform_bins: uniformBins,
  rt2_integers: rt2Integers,
  fast,
  continuous,
};

export function createActionDecoder(spec: DecoderSpec, ctx: DecoderContext): ActionDecoder {
  return (BUILDERS[spec.type] as Builder<DecoderSpec['type']>)(spec, ctx);
}

function requireTokenizer(ctx: DecoderContext, type: string): TextTokenizer {
  if (ctx.tokenizer === undefined) throw new VlaError('POLICY_INVALID', `a ${type} decoder needs the prompt tokenizer`, ctx.at(['prompt']));
  return ctx.tokenizer;
}
