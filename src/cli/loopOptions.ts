import { HANDOVERS } from '../control/queue/handovers';

/** Help of the control-loop options `sim` and `eval` share. */
export const HANDOVER_HELP = `how chunks hand over: ${Object.keys(HANDOVERS).join(', ')}`;

export const LATENCY_COMPENSATION_HELP =
  "how a chunk is lined up with the clock: keep_fed (on its observation's time while that keeps the queue fed, else later) or strict (always on its observation's time: a policy slower than half a chunk runs the queue dry)";
