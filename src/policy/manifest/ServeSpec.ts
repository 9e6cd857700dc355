import { z } from 'zod';

/**
 * How `vla-bridge serve` presents a local policy on the wire (openpi's protocol), the `serve` section of its
 * manifest. Like openpi's policy transforms: the observation keys in, the action chunk out in the form the
 * robot side's served manifest expects. Every field has a default: without the section the wire carries
 * `observation/<camera name>`, `observation/state`, `prompt` and `actions` (the chunk as the model gives it).
 */

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const positive = finite.refine((v) => v > 0, { message: 'must be greater than 0' });

export const ServeSpecSchema = z.strictObject({
  /** The observation key of each camera (default `observation/<name>`). */
  cameras: z.array(z.strictObject({ name: z.string().min(1), key: z.string().min(1) })).default([]),
  state: z
    .strictObject({
      key: z.string().min(1).default('observation/state'),
      /**
       * The wire's state carries the gripper at `index` in [0, 1] (open_is_1); the model reads the gripper
       * joint's position: closed_position + value * (open_position - closed_position).
       */
      gripper: z.strictObject({ index: z.number().int().min(0), open_position: finite, closed_position: finite }).optional(),
    })
    .default({ key: 'observation/state' }),
  prompt_key: z.string().min(1).default('prompt'),
  actions: z
    .strictObject({
      key: z.string().min(1).default('actions'),
      /** relative_to_observation deltas + the state's first values -> absolute targets (openpi's AbsoluteActions). */
      to_absolute: z.boolean().default(false),
      /** Linear resampling of the chunk onto another horizon and step (beyond the last waypoint: hold it). */
      resample: z.strictObject({ horizon: z.number().int().min(1), step_dt_s: positive }).optional(),
      /** Append a constant gripper dimension in [0, 1] (for a model that never moves the gripper). */
      append_gripper: finite.refine((v) => v >= 0 && v <= 1, { message: 'must be in [0, 1]' }).optional(),
    })
    .default({ key: 'actions', to_absolute: false }),
});
export type ServeSpec = z.infer<typeof ServeSpecSchema>;
