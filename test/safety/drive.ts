import type { SafeJointCommand } from '../../src/safety/SafeCommand';
import type { SafetyEvent } from '../../src/safety/SafetyEvent';
import type { SafetyLayer, WatchdogInputs } from '../../src/safety/SafetyLayer';

export interface DriveTick {
  tS: number;
  proposal: Float64Array | null;
  watchdog?: WatchdogInputs;
  /** Measured position this tick (default: the last output, closed loop). */
  measured?: Float64Array;
  before?: (layer: SafetyLayer) => void;
}

export interface Driven {
  commands: SafeJointCommand[];
  events: SafetyEvent[][];
}

/** Starts a layer at `start` (tick time t0) and runs the ticks in closed loop. */
export function drive(
  layer: SafetyLayer,
  t0: number,
  start: Float64Array,
  ticks: Iterable<DriveTick>,
  startVelocity?: Float64Array,
): Driven {
  const first = layer.enforce({ tS: t0, measured: { stampS: t0, position: start, velocity: startVelocity }, proposal: null });
  const out: Driven = { commands: [first.command], events: [first.events] };
  let last = first.command.positions;
  for (const tick of ticks) {
    tick.before?.(layer);
    const r = layer.enforce({
      tS: tick.tS,
      measured: { stampS: tick.tS, position: tick.measured ?? last },
      proposal: tick.proposal,
      watchdog: tick.watchdog,
    });
    out.commands.push(r.command);
    out.events.push(r.events);
    last = r.command.positions;
  }
  return out;
}

/** Ticks at a fixed period with the same proposal. */
export function* constantTicks(
  t0: number,
  dt: number,
  n: number,
  proposal: Float64Array | null,
  extra: Partial<DriveTick> = {},
): Generator<DriveTick> {
  for (let k = 1; k <= n; k++) yield { tS: t0 + k * dt, proposal, ...extra };
}

/** Time-optimal (trapezoidal or triangular) time to move `d` from rest to rest under v_max and a_max. */
export function timeOptimalS(d: number, vMax: number, aMax: number): number {
  const dist = Math.abs(d);
  if (aMax === Infinity) return dist / vMax;
  return dist >= (vMax * vMax) / aMax ? dist / vMax + vMax / aMax : 2 * Math.sqrt(dist / aMax);
}
