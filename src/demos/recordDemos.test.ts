import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbodiment } from '../config/loadEmbodiment';
import type { Policy } from '../policy/Policy';
import { sampleReachTask } from '../sim/ReachTask';
import { Rng } from '../sim/Rng';
import { sceneGeometryFor } from '../sim/SceneGeometry';
import type { DemoEpisode } from './DemoDatasetWriter';
import { decodeVideo, probeVideo, readDataset } from '../../test/support/export/readDataset';
import { DEMO_META_PATH } from './DemoDatasetWriter';
import { DEMO_EXPERT, recordDemos } from './recordDemos';

const panda = loadEmbodiment('franka_panda');

describe('recordDemos', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'demos-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records labelled observations of the scenes `vla-bridge sim` runs for the same seed, through the real loop', async () => {
    const out = join(dir, 'a');
    const seen: DemoEpisode[] = [];
    const summary = await recordDemos({
      embodiment: panda,
      episodes: 2,
      seed: 5,
      firstEpisode: 3,
      outDir: out,
      onEpisode: (e) => seen.push(e),
    });
    expect(summary.successes).toBe(2);
    expect(summary.safetyInterventions).toBe(0);
    // The run's loop statistics, summed over the episodes: every tick commanded the arm and its gripper.
    expect(summary.stats.ticks).toBeGreaterThan(100);
    expect(summary.stats.commandsSent).toBe(2 * summary.stats.ticks);
    expect(summary.stats.inferences.completed).toBeGreaterThan(0);
    const meta = JSON.parse(readFileSync(join(out, DEMO_META_PATH), 'utf8'));
    const episodes = meta.episodes as DemoEpisode[];
    expect(episodes).toEqual(seen);
    expect(meta.samples).toBe(summary.samples);
    expect(episodes.reduce((n, e) => n + e.sampleCount, 0)).toBe(summary.samples);
    // Episode 3 and 4 of seed 5: the same instructions and cubes as the simulator samples for them.
    const geometry = sceneGeometryFor(panda);
    episodes.forEach((e, k) => {
      const task = sampleReachTask(geometry, Rng.forEpisode(5, 3 + k), panda.limits, panda.armJointNames.length);
      expect([e.index, e.datasetEpisode]).toEqual([3 + k, k]);
      expect(e.instruction).toBe(task.instruction);
      expect(e.cubes.map((c) => c.centerM)).toEqual(task.cubes.map((c) => [...c.center]));
      expect(e.success).toBe(true);
      // About 10 labelled observations per second of the episode (one every 10 ticks at 100 Hz).
      expect(e.sampleCount).toBeGreaterThanOrEqual(Math.floor(e.durationS * 10) - 1);
      expect(e.sampleCount).toBeLessThanOrEqual(Math.ceil(e.durationS * 10) + 1);
    });
    expect(meta.action).toMatchObject({ kind: 'absolute', frame: 'joint', horizon: DEMO_EXPERT.horizon, step_dt_s: DEMO_EXPERT.stepDtS });

    // The same LeRobot v3.0 layout export-lerobot writes, read back with an independent reader.
    const ds = await readDataset(out);
    const n = summary.samples;
    expect(ds.info).toMatchObject({ codebase_version: 'v3.0', fps: 10, total_frames: n, total_episodes: 2 });
    expect(ds.info.features['observation.state'].shape).toEqual([8]);
    expect(ds.info.features.action.shape).toEqual([8]);
    expect(ds.info.features['action.chunk'].shape).toEqual([32]);
    expect(ds.info.features['action.object_chunks'].shape).toEqual([96]);
    expect(ds.info.features['observation.images.primary'].shape).toEqual([96, 96, 3]);
    expect(ds.tasks.map((t) => t.task)).toEqual(episodes.map((e) => e.instruction));
    expect(probeVideo(join(out, 'videos/observation.images.primary/chunk-000/file-000.mp4')).frames).toBe(n);
    const rows = ds.rows;
    const num = (v: unknown): number[] => (v as number[]).map(Number);
    expect(rows).toHaveLength(n);
    expect(rows.slice(0, episodes[0]!.sampleCount).every((r) => Number(r.episode_index) === 0)).toBe(true);
    expect(Number(rows[n - 1]!.episode_index)).toBe(1);
    // The label is the expert's chunk toward the named cube; the other object labels aim elsewhere.
    const chunk = 4 * 8;
    for (let i = 0; i < n; i++) {
      const e = episodes.find((x) => i >= x.firstSample && i < x.firstSample + x.sampleCount)!;
      const target = e.cubes.findIndex((c) => c.color === e.targetColor);
      const label = num(rows[i]!['action.chunk']);
      const objects = num(rows[i]!['action.object_chunks']);
      const state = num(rows[i]!['observation.state']);
      expect(num(rows[i]!.action)).toEqual(label.slice(0, 8));
      expect(objects.slice(target * chunk, (target + 1) * chunk)).toEqual(label);
      const other = objects.slice(((target + 1) % 3) * chunk, (((target + 1) % 3) + 1) * chunk);
      if (i === e.firstSample + 3) expect(other).not.toEqual(label);
      // Absolute joint targets near the observed joints (at most a few tenths of a radian over 0.8 s); gripper open.
      for (let s = 0; s < 4; s++) {
        for (let j = 0; j < 7; j++) expect(Math.abs(label[s * 8 + j]! - state[j]!)).toBeLessThan(0.8);
        expect(label[s * 8 + 7]).toBe(1);
      }
    }
    // The frames show the scene: not one flat colour.
    const first = decodeVideo(join(out, 'videos/observation.images.primary/chunk-000/file-000.mp4'), 96, 96)[0]!;
    expect(new Set(first).size).toBeGreaterThan(20);
  }, 240_000);

  it('is deterministic for a seed', async () => {
    const a = await recordDemos({ embodiment: panda, episodes: 1, seed: 9, outDir: join(dir, 'b'), codec: 'h264' });
    const b = await recordDemos({ embodiment: panda, episodes: 1, seed: 9, outDir: join(dir, 'c'), codec: 'h264' });
    expect(b).toEqual({ ...a, dir: join(dir, 'c') });
    const data = 'data/chunk-000/file-000.parquet';
    expect(readFileSync(join(dir, 'c', data))).toEqual(readFileSync(join(dir, 'b', data)));
  }, 240_000);

  it('DAgger: a learned policy drives while the expert labels every observation', async () => {
    // A policy that never moves: the expert's labels must still say where to go.
    const still: Policy = {
      name: 'still',
      space: { names: panda.policyJointNames, kind: 'delta', deltaConvention: 'relative_to_observation', frame: 'joint' },
      horizon: 1,
      stepDtS: 0.2,
      stepsToExecute: 1,
      cameras: ['primary'],
      infer: (o) =>
        Promise.resolve({
          observationStampS: o.stampS,
          actions: new Float64Array(7),
          horizon: 1,
          dims: 7,
          stepsToExecute: 1,
          stepDtS: 0.2,
          space: { names: panda.policyJointNames, kind: 'delta', deltaConvention: 'relative_to_observation', frame: 'joint' },
        }),
      close: () => Promise.resolve(),
    };
    const out = join(dir, 'dagger');
    const seen: DemoEpisode[] = [];
    await recordDemos({
      embodiment: panda,
      episodes: 1,
      seed: 4,
      outDir: out,
      codec: 'h264',
      actor: { policy: still, share: 1 },
      onEpisode: (e) => seen.push(e),
    });
    const e = seen[0]!;
    expect(e.actor).toBe('policy still');
    expect(e.success).toBe(false);
    expect(e.sampleCount).toBeGreaterThanOrEqual(55);
    const last = (await readDataset(out)).rows[e.sampleCount - 1]!;
    const state = (last['observation.state'] as number[]).map(Number);
    const actions = (last['action.chunk'] as number[]).map(Number);
    // The arm stayed at its start pose, and the expert still points away from it, toward the cube.
    for (let j = 0; j < 7; j++) expect(state[j]).toBeCloseTo(e.startPositions[j]!, 2);
    let moved = 0;
    for (let j = 0; j < 7; j++) moved = Math.max(moved, Math.abs(actions[3 * 8 + j]! - state[j]!));
    expect(moved).toBeGreaterThan(0.05);
    expect(JSON.parse(readFileSync(join(out, DEMO_META_PATH), 'utf8')).dagger).toEqual({ policy: 'still', share: 1 });
  }, 240_000);

  it('refuses a non-positive episode count', async () => {
    await expect(recordDemos({ embodiment: panda, episodes: 0, seed: 1, outDir: join(dir, 'd') })).rejects.toMatchObject({
      code: 'ARGUMENT_INVALID',
    });
  });
});
