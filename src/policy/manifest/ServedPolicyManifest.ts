import { z } from 'zod';
import { ActionSpaceSchema, ChunkSchema, checkActionSpace } from './ActionSchema';
import { GeometrySchema } from './PolicyManifest';

/**
 * The manifest of a served policy (`format: vla_bridge.served_policy/1`): the model runs on a policy server that
 * speaks openpi's WebSocket protocol, and this folder says where the server is and how the observation maps onto
 * the server's keys. Normalization is the server's: the actions that come back are in final units (radians,
 * metres, the gripper in [0, 1]) and are validated here (shape, finite, bounds) like any local model output.
 */

export const SERVED_POLICY_FORMAT = 'vla_bridge.served_policy/1';

const positive = z.number().refine((v) => Number.isFinite(v) && v > 0, { message: 'must be a positive number' });
const positiveInt = z.number().int().min(1);
const wireKey = z.string().min(1);

export const ServedCameraSchema = z.strictObject({
  /** The embodiment's camera name (`topics.cameras[].name`). */
  name: z.string().min(1),
  /** The observation key the server reads (openpi LIBERO: `observation/image`). */
  key: wireKey,
  width: positiveInt,
  height: positiveInt,
  color: z.enum(['rgb', 'bgr']).default('rgb'),
  /** openpi resizes with `resize_with_pad`: fit, keep the aspect ratio, pad with black. */
  geometry: GeometrySchema,
  /** `hwc` (openpi, numpy images) or `chw`; no batch dimension. */
  layout: z.enum(['hwc', 'chw']),
  /** openpi expects uint8 pixels. */
  dtype: z.enum(['uint8']).default('uint8'),
});
export type ServedCameraSpec = z.infer<typeof ServedCameraSchema>;

export const ServedStateSchema = z.strictObject({
  key: wireKey,
  /** `joint_positions`: the embodiment's policy joints in order, then the gripper (if `gripper`). */
  source: z.enum(['joint_positions']),
  /** The gripper as the last value: `unit_interval` maps the gripper joint to [0, 1] in the action's convention. */
  gripper: z.enum(['unit_interval', 'none']),
  dims: positiveInt,
  dtype: z.enum(['float32', 'float64']).default('float32'),
});

export const ServerSchema = z.strictObject({
  /** `ws://host:port` or `wss://...`; `--policy-server` (node parameter `policy_server`) overrides it. */
  url: z.string().regex(/^wss?:\/\/[^\s]+$/, { message: 'must be a ws:// or wss:// URL' }),
  /** Give up connecting (and name the URL) after this long. */
  connect_timeout_s: positive.default(3),
  /** Without a deadline from the caller (`infer`, `check`), a request with no reply after this long fails. */
  request_timeout_s: positive.default(30),
  /** A reply frame larger than this is refused before it is decoded. */
  max_reply_bytes: positiveInt.default(8 * 1024 * 1024),
  /** After a lost connection: first retry after initial_s, doubling up to max_s. */
  reconnect_backoff_s: z.strictObject({ initial: positive, max: positive }).default({ initial: 0.25, max: 5 }),
});

export const ServedPolicyManifestSchema = z
  .strictObject({
    format: z.literal(SERVED_POLICY_FORMAT),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'must be letters, digits, _ . -' }),
    description: z.string().optional(),
    server: ServerSchema,
    cameras: z.array(ServedCameraSchema).default([]),
    state: ServedStateSchema.optional(),
    /** The key the instruction travels under, as given (openpi: `prompt`). */
    prompt: z.strictObject({ key: wireKey }).optional(),
    action: z.strictObject({
      /** The reply key holding the `[horizon, dims]` array. */
      key: wireKey.default('actions'),
      space: ActionSpaceSchema,
      chunk: ChunkSchema,
    }),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    checkActionSpace(m.action.space, ['action', 'space'], issue);
    const keys = new Map<string, string>();
    const claim = (key: string, path: (string | number)[]) => {
      const previous = keys.get(key);
      if (previous !== undefined) issue(path, `key "${key}" is already used by ${previous}`);
      else keys.set(key, path.join('.'));
    };
    m.cameras.forEach((c, i) => claim(c.key, ['cameras', i, 'key']));
    if (m.state !== undefined) claim(m.state.key, ['state', 'key']);
    if (m.prompt !== undefined) claim(m.prompt.key, ['prompt', 'key']);
    if (m.state?.gripper === 'unit_interval' && m.action.space.gripper === undefined) {
      issue(['state', 'gripper'], 'unit_interval uses the convention of action.space.gripper: declare it, or say gripper: none');
    }
  });
export type ServedPolicyManifest = z.infer<typeof ServedPolicyManifestSchema>;
