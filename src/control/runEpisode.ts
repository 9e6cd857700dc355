import { ControlLoop, type ControlLoopOptions } from './ControlLoop';
import type { EpisodeStats } from './EpisodeStats';
import { type SafetyGate, safetyGateFor } from './SafetyGate';

export interface EpisodeLoopOptions extends Omit<ControlLoopOptions, 'safety'> {
  /** The safety layer (default: a fresh one from the embodiment, so an episode starts without latches). */
  safety?: SafetyGate;
}

/**
 * The one wiring of the pipeline for a run: the control loop with its safety gate, observation assembler,
 * action queue, inference scheduler and the embodiment's command mode, listening on the transport from now on
 * (so messages delivered before the first tick are seen). The simulator, demonstration recording, bag replay,
 * the ROS node and the loop benchmark all build their loop here; the node runs it open-ended, the others with
 * `runEpisode`.
 */
export function createEpisodeLoop(options: EpisodeLoopOptions): ControlLoop {
  return new ControlLoop({ ...options, safety: options.safety ?? safetyGateFor(options.embodiment) });
}

/** How an episode ended: its stop condition, its time limit, or `ControlLoop.stop()` from outside. */
export type EpisodeEnd = 'condition' | 'time_limit' | 'stopped';

export interface EpisodeStop {
  /** Checked after every tick with the clock time; true ends the episode after that tick. */
  until?: (tS: number, loop: ControlLoop) => boolean;
  /** Ends the episode after the first tick at least this long after its start, clock seconds. */
  timeLimitS?: number;
  /**
   * Called once after the last tick, before the loop's inference is settled: release what would keep an
   * inference from finishing (a frozen policy in a fault test).
   */
  ending?: (tS: number) => void;
}

export interface EpisodeOutcome {
  /** Clock time when the episode was started, and of its last tick, s. */
  startS: number;
  endS: number;
  endedBy: EpisodeEnd;
  stats: EpisodeStats;
}

/**
 * Runs a loop made by `createEpisodeLoop` from the clock's current time until a stop condition holds after a
 * tick (or until `loop.stop()`), then waits for the inference it asked for (a policy runs one at a time, and
 * the next episode will ask it) and closes the loop's subscriptions. The policy and transport stay open: they
 * belong to the caller, who may run the next episode on them.
 */
export async function runEpisode(loop: ControlLoop, stop: EpisodeStop = {}): Promise<EpisodeOutcome> {
  const startS = loop.clock.nowS();
  let endS = startS;
  let endedBy: EpisodeEnd = 'stopped';
  let ended = false;
  const end = (tS: number): void => {
    if (ended) return;
    ended = true;
    stop.ending?.(tS);
  };
  try {
    await loop.run((tS) => {
      endS = tS;
      if (stop.until?.(tS, loop) === true) endedBy = 'condition';
      else if (stop.timeLimitS !== undefined && tS - startS >= stop.timeLimitS) endedBy = 'time_limit';
      else return false;
      end(tS);
      return true;
    });
  } finally {
    end(endS);
    await loop.settle();
    loop.close();
  }
  return { startS, endS, endedBy, stats: loop.stats() };
}
