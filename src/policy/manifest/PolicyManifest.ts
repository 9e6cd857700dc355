import { z } from 'zod';
import { ActionSpaceSchema, ChunkSchema, checkActionSpace, DecoderSchema } from './ActionSchema';
import { finite, fileName, nonNegative, positive, sizeUpTo, tensorName, unknownType } from './manifestSchemaParts';
import { ServeSpecSchema } from './ServeSpec';

/**
 * The policy manifest (`manifest.yaml` in a policy folder): the contract between an exported model and the
 * runtime. This schema is the single source of its types. Every object is strict (a misspelled key is an error),
 * and what decides whether an action is right (delta or absolute, joint or end effector, the normalization and
 * its mask, the BOS token) has no default: the manifest must say.
 */

export const POLICY_FORMAT = 'vla_bridge.policy/1';

/** OpenVLA's prompt (DESIGN §6), with the instruction lowercased and the "▁" token after "Out:". */
export const OPENVLA_PROMPT = {
  template: 'In: What action should the robot take to {instruction}?\nOut:',
  lowercase_instruction: true,
  bos_token: '<s>',
  ensure_suffix: ['\u2581'],
} as const;

/** Where statistics live: a JSON file in the policy folder and a `/`-separated path inside it. */
export const StatsRefSchema = z.strictObject({
  file: fileName,
  /** e.g. `bridge_orig/action` (OpenVLA dataset_statistics.json) or `observation.state` (LeRobot stats.json). */
  path: z.string().min(1),
});

const maskSchema = z.array(z.boolean()).min(1);

export const NormalizationSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      /** [-1, 1] <-> [q01, q99] on the dimensions where the mask is true (OpenVLA, openpi). */
      type: z.literal('quantile'),
      stats: StatsRefSchema,
      /** Which dimensions are normalized; required here when the statistics file has no `mask`. */
      mask: maskSchema.optional(),
      /** Added to q99 - q01 when unnormalizing (openpi uses 1e-6; OpenVLA 0). */
      epsilon: nonNegative.default(0),
    }),
    z.strictObject({
      /** x = n * std + mean on the dimensions where the mask is true (ACT, LeRobot, Octo). */
      type: z.literal('gaussian'),
      stats: StatsRefSchema,
      mask: maskSchema.optional(),
      /** Added to std (openpi uses 1e-6). */
      epsilon: nonNegative.default(0),
    }),
    z.strictObject({
      /** The model works in physical units. */
      type: z.literal('none'),
    }),
  ],
  { error: unknownType('normalization', ['quantile', 'gaussian', 'none']) },
);
export type NormalizationSpec = z.infer<typeof NormalizationSchema>;

export const INTERPOLATIONS = ['bilinear', 'nearest', 'area', 'bicubic'] as const;
const interpolation = z.enum(INTERPOLATIONS).default('bilinear');

export const GeometrySchema = z.discriminatedUnion(
  'mode',
  [
    /** Stretch to width x height. */
    z.strictObject({ mode: z.literal('resize'), interpolation }),
    /** Crop the centre (each side scaled by sqrt(area_fraction), OpenVLA's crop_scale), then stretch. */
    z.strictObject({
      mode: z.literal('center_crop'),
      area_fraction: finite.refine((v) => v > 0 && v <= 1, { message: 'must be in (0, 1]' }),
      interpolation,
    }),
    /** Fit inside width x height keeping the aspect ratio, pad the rest (openpi's resize_with_pad). */
    z.strictObject({
      mode: z.literal('resize_with_pad'),
      interpolation,
      pad_value: z.number().int().min(0).max(255).default(0),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'geometry.mode must be one of resize, center_crop, resize_with_pad' : undefined) },
);
export type GeometrySpec = z.infer<typeof GeometrySchema>;

export const CameraSchema = z
  .strictObject({
    /** The embodiment's camera name (`topics.cameras[].name`). */
    name: z.string().min(1),
    /** The model input this camera feeds. */
    tensor: tensorName,
    width: sizeUpTo(4096),
    height: sizeUpTo(4096),
    /** Channel order the model was trained on; `depth` reads 16UC1 (mm) or 32FC1 (m) frames. */
    color: z.enum(['rgb', 'bgr', 'gray', 'depth']),
    geometry: GeometrySchema,
    layout: z.enum(['nchw', 'nhwc']),
    dtype: z.enum(['float32', 'uint8']),
    /** float32 only: x = (pixel * scale - mean[c]) / std[c]. */
    normalize: z
      .strictObject({
        scale: positive,
        mean: z.array(finite).min(1),
        std: z.array(positive).min(1),
      })
      .optional(),
    /** depth only: metres per unit of a 16UC1 frame (0.001 for millimetres). */
    depth_scale: positive.optional(),
  })
  .superRefine((cam, ctx) => {
    const channels = cam.color === 'rgb' || cam.color === 'bgr' ? 3 : 1;
    if (cam.dtype === 'float32' && cam.normalize === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['normalize'],
        message: 'a float32 camera needs normalize: { scale, mean, std } (the model was trained on some value range: say which)',
      });
    }
    if (cam.dtype === 'uint8' && cam.normalize !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['normalize'],
        message: 'a uint8 camera takes raw pixels: remove normalize, or use dtype: float32',
      });
    }
    if (cam.normalize !== undefined) {
      for (const key of ['mean', 'std'] as const) {
        if (cam.normalize[key].length !== channels) {
          ctx.addIssue({
            code: 'custom',
            path: ['normalize', key],
            message: `needs ${channels} value${channels > 1 ? 's' : ''} (one per channel of a ${cam.color} image), got ${cam.normalize[key].length}`,
          });
        }
      }
    }
    if (cam.color === 'depth') {
      if (cam.depth_scale === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['depth_scale'],
          message: 'a depth camera needs depth_scale (metres per unit of a 16UC1 frame, e.g. 0.001)',
        });
      if (cam.dtype !== 'float32') ctx.addIssue({ code: 'custom', path: ['dtype'], message: 'a depth camera feeds float32' });
    } else if (cam.depth_scale !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['depth_scale'], message: 'depth_scale is for color: depth only' });
    }
  });
export type CameraSpec = z.infer<typeof CameraSchema>;

export const PromptSchema = z
  .strictObject({
    /** A Hugging Face tokenizer.json in the policy folder. */
    tokenizer: fileName,
    /** `openvla`: OpenVLA's exact prompt, lowercasing, <s> and the trailing "▁" token. */
    preset: z.enum(['openvla']).optional(),
    /** Text around the instruction: must contain `{instruction}` once. */
    template: z.string().optional(),
    lowercase_instruction: z.boolean().optional(),
    /** The token put first (`<s>`), or null for none. The tokenizer's own post-processor is never applied. */
    bos_token: z.string().min(1).nullable().optional(),
    /** Tokens appended unless the prompt already ends with them (OpenVLA's "▁" after "Out:"). */
    ensure_suffix: z.array(z.string().min(1)).optional(),
    /** A longer prompt is an error, not silently truncated. */
    max_tokens: sizeUpTo(8192).default(256),
    input_ids: tensorName.default('input_ids'),
    attention_mask: tensorName.default('attention_mask'),
  })
  .superRefine((p, ctx) => {
    if (p.preset !== undefined) {
      for (const key of ['template', 'lowercase_instruction', 'bos_token', 'ensure_suffix'] as const) {
        if (p[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: `preset: ${p.preset} sets ${key}; remove one of the two` });
      }
      return;
    }
    if (p.template === undefined) {
      ctx.addIssue({ code: 'custom', path: ['template'], message: 'missing: give template (with {instruction}) or preset: openvla' });
    } else if (p.template.split('{instruction}').length !== 2) {
      ctx.addIssue({ code: 'custom', path: ['template'], message: 'must contain {instruction} exactly once' });
    }
    if (p.bos_token === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['bos_token'],
        message:
          'missing: say which token starts the prompt ("<s>") or null for none (a doubled or missing BOS silently changes the actions)',
      });
    }
  });
export type PromptSpec = z.infer<typeof PromptSchema>;

export const StateSchema = z.strictObject({
  tensor: tensorName,
  /** `position`: the joint positions in the embodiment's command joint order; `position_velocity`: then velocities. */
  source: z.enum(['position', 'position_velocity']),
  dims: sizeUpTo(1024),
  normalization: NormalizationSchema,
});
export type StateSpec = z.infer<typeof StateSchema>;

/** onnxruntime-node execution provider names. */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

export const ModelSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('single_pass'), file: fileName }),
    z.strictObject({
      type: z.literal('autoregressive'),
      /** Runs on the prompt; with past_key_values.* inputs it is also the decode model (past of length 0 first). */
      prefill: fileName,
      /** The one-token step with past_key_values.* inputs, when it is a separate file. */
      decode: fileName.optional(),
      /** Needed only when the graph leaves these KV-cache dimensions symbolic. */
      kv_cache: z.strictObject({ num_heads: sizeUpTo(1024), head_dim: sizeUpTo(4096) }).optional(),
    }),
  ],
  { error: unknownType('model', ['single_pass', 'autoregressive']) },
);
export type ModelSpec = z.infer<typeof ModelSchema>;

export const PolicyManifestSchema = z
  .strictObject({
    format: z.literal(POLICY_FORMAT, { error: `must be "${POLICY_FORMAT}"` }),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'must be letters, digits, _ . -' }),
    description: z.string().optional(),
    model: ModelSchema,
    cameras: z.array(CameraSchema).default([]),
    prompt: PromptSchema.optional(),
    state: StateSchema.optional(),
    action: z.strictObject({
      space: ActionSpaceSchema,
      decoder: DecoderSchema,
      normalization: NormalizationSchema,
      chunk: ChunkSchema,
    }),
    runtime: z
      .strictObject({
        threads: sizeUpTo(256).default(1),
        /** onnxruntime execution providers in order of preference, e.g. [cuda, cpu] (cpu last: a logged fallback). */
        execution_providers: z.array(z.enum(EXECUTION_PROVIDERS)).min(1).default(['cpu']),
      })
      .default({ threads: 1, execution_providers: ['cpu'] }),
    /** How `vla-bridge serve` maps the openpi wire keys onto this policy (ServeSpec.ts). */
    serve: ServeSpecSchema.optional(),
  })
  .superRefine((m, ctx) => {
    const dims = m.action.space.names.length;
    const { space, decoder, normalization } = m.action;
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    checkActionSpace(space, ['action', 'space'], issue);
    if (normalization.type !== 'none' && normalization.mask !== undefined && normalization.mask.length !== dims) {
      issue(['action', 'normalization', 'mask'], `needs ${dims} values (one per action dimension), got ${normalization.mask.length}`);
    }

    const autoregressive = m.model.type === 'autoregressive';
    if ((decoder.type === 'rt2_integers' || decoder.type === 'fast') && !autoregressive) {
      issue(['action', 'decoder', 'type'], `${decoder.type} decoding generates tokens one at a time: it needs model.type: autoregressive`);
    }
    if (decoder.type === 'continuous' && autoregressive)
      issue(['action', 'decoder', 'type'], 'continuous actions come from one pass: use model.type: single_pass');
    if (decoder.type !== 'continuous' && m.prompt === undefined)
      issue(['prompt'], `a ${decoder.type} decoder reads tokens: the manifest needs a prompt section with its tokenizer`);
    if (autoregressive && m.prompt === undefined) issue(['prompt'], 'an autoregressive model needs a prompt section');

    const names = new Map<string, string>();
    const claim = (tensor: string, path: (string | number)[]) => {
      const previous = names.get(tensor);
      if (previous !== undefined) issue(path, `tensor "${tensor}" is already fed by ${previous}`);
      else names.set(tensor, path.join('.'));
    };
    const cameraNames = new Set<string>();
    m.cameras.forEach((cam, i) => {
      if (cameraNames.has(cam.name)) issue(['cameras', i, 'name'], `camera "${cam.name}" is listed twice`);
      cameraNames.add(cam.name);
      claim(cam.tensor, ['cameras', i, 'tensor']);
    });
    if (m.state !== undefined) {
      claim(m.state.tensor, ['state', 'tensor']);
      const sn = m.state.normalization;
      if (sn.type !== 'none' && sn.mask !== undefined && sn.mask.length !== m.state.dims)
        issue(['state', 'normalization', 'mask'], `needs ${m.state.dims} values, got ${sn.mask.length}`);
    }
    if (m.prompt !== undefined) {
      claim(m.prompt.input_ids, ['prompt', 'input_ids']);
      claim(m.prompt.attention_mask, ['prompt', 'attention_mask']);
    }
  });

export type PolicyManifest = z.infer<typeof PolicyManifestSchema>;
export type CameraColor = CameraSpec['color'];
