/**
 * Time in one place. Every part of the pipeline reads time from a `Clock` and sleeps in that clock's time,
 * never from Date.now() or setTimeout directly, so the same loop runs on wall time (a live arm), ROS time
 * (`use_sim_time`, fed by /clock), bag time (fed by replay), simulated time (advanced by the built-in
 * simulator) and a manual clock in tests.
 */

export type ClockKind = 'wall' | 'ros' | 'bag' | 'sim' | 'manual';

export interface Clock {
  readonly kind: ClockKind;
  /** Current time in seconds, in the clock's time base (epoch seconds for wall and ROS time). */
  nowS(): number;
  /**
   * Resolves once `nowS() >= tS` (at once if that is already true). Rejects with the signal's reason when
   * `signal` aborts first.
   */
  sleepUntil(tS: number, signal?: AbortSignal): Promise<void>;
  /**
   * Clocks that advance themselves when somebody sleeps (SimClock) let a busy actor keep time still until it
   * calls the returned release.
   */
  hold?(): () => void;
}

/**
 * True for clocks whose time moves only because this process moves it (simulator, tests, bag replay). On such
 * clocks the control loop runs in lockstep with inference (see ControlLoop), which makes runs reproducible.
 */
export function isDrivenByProgram(clock: Clock): boolean {
  return clock.kind === 'sim' || clock.kind === 'manual' || clock.kind === 'bag';
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}
