import { HANDOVERS } from '../control/queue/handovers';
import type { NumberRange } from './CliContext';

/** Help of the control-loop options `sim` and `eval` share. */
export const HANDOVER_HELP = `how chunks hand over: ${Object.keys(HANDOVERS).join(', ')}`;

export const LATENCY_COMPENSATION_HELP =
  "how a chunk is lined up with the clock: keep_fed (on its observation's time while that keeps the " +
  "queue fed, else later) or strict (always on its observation's time: a policy slower than half " +
  'a chunk runs the queue dry)';

/** Episodes a run may ask for: past this a run would not end in any useful time. */
export const EPISODES_RANGE: NumberRange = { integer: true, min: 1, max: 100_000 };
/** Seeds are unsigned 32-bit (the scene generator's state). */
export const SEED_RANGE: NumberRange = { integer: true, min: 0, max: 4_294_967_295 };
/** Modelled inference latency: 0 to 10 s (a slower policy cannot drive an arm). */
export const LATENCY_RANGE_S: NumberRange = { min: 0, max: 10 };
/** Simulated seconds per episode. */
export const TIME_LIMIT_RANGE_S: NumberRange = { above: 0, max: 3600 };
