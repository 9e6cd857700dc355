import { join } from 'node:path';
import type { Benchmark, BenchFigure } from './BenchFigure';
import { median, percentile } from '../stats/orderStatistics';
import { packageRoot } from '../config/packageRoot';
import { loadPolicy } from '../policy/loadPolicy';
import { PolicyRuntime } from '../policy/runtime/PolicyRuntime';
import { goldenObservation, readGolden } from '../demos/checkPolicyGolden';
import { reachDemoPolicyDir } from '../demos/reachDemoPolicy';

const micros = (startMs: number) => (performance.now() - startMs) * 1000;

/**
 * The shipped demo policy's inference cost on this machine: one whole step (96x96 frame and joint state in,
 * prefill + 27 KV-cache decode runs for 28 action tokens, decoded and unnormalized chunk out), in process and
 * through the worker thread the control loop uses.
 */
export const demoBenchmark: Benchmark = {
  name: 'demo',
  async run({ quick }): Promise<BenchFigure[]> {
    const samples = quick ? 10 : 100;
    const warmup = quick ? 2 : 10;
    const goldenFile = join(packageRoot(), 'test', 'fixtures', 'demo', 'reach_demo_golden.json');
    const golden = readGolden(goldenFile).cases[0]!;
    const runtime = await PolicyRuntime.load(reachDemoPolicyDir(), { executor: 'in_process' });
    const worker = await loadPolicy(reachDemoPolicyDir());
    try {
      const observation = goldenObservation(golden, goldenFile, runtime.cameras[0]!);
      const inProcess = new Float64Array(samples);
      const viaWorker = new Float64Array(samples);
      // Interleaved, so that both see the same machine load.
      for (let i = -warmup; i < samples; i++) {
        let t = performance.now();
        await runtime.step(observation);
        const a = micros(t);
        t = performance.now();
        await worker.infer(observation);
        const b = micros(t);
        if (i >= 0) {
          inProcess[i] = a;
          viaWorker[i] = b;
        }
      }
      const stepMedian = median(inProcess);
      return [
        {
          name: 'demo.reach_demo_step',
          median: stepMedian,
          p99: percentile(inProcess, 99),
          unit: 'us',
          baseline: 'a 10 Hz policy period (100 ms)',
          ratio: stepMedian / 100_000,
          method:
            `policies/reach_demo, a recorded 96x96 observation: preprocess, tokenize, prefill ` +
            `+ 27 KV-cache decode runs (28 bin tokens), decode, unnormalize; in process, 1 thread, ` +
            `median of ${samples}`,
        },
        {
          name: 'demo.reach_demo_step_worker',
          median: median(viaWorker),
          p99: percentile(viaWorker, 99),
          unit: 'us',
          baseline: 'the same step in process',
          ratio: median(viaWorker) / stepMedian,
          method:
            `the same step as the control loop runs it (loadPolicy: onnxruntime in a worker ` +
            `thread), interleaved with the in-process one, median of ${samples}`,
        },
      ];
    } finally {
      await runtime.close();
      await worker.close();
    }
  },
};
