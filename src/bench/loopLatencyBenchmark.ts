import { loadavg } from 'node:os';
import type { Benchmark, BenchFigure } from './BenchFigure';
import { median, percentile } from '../stats/orderStatistics';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { LoopbackTransport } from '../transport/LoopbackTransport';
import { WallClock } from '../time/WallClock';
import { createEpisodeLoop, type EpisodeOutcome, runEpisode } from '../control/runEpisode';
import { BusyWorkerPolicy, INFERENCE_MS, PERIOD_MS } from './BusyWorkerPolicy';
import { ExactArm } from './ExactArm';

/** What one timed run of a loop gives: every tick's lateness and compute time (ms), without the first tick. */
export interface LoopRun {
  latenessMs: number[];
  computeMs: number[];
  overruns: number;
  ticks: number;
  inferences: number;
}

/**
 * The bare loop: ControlLoop on wall time at 100 Hz for `durationS` (observation, queue, safety, publish per
 * tick) with a worker thread running an INFERENCE_MS inference per chunk, a test arm answering every tick.
 */
export async function runBareLoop(durationS: number): Promise<LoopRun> {
  const embodiment = loadEmbodiment('franka_panda');
  const clock = new WallClock();
  const transport = new LoopbackTransport(clock, 'bench');
  const arm = new ExactArm(transport, embodiment, BENCH_HOME);
  const policy = new BusyWorkerPolicy(embodiment.policyJointNames);
  let ticks = 0;
  const loop = createEpisodeLoop({
    embodiment,
    transport,
    policy,
    instruction: 'hold',
    commandRateHz: 1000 / PERIOD_MS,
    policyRateHz: 10,
    inference: { kind: 'async' },
    recordTiming: true,
    listeners: {
      // The arm's driver: a fresh joint state for the next tick, a frame every 10 ticks.
      tick: (info) => {
        arm.publishState(info.tS);
        if (ticks++ % 10 === 0) arm.publishFrames(info.tS);
      },
    },
  });
  const startS = clock.nowS();
  arm.publishState(startS);
  arm.publishFrames(startS);
  let outcome: EpisodeOutcome;
  try {
    outcome = await runEpisode(loop, { timeLimitS: durationS });
  } finally {
    await policy.close();
  }
  const { stats } = outcome;
  return {
    latenessMs: stats.latenessS.slice(1).map((s) => s * 1000),
    computeMs: stats.tickComputeS.map((s) => s * 1000),
    overruns: stats.overruns,
    ticks: stats.ticks,
    inferences: stats.inferences.completed,
  };
}

/** The Panda's rest pose, commanded joints then the gripper. */
export const BENCH_HOME = [0, -0.785, 0, -2.356, 0, 1.571, 0.785, 0.04];

/**
 * Lateness of the control loop's ticks at 100 Hz on wall time, with the whole pipeline in each tick
 * (observation, queue, safety layer, command publishing) while a worker thread runs a 25 ms inference for
 * every chunk. Baseline: the command period; ratio = p99 lateness / period.
 */
export const loopLatencyBenchmark: Benchmark = {
  name: 'control',
  async run({ quick }): Promise<BenchFigure[]> {
    const durationS = quick ? 3 : 60;
    const run = await runBareLoop(durationS);
    const { latenessMs, computeMs } = run;
    const p99 = percentile(latenessMs, 99);
    return [
      {
        name: 'control.loop_lateness_100hz',
        median: median(latenessMs),
        p99,
        unit: 'ms',
        baseline: `command period (${PERIOD_MS} ms)`,
        ratio: p99 / PERIOD_MS,
        method:
          `ControlLoop on wall time at 100 Hz for ${durationS} s (observation, queue, safety, ` +
          `publish per tick) while a worker thread runs a ${INFERENCE_MS} ms inference per chunk; ` +
          `lateness = tick start - absolute deadline`,
        extra: {
          max_ms: Math.max(...latenessMs),
          overruns: run.overruns,
          ticks: run.ticks,
          inferences: run.inferences,
          tick_compute_p50_ms: median(computeMs),
          tick_compute_p99_ms: percentile(computeMs, 99),
          load_avg_1m: loadavg()[0]!,
        },
      },
    ];
  },
};
