import { Worker } from 'node:worker_threads';
import type { Observation } from '../observation/Observation';
import type { ActionChunk, ActionSpace, Policy } from '../policy/Policy';

/** The loop benchmarks' command period and the stand-in model's inference time, ms. */
export const PERIOD_MS = 10;
export const INFERENCE_MS = 25;

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
export class BusyWorkerPolicy implements Policy {
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
    return {
      observationStampS: observation.stampS,
      actions,
      horizon: this.horizon,
      dims,
      stepsToExecute: this.stepsToExecute,
      stepDtS: this.stepDtS,
      space: this.space,
    };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
