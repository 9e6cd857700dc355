import { VlaError } from '../../errors';
import type { ActionSpaceSpec } from '../manifest/ActionSchema';
import { type Normalization, unnormalize } from '../normalization/Normalization';

/** The action space after the manifest: bounds in final units, the gripper mapping to [0, 1]. */
export interface ActionLimits {
  names: readonly string[];
  lower: Float64Array;
  upper: Float64Array;
  gripper?: { index: number; from: number; to: number; binarizeAt?: number };
}

export function actionLimits(manifest: { action: { space: ActionSpaceSpec } }): ActionLimits {
  const space = manifest.action.space;
  const g = space.gripper;
  return {
    names: space.names,
    lower: Float64Array.from(space.bounds.lower),
    upper: Float64Array.from(space.bounds.upper),
    gripper:
      g === undefined
        ? undefined
        : { index: space.names.indexOf(g.dimension), from: g.range[0], to: g.range[1], binarizeAt: g.binarize_at },
  };
}

/**
 * normalized -> unnormalized -> gripper in [0, 1] -> validated. Every value must be finite and inside the
 * bounds: a bad output is an error naming the step, the dimension, the value and the bound, never an action.
 */
export function finishActions(normalized: Float64Array, normalization: Normalization, limits: ActionLimits): Float64Array {
  const dims = limits.names.length;
  const check = (values: Float64Array, stage: string) => {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) {
        throw new VlaError(
          'MODEL_OUTPUT_INVALID',
          `${stage} action is ${values[i]} at step ${Math.floor(i / dims)}, dimension ${limits.names[i % dims]}`,
          {
            path: `action.${limits.names[i % dims]}`,
            hint: 'the model produced a non-finite value: this inference yields no action',
          },
        );
      }
    }
  };
  check(normalized, 'the normalized');
  const actions = unnormalize(normalization, normalized);
  check(actions, 'the unnormalized');
  const g = limits.gripper;
  if (g !== undefined) {
    for (let i = g.index; i < actions.length; i += dims) {
      let v = Math.min(1, Math.max(0, (actions[i]! - g.from) / (g.to - g.from)));
      if (g.binarizeAt !== undefined) v = v >= g.binarizeAt ? 1 : 0;
      actions[i] = v;
    }
  }
  for (let i = 0; i < actions.length; i++) {
    const d = i % dims;
    const v = actions[i]!;
    if (v < limits.lower[d]! || v > limits.upper[d]!) {
      const bound = v < limits.lower[d]! ? `lower bound ${limits.lower[d]}` : `upper bound ${limits.upper[d]}`;
      throw new VlaError(
        'MODEL_OUTPUT_INVALID',
        `action ${v} at step ${Math.floor(i / dims)}, dimension ${limits.names[d]} is outside its ${bound}`,
        {
          path: `action.${limits.names[d]}`,
          hint: 'the output is outside action.space.bounds: refused (check the normalization statistics, or widen the bounds if they are wrong)',
        },
      );
    }
  }
  return actions;
}
