import { join } from 'node:path';
import { BagReader } from '../bag/BagReader';
import { McapRecorder } from '../bag/McapRecorder';
import { removeTempDirs, tempDir } from '../../test/support/bag/writeTestBags';
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
    void recorder.write(
      '/arm/joint_trajectory',
      'trajectory_msgs/msg/JointTrajectory',
      BigInt(i) * 10n * MS,
      trajectory([i * 0.01, -i * 0.01]),
    );
  }
  await recorder.close();
  const reader = await BagReader.open(dir);
  const samples: CommandSample[] = [];
  for await (const m of reader.messages({ topics: ['/arm/joint_trajectory'] }))
    samples.push(...recordedCommandSamples(m.type, m.message, m.logTimeNs, JOINTS));
  await reader.close();
  return { names: JOINTS, samples };
}

const TOPIC = '/arm/joint_trajectory';

describe('evaluateCommands', () => {
  it('compares a replay with commands read from a bag, reports the gap, and never fills it', async () => {
    const recorded = await recordedFromBag();
    // Predictions every 5 ms, off by +0.1 rad on j1 and exact on j2.
    const predicted: CommandStream = {
      names: JOINTS,
      samples: Array.from({ length: 400 }, (_, k) => ({
        tNs: BigInt(k) * 5n * MS,
        values: Float64Array.from([k * 0.005 + 0.1, -k * 0.005]),
      })),
    };
    const result = evaluateCommands({ bag: 'teleop', policy: 'p', embodiment: 'e', channels: [{ topic: TOPIC, predicted, recorded }] });
    const m = result.metrics as Record<string, any>;
    expect(result.channels[0]!.maxGapNs).toBe(30n * MS);
    expect(m.gaps).toEqual([{ topic: TOPIC, start_s: 0.99, end_s: 1.5, duration_s: 0.51 }]);
    // Predictions strictly inside (0.99 s, 1.5 s): 101 of them are not compared.
    expect(m.commands).toEqual([
      {
        topic: TOPIC,
        dimensions: JOINTS,
        predicted: 400,
        recorded: 150,
        compared: 400 - 101 - 1,
        skipped_in_gaps: 101,
        skipped_in_observation_gaps: 0,
        skipped_outside_recording: 1,
        max_gap_s: 0.03,
      },
    ]);
    expect(m.per_dimension[0]).toMatchObject({ name: 'j1', topic: TOPIC, count: 298 });
    expect(m.per_dimension[0].mse).toBeCloseTo(0.01, 9);
    expect(m.per_dimension[0].l1).toBeCloseTo(0.1, 9);
    expect(m.per_dimension[1].mse).toBeCloseTo(0, 12);
    expect(m.mean_l1).toBeCloseTo(0.05, 9);
  });

  it('leaves out predictions made while an observation topic was silent, and reports that gap', () => {
    const times = Array.from({ length: 100 }, (_, i) => BigInt(i) * 10n * MS);
    const recorded: CommandStream = { names: ['a'], samples: times.map((t) => ({ tNs: t, values: Float64Array.of(0) })) };
    // Wrong by 1 inside the camera's silence (0.2 s to 0.6 s), right elsewhere.
    const predicted: CommandStream = {
      names: ['a'],
      samples: times.map((t) => ({ tNs: t, values: Float64Array.of(t > 200n * MS && t < 600n * MS ? 1 : 0) })),
    };
    const camera = [0n, 100n, 200n, 600n, 700n, 800n, 900n].map((t) => t * MS);
    const m = evaluateCommands({
      bag: 'b',
      policy: 'p',
      embodiment: 'e',
      channels: [{ topic: '/cmd', predicted, recorded }],
      observationTimesNs: { '/camera': camera },
    }).metrics as Record<string, any>;
    expect(m.gaps).toEqual([{ topic: '/camera', start_s: 0.2, end_s: 0.6, duration_s: 0.4 }]);
    expect(m.commands[0]).toMatchObject({ predicted: 100, compared: 61, skipped_in_observation_gaps: 39 });
    expect(m.mean_mse).toBe(0);
  });

  it('keeps each command topic apart: the gripper on its own topic is aligned on its own samples', () => {
    const arm: CommandStream = { names: ['j1'], samples: [0n, 10n, 20n].map((t) => ({ tNs: t * MS, values: Float64Array.of(1) })) };
    const gripper: CommandStream = { names: ['finger'], samples: [5n, 15n].map((t) => ({ tNs: t * MS, values: Float64Array.of(0.04) })) };
    const predictedGripper: CommandStream = {
      names: ['finger'],
      samples: [5n, 15n].map((t) => ({ tNs: t * MS, values: Float64Array.of(0.03) })),
    };
    const m = evaluateCommands({
      bag: 'b',
      policy: 'p',
      embodiment: 'e',
      channels: [
        { topic: '/arm', predicted: arm, recorded: arm },
        { topic: '/gripper', predicted: predictedGripper, recorded: gripper },
      ],
    }).metrics as Record<string, any>;
    expect(m.dimensions).toEqual(['j1', 'finger']);
    expect(m.per_dimension.map((d: { topic: string; count: number }) => [d.topic, d.count])).toEqual([
      ['/arm', 3],
      ['/gripper', 2],
    ]);
    expect(m.per_dimension[1].mse).toBeCloseTo(1e-4, 12);
  });

  it('counts safety interventions (warn and error events) by limit and target while the recorded commands run', () => {
    const stream: CommandStream = {
      names: ['a'],
      samples: [0n, 1000n, 2000n, 3000n].map((t) => ({ tNs: t * MS, values: Float64Array.of(0) })),
    };
    const result = evaluateCommands({
      bag: 'b',
      policy: 'p',
      embodiment: 'e',
      channels: [{ topic: '/cmd', predicted: stream, recorded: stream }],
      safetyEvents: [
        { tS: 0, limit: 'velocity', target: 'a', severity: 'warn' },
        { tS: 1, limit: 'velocity', target: 'a', severity: 'warn' },
        { tS: 2, limit: 'watchdog_camera', target: '/camera', severity: 'error' },
        { tS: 3, limit: 'watchdog_camera', target: '/camera', severity: 'info' },
        { tS: 3.5, limit: 'velocity', target: 'a', severity: 'warn' },
      ],
    });
    const m = result.metrics as Record<string, any>;
    expect(m.safety_interventions).toEqual({
      total: 3,
      by_limit: { velocity: 2, watchdog_camera: 1 },
      by_target: { '/camera': 1, a: 2 },
      outside_recorded_commands: 1,
    });
    expect(m.mean_mse).toBe(0);
    expect(m.token_accuracy).toBeNull();
  });

  it('counts interventions on the ticks that sent recorded JointTrajectory commands, not one time_from_start later', () => {
    // Two episodes of ticks at 100 Hz (0-0.50 s, 1.50-2.00 s), each command applying 10 ms after it was sent.
    const sentNs = [...Array(51).keys(), ...Array.from({ length: 51 }, (_, i) => 150 + i)].map((k) => BigInt(k) * 10n * MS);
    const point = { positions: [0, 0], velocities: [], accelerations: [], effort: [], time_from_start: { sec: 0, nanosec: 10_000_000 } };
    const late = { ...trajectory([0, 0]), points: [point] };
    const samples = sentNs.flatMap((t) => recordedCommandSamples('trajectory_msgs/msg/JointTrajectory', late, t, JOINTS));
    const stream: CommandStream = { names: JOINTS, samples };
    expect(stream.samples[0]!.tNs).toBe(10n * MS);
    const warn = (tS: number, target: string) => ({ tS, limit: 'acceleration' as const, target, severity: 'warn' as const });
    const result = evaluateCommands({
      bag: 'b',
      policy: 'p',
      embodiment: 'e',
      channels: [{ topic: TOPIC, predicted: stream, recorded: stream }],
      // The first tick, the last tick of episode 0, the tick after it, the first and last ticks of episode 1, the tick after.
      safetyEvents: [
        warn(0, 'first0'),
        warn(0.5, 'last0'),
        warn(0.51, 'after0'),
        warn(1.5, 'first1'),
        warn(2, 'last1'),
        warn(2.01, 'after1'),
      ],
    });
    const m = result.metrics as Record<string, any>;
    const byTarget = { first0: 1, first1: 1, last0: 1, last1: 1 };
    expect(m.safety_interventions).toEqual({ total: 4, by_limit: { acceleration: 4 }, by_target: byTarget, outside_recorded_commands: 2 });
  });

  it('gives identical metrics.json for identical inputs', async () => {
    const recorded = await recordedFromBag();
    const run = (): string =>
      JSON.stringify(
        evaluateCommands({ bag: 'b', policy: 'p', embodiment: 'e', channels: [{ topic: TOPIC, predicted: recorded, recorded }] }).metrics,
      );
    expect(run()).toBe(run());
  });
});
