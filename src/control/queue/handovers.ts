import { VlaError } from '../../errors';
import type { Handover } from './ActionQueue';

/** The default: the newest chunk takes over, cross-faded from the previous one over 0.3 s. */
export const DEFAULT_HANDOVER: Handover = { kind: 'receding_horizon', blendS: 0.3 };

export const DEFAULT_HANDOVER_NAME = 'overlap_blend';

/** The handovers by the names the command line and the node's parameters give them. */
export const HANDOVERS: Readonly<Record<string, Handover>> = {
  receding_horizon: { kind: 'receding_horizon', blendS: 0 },
  [DEFAULT_HANDOVER_NAME]: DEFAULT_HANDOVER,
  temporal_ensemble: { kind: 'temporal_ensemble', decayPerStep: 0.01, blendS: 0.3 },
};

/** The handover called `name`; `where` (an option or parameter) is named when there is none. */
export function handoverNamed(name: string, where: string): Handover {
  const handover = HANDOVERS[name];
  if (handover === undefined)
    throw new VlaError('ARGUMENT_INVALID', `unknown handover "${name}"`, {
      path: where,
      hint: `use one of ${Object.keys(HANDOVERS).join(', ')}`,
    });
  return handover;
}
