import { z } from 'zod';
import { finite, fileName, positive, positiveInt, sizeUpTo, tensorName, unknownType } from './manifestSchemaParts';

/** The manifest's action section: the action space and its gripper, the decoder from model outputs to actions, the chunk timing. */

export const GripperSchema = z.strictObject({
  /** Name of the gripper dimension in `names`. */
  dimension: z.string().min(1),
  /** The raw (unnormalized) values meaning fully 0 and fully 1; mapped linearly to [0, 1] and clamped. */
  range: z.tuple([finite, finite]).refine(([a, b]) => a !== b, { message: 'the two ends must differ' }),
  /** What 1 means. */
  convention: z.enum(['open_is_1', 'close_is_1']),
  /** Snap to 0 or 1 at this threshold (after the mapping). */
  binarize_at: finite.refine((v) => v > 0 && v < 1, { message: 'must be in (0, 1)' }).optional(),
});
export type GripperSpec = z.infer<typeof GripperSchema>;

export const ActionSpaceSchema = z.strictObject({
  names: z.array(z.string().min(1)).min(1),
  kind: z.enum(['delta', 'absolute']),
  /**
   * delta only, required: `relative_to_observation` (every step of the chunk is an offset from the state the
   * policy observed: openpi, LeRobot) or `cumulative` (each step adds to the previous one).
   */
  delta_convention: z.enum(['relative_to_observation', 'cumulative']).optional(),
  frame: z.enum(['joint', 'end_effector']),
  /** Per dimension, in final units (gripper in [0, 1]): an output outside is an error, never an action. */
  bounds: z.strictObject({ lower: z.array(finite), upper: z.array(finite) }),
  gripper: GripperSchema.optional(),
});

export type ActionSpaceSpec = z.infer<typeof ActionSpaceSchema>;

/** The checks an action space needs beyond its schema (unique names, bounds per dimension, the gripper's range). */
export function checkActionSpace(
  space: ActionSpaceSpec,
  at: (string | number)[],
  issue: (path: (string | number)[], message: string) => void,
): void {
  const dims = space.names.length;
  if (new Set(space.names).size !== dims) issue([...at, 'names'], 'dimension names must be unique');
  if (space.kind === 'delta' && space.delta_convention === undefined) {
    issue(
      [...at, 'delta_convention'],
      'missing: say whether each delta step is relative_to_observation (offsets from the observed state) or cumulative (adds to the previous step)',
    );
  }
  if (space.kind === 'absolute' && space.delta_convention !== undefined)
    issue([...at, 'delta_convention'], 'delta_convention is for kind: delta only');
  for (const key of ['lower', 'upper'] as const) {
    if (space.bounds[key].length !== dims)
      issue([...at, 'bounds', key], `needs ${dims} values (one per dimension in names), got ${space.bounds[key].length}`);
  }
  space.bounds.lower.forEach((lo, i) => {
    const hi = space.bounds.upper[i];
    if (hi !== undefined && lo > hi) issue([...at, 'bounds', 'lower', i], `lower ${lo} is above upper ${hi} for ${space.names[i] ?? i}`);
  });
  if (space.gripper !== undefined) {
    const gi = space.names.indexOf(space.gripper.dimension);
    if (gi < 0) issue([...at, 'gripper', 'dimension'], `"${space.gripper.dimension}" is not one of names (${space.names.join(', ')})`);
    else if ((space.bounds.lower[gi] ?? 0) < 0 || (space.bounds.upper[gi] ?? 1) > 1)
      issue([...at, 'bounds'], `the gripper dimension is in [0, 1] after mapping: its bounds must lie within [0, 1]`);
  }
}

const TokenMappingSchema = z.discriminatedUnion(
  'type',
  [
    /** openpi / PaliGemma: model id = vocab_size - 1 - skip_tokens - fast id. */
    z.strictObject({ type: z.literal('reversed_tail'), vocab_size: positiveInt, skip_tokens: z.number().int().min(0) }),
    /** model id = offset + fast id. */
    z.strictObject({ type: z.literal('offset'), offset: z.number().int().min(0) }),
  ],
  { error: unknownType('token_mapping', ['reversed_tail', 'offset']) },
);

export const DECODER_TYPES = ['uniform_bins', 'rt2_integers', 'fast', 'continuous'] as const;

export const DecoderSchema = z.discriminatedUnion(
  'type',
  [
    z
      .strictObject({
        /** OpenVLA: token = vocab_size - digitize(n, linspace(-1, 1, num_bins)). */
        type: z.literal('uniform_bins'),
        /** The tokenizer's vocab size without padding (32000 for Llama 2). */
        vocab_size: sizeUpTo(10_000_000),
        num_bins: z.number().int().min(2).max(65_536),
        output: tensorName.default('logits'),
      })
      .refine((d) => d.num_bins <= d.vocab_size, {
        message: 'num_bins must not exceed vocab_size (the bins are the last num_bins token ids)',
        path: ['num_bins'],
      }),
    z.strictObject({
      /** RT-2: each dimension written as an integer 0..num_bins-1, one token each; n = 2 k / (num_bins - 1) - 1. */
      type: z.literal('rt2_integers'),
      num_bins: z.number().int().min(2).max(65_536),
      output: tensorName.default('logits'),
    }),
    z.strictObject({
      /** pi0-FAST: BPE-decode, character codes + min_token, / scale, inverse orthonormal DCT along time. */
      type: z.literal('fast'),
      tokenizer: fileName,
      min_token: z.number().int(),
      scale: positive,
      token_mapping: TokenMappingSchema,
      /** Token (in the prompt tokenizer) that ends the action tokens. */
      stop_token: z.string().min(1),
      max_new_tokens: sizeUpTo(8192),
      output: tensorName.default('logits'),
    }),
    z.strictObject({
      /** A float tensor (1, horizon, dims) or (horizon, dims) straight from the model (ACT, Octo, pi0 heads). */
      type: z.literal('continuous'),
      output: tensorName.default('actions'),
    }),
  ],
  { error: unknownType('decoder', DECODER_TYPES) },
);
export type DecoderSpec = z.infer<typeof DecoderSchema>;

export const ChunkSchema = z
  .strictObject({
    horizon: sizeUpTo(1000),
    steps_to_execute: sizeUpTo(1000),
    /** Seconds between two steps of the chunk (1 / the action rate). */
    step_dt_s: positive.refine((v) => v <= 10, { message: 'must be at most 10 s' }),
  })
  .refine((c) => c.steps_to_execute <= c.horizon, { message: 'steps_to_execute cannot exceed horizon', path: ['steps_to_execute'] });
