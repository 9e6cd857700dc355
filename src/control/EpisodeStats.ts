import { isIntervention, type SafetyEvent } from '../safety/SafetyEvent';
import type { QueueCounters } from './queue/ActionQueue';

/**
 * What one run of the control loop did: an episode in the simulator, in demonstration recording and in bag
 * replay, the open-ended run of the ROS node, a benchmark run. Every caller reads these from `ControlLoop.stats()`
 * (or `runEpisode`) and sums them with `addEpisodeStats`, so a figure means the same thing everywhere.
 *
 * Safety counting rule (the one rule, `isIntervention`): every safety event the loop's ticks return is counted
 * in `safetyEvents` and `eventsByLimit`; an event of severity `warn` or `error` is also one intervention
 * (`safetyInterventions`, `interventionsByLimit`). `info` events (a requested controlled stop, a condition that
 * ended, a watchdog stop latched for a manual resume) are not interventions. Limits that act tick by tick
 * (position, velocity, acceleration, ...) report one event per joint and tick, so a clamp that lasts N ticks is
 * N interventions; stop conditions (e-stop, watchdog, tracking, non-finite measurement) report when they begin,
 * so a stop that lasts N ticks is one intervention.
 */
export interface EpisodeStats {
  ticks: number;
  overruns: number;
  /** Per tick, clock seconds past its deadline (when the loop records timing). */
  latenessS: readonly number[];
  maxLatenessS: number;
  /** Per tick, wall seconds the tick took (when the loop records timing). */
  tickComputeS: readonly number[];
  /** Ticks without any joint state yet (nothing could be commanded). */
  ticksWithoutState: number;
  inferences: { requested: number; completed: number; failed: number; latencyS: readonly number[] };
  queue: Readonly<QueueCounters>;
  /** Chunks run later than their observation's time to keep the queue fed (`keep_fed`), and the largest delay. */
  lateChunks: { count: number; maxDelayS: number };
  /** Ticks on which the policy was overdue (an inference past its deadline, or the queue ran dry). */
  overdueTicks: number;
  /** Every safety event, `info` included, and per limit. */
  safetyEvents: number;
  eventsByLimit: Readonly<Record<string, number>>;
  /** Safety interventions by the counting rule above, and per limit. */
  safetyInterventions: number;
  interventionsByLimit: Readonly<Record<string, number>>;
  /** Ticks on which the safety layer held the arm. */
  holdingTicks: number;
  /** Of those, the ticks on which a sensor input was stale (older than its timeout, or never received). */
  staleHoldingTicks: number;
  /** Ticks skipped because the clock had not advanced since the last tick (a coarse /clock). */
  clockStalls: number;
  /** Messages the command publisher sent (a command with its gripper on its own topic is two). */
  commandsSent: number;
}

/** The safety part of EpisodeStats, counted tick by tick by the control loop. */
export type SafetyTally = Pick<EpisodeStats, 'safetyEvents' | 'eventsByLimit' | 'safetyInterventions' | 'interventionsByLimit'>;

export function emptySafetyTally(): {
  safetyEvents: number;
  eventsByLimit: Record<string, number>;
  safetyInterventions: number;
  interventionsByLimit: Record<string, number>;
} {
  return { safetyEvents: 0, eventsByLimit: {}, safetyInterventions: 0, interventionsByLimit: {} };
}

/** Counts one tick's safety events into `tally` by the counting rule of EpisodeStats. */
export function tallySafetyEvents(tally: ReturnType<typeof emptySafetyTally>, events: readonly SafetyEvent[]): void {
  for (const event of events) {
    tally.safetyEvents++;
    tally.eventsByLimit[event.limit] = (tally.eventsByLimit[event.limit] ?? 0) + 1;
    if (!isIntervention(event)) continue;
    tally.safetyInterventions++;
    tally.interventionsByLimit[event.limit] = (tally.interventionsByLimit[event.limit] ?? 0) + 1;
  }
}

/** Statistics of no run at all: the start of a sum. */
export function emptyEpisodeStats(): EpisodeStats {
  return {
    ticks: 0,
    overruns: 0,
    latenessS: [],
    maxLatenessS: 0,
    tickComputeS: [],
    ticksWithoutState: 0,
    inferences: { requested: 0, completed: 0, failed: 0, latencyS: [] },
    queue: { chunks: 0, drySamples: 0, spareSamples: 0 },
    lateChunks: { count: 0, maxDelayS: 0 },
    overdueTicks: 0,
    ...emptySafetyTally(),
    holdingTicks: 0,
    staleHoldingTicks: 0,
    clockStalls: 0,
    commandsSent: 0,
  };
}

function addByKey(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n;
  return out;
}

/**
 * Two runs as one: counts add up (per limit too), largest values are the larger, per-tick and per-inference
 * samples are the first run's followed by the second's. The one way episodes are summed (sim, demos, eval).
 */
export function addEpisodeStats(a: EpisodeStats, b: EpisodeStats): EpisodeStats {
  return {
    ticks: a.ticks + b.ticks,
    overruns: a.overruns + b.overruns,
    latenessS: [...a.latenessS, ...b.latenessS],
    maxLatenessS: Math.max(a.maxLatenessS, b.maxLatenessS),
    tickComputeS: [...a.tickComputeS, ...b.tickComputeS],
    ticksWithoutState: a.ticksWithoutState + b.ticksWithoutState,
    inferences: {
      requested: a.inferences.requested + b.inferences.requested,
      completed: a.inferences.completed + b.inferences.completed,
      failed: a.inferences.failed + b.inferences.failed,
      latencyS: [...a.inferences.latencyS, ...b.inferences.latencyS],
    },
    queue: {
      chunks: a.queue.chunks + b.queue.chunks,
      drySamples: a.queue.drySamples + b.queue.drySamples,
      spareSamples: a.queue.spareSamples + b.queue.spareSamples,
    },
    lateChunks: { count: a.lateChunks.count + b.lateChunks.count, maxDelayS: Math.max(a.lateChunks.maxDelayS, b.lateChunks.maxDelayS) },
    overdueTicks: a.overdueTicks + b.overdueTicks,
    safetyEvents: a.safetyEvents + b.safetyEvents,
    eventsByLimit: addByKey(a.eventsByLimit, b.eventsByLimit),
    safetyInterventions: a.safetyInterventions + b.safetyInterventions,
    interventionsByLimit: addByKey(a.interventionsByLimit, b.interventionsByLimit),
    holdingTicks: a.holdingTicks + b.holdingTicks,
    staleHoldingTicks: a.staleHoldingTicks + b.staleHoldingTicks,
    clockStalls: a.clockStalls + b.clockStalls,
    commandsSent: a.commandsSent + b.commandsSent,
  };
}

/** The sum of any number of runs (emptyEpisodeStats() for none). */
export function sumEpisodeStats(runs: Iterable<EpisodeStats>): EpisodeStats {
  let total = emptyEpisodeStats();
  for (const run of runs) total = addEpisodeStats(total, run);
  return total;
}
