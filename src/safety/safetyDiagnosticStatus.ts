import type { DiagnosticStatusMsg } from '../msgs/rosMessages';
import { SAFETY_LIMITS } from './SafetyEvent';
import type { SafetyLayer } from './SafetyLayer';

/** diagnostic_msgs/DiagnosticStatus levels. */
const OK = 0;
const ERROR = 2;

/**
 * The layer's state as one diagnostic_msgs/DiagnosticStatus for /diagnostics: ERROR while it holds the arm
 * (e-stop, stale inputs, a late policy, a tracking error), OK while it enforces the limits or holds after a
 * requested stop; the values are the intervention counters per limit and what holds the arm.
 */
export function safetyDiagnosticStatus(layer: SafetyLayer, hardwareId = ''): DiagnosticStatusMsg {
  const holding = layer.holdingFor;
  const faults = holding.filter((key) => key !== 'stop');
  const message = layer.latched
    ? 'e-stop latched: holding until reset'
    : faults.length > 0
      ? `holding: ${holding.join(', ')}`
      : holding.length > 0
        ? 'stopped on request: holding'
        : 'limits enforced';
  return {
    level: layer.latched || faults.length > 0 ? ERROR : OK,
    name: 'vla_bridge: safety layer',
    message,
    hardware_id: hardwareId,
    values: [
      { key: 'estop_latched', value: String(layer.latched) },
      { key: 'holding_for', value: holding.join(',') },
      ...SAFETY_LIMITS.map((limit) => ({ key: `interventions.${limit}`, value: String(layer.counters[limit]) })),
    ],
  };
}
