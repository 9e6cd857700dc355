import type { SafetyEvent, SafetySeverity } from '../safety/SafetyEvent';
import {
  addEpisodeStats,
  emptyEpisodeStats,
  emptySafetyTally,
  type EpisodeStats,
  sumEpisodeStats,
  tallySafetyEvents,
} from './EpisodeStats';

const event = (limit: SafetyEvent['limit'], severity: SafetySeverity, tS = 0): SafetyEvent => ({ tS, limit, severity });

function run(overrides: Partial<EpisodeStats>): EpisodeStats {
  return { ...emptyEpisodeStats(), ...overrides };
}

describe('the safety counting rule', () => {
  it('counts every event, and warn and error events as interventions; info events (a requested stop, a recovery) are not', () => {
    const tally = emptySafetyTally();
    tallySafetyEvents(tally, [event('velocity', 'warn'), event('estop', 'error'), event('stop', 'info'), event('watchdog_camera', 'info')]);
    expect(tally).toEqual({
      safetyEvents: 4,
      eventsByLimit: { velocity: 1, estop: 1, stop: 1, watchdog_camera: 1 },
      safetyInterventions: 2,
      interventionsByLimit: { velocity: 1, estop: 1 },
    });
  });

  it('counts a limit that acts on N ticks (one event per joint and tick) as N interventions', () => {
    const tally = emptySafetyTally();
    for (let k = 0; k < 5; k++) tallySafetyEvents(tally, [{ ...event('acceleration', 'warn', k * 0.01), target: 'j1' }]);
    tallySafetyEvents(tally, [
      { ...event('acceleration', 'warn'), target: 'j1' },
      { ...event('acceleration', 'warn'), target: 'j2' },
    ]);
    expect(tally.safetyInterventions).toBe(7);
    expect(tally.interventionsByLimit).toEqual({ acceleration: 7 });
  });
});

describe('addEpisodeStats', () => {
  const a = run({
    ticks: 10,
    overruns: 1,
    latenessS: [0.001, 0.002],
    maxLatenessS: 0.002,
    tickComputeS: [1e-4],
    ticksWithoutState: 2,
    inferences: { requested: 3, completed: 2, failed: 1, latencyS: [0.1, 0.2] },
    queue: { chunks: 2, drySamples: 1, spareSamples: 0 },
    lateChunks: { count: 1, maxDelayS: 0.05 },
    overdueTicks: 4,
    safetyEvents: 3,
    eventsByLimit: { velocity: 2, stop: 1 },
    safetyInterventions: 2,
    interventionsByLimit: { velocity: 2 },
    holdingTicks: 5,
    staleHoldingTicks: 1,
    clockStalls: 0,
    commandsSent: 20,
  });
  const b = run({
    ticks: 5,
    overruns: 0,
    latenessS: [0.003],
    maxLatenessS: 0.003,
    tickComputeS: [2e-4, 3e-4],
    ticksWithoutState: 0,
    inferences: { requested: 1, completed: 1, failed: 0, latencyS: [0.3] },
    queue: { chunks: 1, drySamples: 0, spareSamples: 2 },
    lateChunks: { count: 2, maxDelayS: 0.01 },
    overdueTicks: 0,
    safetyEvents: 2,
    eventsByLimit: { velocity: 1, position: 1 },
    safetyInterventions: 2,
    interventionsByLimit: { velocity: 1, position: 1 },
    holdingTicks: 0,
    staleHoldingTicks: 0,
    clockStalls: 3,
    commandsSent: 10,
  });

  it('adds counts (per limit too), keeps the larger of the largest values and appends the samples in order', () => {
    expect(addEpisodeStats(a, b)).toEqual({
      ticks: 15,
      overruns: 1,
      latenessS: [0.001, 0.002, 0.003],
      maxLatenessS: 0.003,
      tickComputeS: [1e-4, 2e-4, 3e-4],
      ticksWithoutState: 2,
      inferences: { requested: 4, completed: 3, failed: 1, latencyS: [0.1, 0.2, 0.3] },
      queue: { chunks: 3, drySamples: 1, spareSamples: 2 },
      lateChunks: { count: 3, maxDelayS: 0.05 },
      overdueTicks: 4,
      safetyEvents: 5,
      eventsByLimit: { velocity: 3, stop: 1, position: 1 },
      safetyInterventions: 4,
      interventionsByLimit: { velocity: 3, position: 1 },
      holdingTicks: 5,
      staleHoldingTicks: 1,
      clockStalls: 3,
      commandsSent: 30,
    });
  });

  it('leaves its operands alone, has the empty run as identity, and sums any number of runs the same way', () => {
    const before = JSON.stringify(a);
    addEpisodeStats(a, b);
    expect(JSON.stringify(a)).toBe(before);
    expect(addEpisodeStats(emptyEpisodeStats(), a)).toEqual(a);
    expect(sumEpisodeStats([])).toEqual(emptyEpisodeStats());
    expect(sumEpisodeStats([a, b, a])).toEqual(addEpisodeStats(addEpisodeStats(a, b), a));
  });
});
