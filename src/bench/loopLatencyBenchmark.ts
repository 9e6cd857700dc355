import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Benchmark, BenchFigure } from './BenchFigure';
import { median, percentile } from './stats';
import { loadEmbodiment } from '../config/loadEmbodiment';
import type { Observation } from '../observation/Observation';
import type { ActionChunk, ActionSpace, Policy } from '../policy/Policy';
import { LoopbackTransport } from '../transport/LoopbackTransport';
import { WallClock } from '../time/WallClock';
import { ControlLoop } from '../control/ControlLoop';
import { safetyGateFor } from '../control/SafetyGate';
import { ExactArm } from './ExactArm';

const PERIOD_MS = 10;
const INFERENCE_MS = 25;

/** A CPU-bound stand-in for a model: each request keeps a worker thread busy for `ms` of wall time. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, ms }) => {
  const start = performance.now();
  let acc = 0;
  while (performance.now() - start < ms) for (let i = 0; i < 1000; i++) acc += Math.sqrt(i * acc + 1);
  parentPort.postMessage({ id, acc });
});`;

/** A policy whose inference runs in a worker thread and takes INFERENCE_MS; it holds the arm where it is. */
class BusyWorkerPolicy implements Policy {
  readonly name = 'busy_worker';
  readonly space: ActionSpace;
  readonly horizon = 10;
  readonly stepDtS = 0.1;
  readonly stepsToExecute = 5;
  readonly cameras: readonly string[] = [];
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private readonly waiting = new Map<number, () => void>();
  private next = 0;

  constructor(names: readonly string[]) {
    this.space = { names, kind: 'absolute', frame: 'joint' };
    this.worker.on('message', ({ id }: { id: number }) => {
      this.waiting.get(id)?.();
      this.waiting.delete(id);
    });
  }

  async infer(observation: Observation): Promise<ActionChunk> {
    const id = this.next++;
    await new Promise<void>((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, ms: INFERENCE_MS });
    });
    const dims = this.space.names.length;
    const actions = new Float64Array(this.horizon * dims);
    for (let i = 0; i < this.horizon; i++) for (let d = 0; d < dims; d++) actions[i * dims + d] = observation.jointState.position[d]!;
    return { observationStampS: observation.stampS, actions, horizon: this.horizon, dims, stepsToExecute: this.stepsToExecute, stepDtS: this.stepDtS, space: this.space };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Lateness of the control loop's ticks at 100 Hz on wall time, with the whole pipeline in each tick
 * (observation, queue, safety layer, command publishing) while a worker thread runs a 25 ms inference for
 * every chunk. Baseline: the command period; ratio = p99 lateness / period.
 */
export const loopLatencyBenchmark: Benchmark = {
  name: 'control',
  async run({ quick }): Promise<BenchFigure[]> {
    const durationS = quick ? 3 : 60;
    const embodiment = loadEmbodiment('franka_panda');
    const clock = new WallClock();
    const transport = new LoopbackTransport(clock, 'bench');
    const home = [0, -0.785, 0, -2.356, 0, 1.571, 0.785, 0.04];
    const arm = new ExactArm(transport, embodiment, home);
    const policy = new BusyWorkerPolicy(embodiment.policyJointNames);
    let ticks = 0;
    const loop = new ControlLoop({
      embodiment,
      transport,
      policy,
      safety: safetyGateFor(embodiment),
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
    try {
      await loop.run((tS) => tS - startS >= durationS);
    } finally {
      loop.close();
      await policy.close();
    }
    const stats = loop.stats();
    const latenessMs = stats.latenessS.slice(1).map((s) => s * 1000);
    const computeMs = stats.tickComputeS.map((s) => s * 1000);
    const p99 = percentile(latenessMs, 99);
    return [
      {
        name: 'control.loop_lateness_100hz',
        median: median(latenessMs),
        p99,
        unit: 'ms',
        baseline: `command period (${PERIOD_MS} ms)`,
        ratio: p99 / PERIOD_MS,
        method: `ControlLoop on wall time at 100 Hz for ${durationS} s (observation, queue, safety, publish per tick) while a worker thread runs a ${INFERENCE_MS} ms inference per chunk; lateness = tick start - absolute deadline`,
        extra: {
          max_ms: Math.max(...latenessMs),
          overruns: stats.overruns,
          ticks: stats.ticks,
          inferences: stats.inferences.completed,
          tick_compute_p50_ms: median(computeMs),
          tick_compute_p99_ms: percentile(computeMs, 99),
          load_avg_1m: loadavg()[0]!,
        },
      },
    ];
  },
};
