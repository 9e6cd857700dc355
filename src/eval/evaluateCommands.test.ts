import { join } from 'node:path';
import { BagReader } from '../bag/BagReader';
import { McapRecorder } from '../bag/McapRecorder';
import { removeTempDirs, tempDir } from '../bag/testing/writeTestBags';
import type { CommandSample, CommandStream } from './CommandStream';
import { evaluateCommands } from './evaluateCommands';
import { recordedCommandSamples } from './recordedCommands';

afterAll(removeTempDirs);

const JOINTS = ['j1', 'j2'];
const MS = 1_000_000n;

function trajectory(positions: number[]): Record<string, unknown> {
  return {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' },
    joint_names: JOINTS,
    points: [{ positions, velocities: [], accelerations: [], effort: [], time_from_start: { sec: 0, nanosec: 0 } }],
  };
}

/** Recorded commands at 100 Hz for 2 s with 0.5 s missing (a dropped recording), written and read as a real bag. */
async function recordedFromBag(): Promise<CommandStream> {
  const dir = join(tempDir(), 'teleop');
  const recorder = await McapRecorder.open(dir);
  for (let i = 0; i < 200; i++) {
    if (i >= 100 && i < 150) continue;
    void recorder.write('/arm/joint_trajectory', 'trajectory_msgs/msg/JointTrajectory', BigInt(i) * 10n * MS, trajectory([i * 0.01, -i * 0.01]));
  }
  await recorder.close();
  const reader = await BagReader.open(dir);
  const samples: CommandSample[] = [];
  for await (const m of reader.messages({ topics: ['/arm/joint_trajectory'] })) samples.push(...recordedCommandSamples(m.type, m.message, m.logTimeNs, JOINTS));
  await reader.close();
  return { names: JOINTS, samples };
}

describe('evaluateCommands', () => {
  it('compares a replay with commands read from a bag, reports the gap, and never fills it', async () => {
    const recorded = await recordedFromBag();
    // Predictions every 5 ms, off by +0.1 rad on j1 and exact on j2.
    const predicted: CommandStream = {
      names: JOINTS,
      samples: Array.from({ length: 400 }, (_, k) => ({ tNs: BigInt(k) * 5n * MS, values: Float64Array.from([k * 0.005 + 0.1, -k * 0.005]) })),
    };
    const result = evaluateCommands({ bag: 'teleop', policy: 'p', embodiment: 'e', predicted, recorded, inferenceS: [0.01, 0.02, 0.03] });
    const m = result.metrics as Record<string, any>;
    expect(result.maxGapNs).toBe(30n * MS);
    expect(m.gaps).toEqual([{ topic: 'recorded commands', start_s: 0.99, end_s: 1.5, duration_s: 0.51 }]);
    // Predictions strictly inside (0.99 s, 1.5 s): 101 of them are not compared.
    expect(m.commands).toMatchObject({ predicted: 400, recorded: 150, skipped_in_gaps: 101, skipped_outside_recording: 1 });
    expect(m.commands.compared).toBe(400 - 101 - 1);
    expect(m.per_dimension[0].mse).toBeCloseTo(0.01, 9);
    expect(m.per_dimension[0].l1).toBeCloseTo(0.1, 9);
    expect(m.per_dimension[1].mse).toBeCloseTo(0, 12);
    expect(m.inference_latency_ms).toMatchObject({ count: 3, p50: 20, max: 30 });
  });

  it('reports gaps in observation topics and counts safety interventions by limit and target', () => {
    const stream: CommandStream = { names: ['a'], samples: [0n, 10n, 20n].map((t) => ({ tNs: t, values: Float64Array.of(0) })) };
    const result = evaluateCommands({
      bag: 'b', policy: 'p', embodiment: 'e', predicted: stream, recorded: stream,
      observationTimesNs: { '/camera': [0n, 33n, 66n, 500n, 533n].map((t) => t * MS) },
      safetyEvents: [
        { tS: 0, limit: 'velocity', target: 'a', severity: 'warn' },
        { tS: 1, limit: 'velocity', target: 'a', severity: 'warn' },
        { tS: 2, limit: 'watchdog_camera', target: '/camera', severity: 'error' },
      ],
    });
    const m = result.metrics as Record<string, any>;
    expect(m.gaps.map((g: { topic: string }) => g.topic)).toEqual(['/camera']);
    expect(m.safety_interventions).toEqual({ total: 3, by_limit: { velocity: 2, watchdog_camera: 1 }, by_target: { '/camera': 1, a: 2 } });
    expect(m.mean_mse).toBe(0);
    expect(m.token_accuracy).toBeNull();
  });

  it('gives identical metrics.json for identical inputs', async () => {
    const recorded = await recordedFromBag();
    const run = (): string => JSON.stringify(evaluateCommands({ bag: 'b', policy: 'p', embodiment: 'e', predicted: recorded, recorded }).metrics);
    expect(run()).toBe(run());
  });
});
