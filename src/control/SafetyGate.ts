import type { Embodiment } from '../config/Embodiment';
import { SafetyLayer } from '../safety/SafetyLayer';
import type { SafetyLayerOverrides } from '../safety/SafetyLayerOptions';

export type { SafetyStepInput, SafetyStepResult, WatchdogInputs } from '../safety/SafetyLayer';

/**
 * What the control loop needs from the safety layer: the loop hands it the measured state, the queue's
 * proposal and the watchdog inputs every tick, and gets back the only kind of command a publisher accepts.
 * The loop depends on this slice of the layer's contract, not on its construction.
 */
export type SafetyGate = Pick<
  SafetyLayer,
  'enforce' | 'enforceTwist' | 'enforcePose' | 'estop' | 'stop' | 'reset' | 'latched' | 'counters'
>;

/** The safety layer for an embodiment, as the loop uses it (the one place the loop's side names the layer). */
export function safetyGateFor(embodiment: Embodiment, overrides?: SafetyLayerOverrides): SafetyGate {
  return SafetyLayer.fromEmbodiment(embodiment, overrides);
}
