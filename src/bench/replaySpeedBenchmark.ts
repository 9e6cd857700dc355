import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BagReader } from '../bag/BagReader';
import { benchTempDir } from './benchTempDir';
import type { Benchmark, BenchFigure } from './BenchFigure';
import { median, percentile } from '../stats/orderStatistics';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { packageRoot } from '../config/packageRoot';
import { loadPolicy } from '../policy/loadPolicy';
import { runEval } from '../eval/runEval';
import { recordSimBag } from '../sim/recordSimBag';

/** The OpenVLA-style test policy (64x64 camera, 7 bin tokens by prefill + KV-cache decode, in a worker). */
const POLICY = () => join(packageRoot(), 'test', 'fixtures', 'policies', 'tiny_openvla');

/** Wall seconds to read every message of the replayed topics with BagReader, decoded, and nothing else. */
async function bareReadS(bag: string, topics: readonly string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const reader = await BagReader.open(bag);
  for await (const _ of reader.messages({ topics })) void _;
  await reader.close();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * `eval.replay_speed`: bag time replayed per wall second (a multiple of real time) by `vla-bridge eval`'s
 * replay (the live pipeline on bag time, in lockstep with a small ONNX policy in its worker thread), against
 * reading the same messages with BagReader alone, in the same run.
 */
export const replaySpeedBenchmark: Benchmark = {
  name: 'eval',
  async run({ quick }): Promise<BenchFigure[]> {
    const dir = benchTempDir('vla-bridge-bench-eval-');
    try {
      const embodiment = loadEmbodiment('franka_panda');
      const bag = await recordSimBag(embodiment, dir, { episodes: quick ? 1 : 3, seed: 0 });
      const runs = quick ? 1 : 5;
      const speeds: number[] = [];
      const replayS: number[] = [];
      const readS: number[] = [];
      const inferenceS: number[] = [];
      let facts = { durationS: 0, ticks: 0, chunks: 0, messages: 0 };
      let topics: string[] = [];
      for (let r = -1; r < runs; r++) {
        const out = await runEval({
          bag: 'bench',
          bagPath: bag.dir,
          embodiment,
          openPolicy: () => loadPolicy(POLICY()),
          outDir: join(dir, `out${r}`),
        });
        topics = [
          ...out.plan.sensors.map((s) => s.topic),
          ...out.plan.channels.filter((c) => c.recordedType !== undefined).map((c) => c.channel.topic),
          ...(out.plan.instructionTopic === undefined ? [] : [out.plan.instructionTopic]),
        ];
        const read = await bareReadS(bag.dir, topics);
        if (r < 0) continue; // warm-up: JIT, onnxruntime sessions, page cache
        const wallS = out.timing.replay_wall_s as number;
        const durationS = out.timing.bag_duration_s as number;
        speeds.push(durationS / wallS);
        replayS.push(wallS);
        readS.push(read);
        inferenceS.push(out.replay.inferenceWallS.reduce((a, b) => a + b, 0));
        facts = {
          durationS,
          ticks: out.replay.stats.ticks,
          chunks: out.replay.stats.inferences.completed,
          messages: out.replay.messagesPlayed,
        };
      }
      return [
        {
          name: 'eval.replay_speed',
          median: median(speeds),
          p99: percentile(speeds, 1),
          unit: 'x real time',
          baseline: 'BagReader.messages() over the same bag and topics, decoded, no pipeline',
          ratio: median(replayS) / median(readS),
          method:
            `a ${facts.durationS.toFixed(2)} s simulator recording (franka_panda, camera ` +
            `96x96, joint states and commands at 100 Hz) replayed through observation, ` +
            `tiny_openvla (ONNX, worker thread), action queue, safety and command publishing in ` +
            `lockstep bag time, predictions.mcap written as it goes; bag seconds per wall second, ` +
            `median of ${runs} replays (policy loading excluded); p99 is the speed 99% of replays ` +
            `beat; ratio = replay wall time / bare read time`,
          extra: {
            bag_s: facts.durationS,
            replay_wall_ms: median(replayS) * 1e3,
            bare_read_ms: median(readS) * 1e3,
            // Of the replay's wall time, the policy's own (measured in its worker).
            inference_ms: median(inferenceS) * 1e3,
            ticks: facts.ticks,
            chunks: facts.chunks,
            messages: facts.messages,
          },
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
