import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BagReader } from '../../src/bag/BagReader';
import { removeTempDirs, tempDir, type TestMessage, writeMetadataYaml, writeSqliteBag, zstdFrame } from '../support/bag/writeTestBags';
import { loadEmbodiment } from '../../src/config/loadEmbodiment';
import { recordSimBag } from '../../src/sim/recordSimBag';
import { copyBag } from '../support/eval/simBags';
import { exportLerobot, type ExportResult } from '../../src/export/exportLerobot';
import { runCli } from '../support/runCli';
import { type Dataset, parquetKeyValues, probeVideo, readDataset } from '../support/export/readDataset';

const panda = loadEmbodiment('franka_panda');
const FPS = 20;
const ARM = '/panda_arm_controller/joint_trajectory';
const GRIPPER = '/gripper_controller/commands';
const CAMERA = '/camera/color/image_raw';
const VIDEO = 'videos/observation.images.primary/chunk-000/file-000.mp4';

let root: string;
let bag: string;
let instructions: { tS: number; text: string }[];
let exported: ExportResult;
let ds: Dataset;

const exportTo = (out: string, more: Partial<Parameters<typeof exportLerobot>[0]> = {}, from = bag): Promise<ExportResult> =>
  exportLerobot({
    bagPath: from,
    embodiment: panda,
    outDir: join(root, out),
    fps: FPS,
    codec: 'h264',
    instructionTopic: '/vla_bridge/instruction',
    ...more,
  });

beforeAll(async () => {
  root = tempDir('vla-bridge-export-');
  bag = (await recordSimBag(panda, root, { episodes: 2, seed: 5, timeLimitS: 3, imageSizePx: 64 })).dir;
  const reader = await BagReader.open(bag);
  instructions = [];
  for await (const m of reader.messages<{ data: string }>({ topics: ['/vla_bridge/instruction'] }))
    instructions.push({ tS: Number(m.logTimeNs) / 1e9, text: m.message.data });
  await reader.close();
  exported = await exportTo('main', { codec: 'av1' });
  ds = await readDataset(exported.dir);
}, 120_000);
afterAll(removeTempDirs);

/** Every recorded message of a topic with its log time, in order. */
async function recorded<T>(topic: string, from = bag): Promise<{ tS: number; message: T }[]> {
  const reader = await BagReader.open(from);
  const out: { tS: number; message: T }[] = [];
  for await (const m of reader.messages<T>({ topics: [topic] })) out.push({ tS: Number(m.logTimeNs) / 1e9, message: m.message });
  await reader.close();
  return out;
}

/** The last of `list` (sorted by tS) at or before `tS`, strictly before when `strict`. */
function latest<T extends { tS: number }>(list: readonly T[], tS: number, strict: boolean): T | undefined {
  let found: T | undefined;
  for (const x of list) if (strict ? x.tS < tS - 1e-9 : x.tS <= tS + 1e-9) found = x;
  return found;
}

const f32 = (v: number): number => Math.fround(v);
const vec = (v: unknown): number[] => (v as number[]).map(Number);

describe('export-lerobot writes a LeRobot v3.0 dataset', () => {
  it('meta/info.json has the layout, totals and features LeRobot reads', () => {
    const { info } = ds;
    expect(info).toMatchObject({
      codebase_version: 'v3.0',
      robot_type: 'franka_panda',
      fps: FPS,
      total_episodes: 2,
      total_tasks: 2,
      chunks_size: 1000,
      data_files_size_in_mb: 100,
      video_files_size_in_mb: 500,
      splits: { train: '0:2' },
      data_path: 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet',
      video_path: 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4',
    });
    const names = [...panda.commandJointNames];
    expect(names.at(-1)).toBe('panda_finger_joint1');
    expect(info.features['observation.state']).toEqual({ dtype: 'float32', shape: [8], names });
    expect(info.features.action).toEqual({ dtype: 'float32', shape: [8], names });
    expect(info.features['observation.images.primary']).toMatchObject({
      dtype: 'video',
      shape: [64, 64, 3],
      names: ['height', 'width', 'channels'],
      info: { 'video.codec': 'av1', 'video.pix_fmt': 'yuv420p', 'video.fps': FPS },
    });
    for (const k of ['frame_index', 'episode_index', 'index', 'task_index'])
      expect(info.features[k]).toEqual({ dtype: 'int64', shape: [1], names: null });
    expect(info.features.timestamp).toEqual({ dtype: 'float32', shape: [1], names: null });
    expect(info.total_frames).toBe(exported.frames);
    expect(exported.frames).toBeGreaterThan(80);
  });

  it('one data row per frame, continuous indices, and exactly one AV1 yuv420p video frame per row (ffprobe)', () => {
    const { rows } = ds;
    expect(rows).toHaveLength(ds.info.total_frames);
    rows.forEach((r, i) => expect(Number(r.index)).toBe(i));
    const video = probeVideo(join(exported.dir, VIDEO));
    expect(video).toEqual({ codec: 'av1', pixFmt: 'yuv420p', width: 64, height: 64, frames: rows.length, frameRate: `${FPS}/1` });
  });

  it('episodes start at the instructions: boundaries, tasks, and video timestamps in meta/episodes', () => {
    const { rows, episodes, tasks } = ds;
    expect(tasks.map((t) => t.task)).toEqual(instructions.map((i) => i.text));
    expect(tasks.map((t) => Number(t.task_index))).toEqual([0, 1]);
    expect(JSON.parse(parquetKeyValues(join(exported.dir, 'meta/tasks.parquet')).pandas!).index_columns).toEqual(['task']);
    let from = 0;
    episodes.forEach((e, i) => {
      const length = Number(e.length);
      expect(e).toMatchObject({ tasks: [instructions[i]!.text] });
      expect([Number(e.episode_index), Number(e.dataset_from_index), Number(e.dataset_to_index)]).toEqual([i, from, from + length]);
      expect([
        Number(e['data/chunk_index']),
        Number(e['data/file_index']),
        Number(e['videos/observation.images.primary/file_index']),
      ]).toEqual([0, 0, 0]);
      expect(e['videos/observation.images.primary/from_timestamp']).toBeCloseTo(from / FPS, 9);
      expect(e['videos/observation.images.primary/to_timestamp']).toBeCloseTo((from + length) / FPS, 9);
      const own = rows.slice(from, from + length);
      own.forEach((r, k) => {
        expect([Number(r.episode_index), Number(r.frame_index), Number(r.task_index)]).toEqual([i, k, i]);
        expect(r.timestamp).toBeCloseTo(k / FPS, 6);
      });
      // The episode begins with the first frame after its instruction, and ends before the next one.
      const start = exported.episodeList[i]!.startS;
      expect(start).toBeGreaterThan(instructions[i]!.tS);
      expect(start - instructions[i]!.tS).toBeLessThanOrEqual(1 / FPS + 1e-6);
      if (i + 1 < instructions.length) expect(start + (length - 1) / FPS).toBeLessThan(instructions[i + 1]!.tS);
      from += length;
    });
    expect(from).toBe(rows.length);
  });

  it('action is the command sent at each frame time, observation.state the latest joint state (read straight from the bag)', async () => {
    const arm = await recorded<{
      header: { stamp: { sec: number; nanosec: number } };
      joint_names: string[];
      points: { positions: Float64Array; time_from_start: { sec: number; nanosec: number } }[];
    }>(ARM);
    const grip = await recorded<{ data: Float64Array }>(GRIPPER);
    const joints = await recorded<{ name: string[]; position: Float64Array }>('/joint_states');
    // Trajectory points apply at stamp (or log time when zero) + time_from_start.
    const armPoints = arm
      .flatMap(({ tS, message: m }) => {
        const stamp = m.header.stamp.sec + m.header.stamp.nanosec / 1e9;
        return m.points.map((p) => ({
          loggedS: tS,
          tS: (stamp === 0 ? tS : stamp) + p.time_from_start.sec + p.time_from_start.nanosec / 1e9,
          names: m.joint_names,
          positions: p.positions,
        }));
      })
      .sort((a, b) => a.tS - b.tS);
    const names = [...panda.commandJointNames];
    let checked = 0;
    for (const e of exported.episodeList) {
      for (let k = 0; k < e.frames; k++) {
        const row = ds.rows[Number(ds.episodes[e.index]!.dataset_from_index) + k]!;
        const tS = e.startS + k / FPS;
        // Messages logged at the frame's very instant come after it (as in replay); a trajectory point holds from its time on.
        const point = latest(
          armPoints.filter((p) => p.loggedS < tS - 1e-9),
          tS,
          false,
        )!;
        const gripper = latest(grip, tS, true)!;
        const want = names.slice(0, 7).map((n) => point.positions[point.names.indexOf(n)]!);
        want.push(gripper.message.data[0]!);
        expect(vec(row.action)).toEqual(want.map(f32));
        const js = latest(joints, tS, true)!.message;
        expect(vec(row['observation.state'])).toEqual(names.map((n) => f32(js.position[js.name.indexOf(n)]!)));
        checked++;
      }
    }
    expect(checked).toBe(ds.rows.length);
  });

  it('meta/stats.json: min, max, mean, std, count, q01, q99 equal a direct computation over the rows', () => {
    for (const key of ['observation.state', 'action']) {
      const columns = ds.info.features[key].names.map((_: string, d: number) => ds.rows.map((r) => vec(r[key])[d]!).sort((a, b) => a - b));
      const s = ds.stats[key];
      columns.forEach((c: number[], d: number) => {
        const n = c.length;
        const mean = c.reduce((a, b) => a + b, 0) / n;
        const std = Math.sqrt(c.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
        const q = (p: number): number => {
          const pos = p * (n - 1);
          const lo = Math.floor(pos);
          return c[lo]! + (c[Math.min(lo + 1, n - 1)]! - c[lo]!) * (pos - lo);
        };
        expect([s.min[d], s.max[d], s.count[0]]).toEqual([c[0], c[n - 1], n]);
        expect(s.mean[d]).toBeCloseTo(mean, 9);
        expect(s.std[d]).toBeCloseTo(std, 9);
        expect(s.q01[d]).toBeCloseTo(q(0.01), 9);
        expect(s.q99[d]).toBeCloseTo(q(0.99), 9);
      });
    }
    expect(ds.stats.index).toMatchObject({ min: [0], max: [ds.rows.length - 1], count: [ds.rows.length] });
    const image = ds.stats['observation.images.primary'];
    expect(image.mean).toHaveLength(3);
    for (const c of [0, 1, 2]) {
      expect(image.min[c][0][0]).toBeGreaterThanOrEqual(0);
      expect(image.max[c][0][0]).toBeLessThanOrEqual(1);
      expect(image.q01[c][0][0]).toBeLessThanOrEqual(image.mean[c][0][0]);
      expect(image.q99[c][0][0]).toBeGreaterThanOrEqual(image.mean[c][0][0]);
    }
  });

  it('--action delta: the command minus the state of the same frame', async () => {
    const delta = await readDataset((await exportTo('delta', { action: 'delta' })).dir);
    expect(delta.rows).toHaveLength(ds.rows.length);
    ds.rows.forEach((r, i) => {
      const want = vec(r.action).map((a, d) => a - vec(r['observation.state'])[d]!);
      vec(delta.rows[i]!.action).forEach((v, d) => expect(v).toBeCloseTo(want[d]!, 5));
    });
  });
});

describe('the recording workflow of the README', () => {
  it('a bag of exactly the topics `check` lists exports', async () => {
    const check = await runCli(['check', 'franka_panda', '--json']);
    const topics = JSON.parse(check.stdout).record_topics as string[];
    expect(topics).toEqual(['/joint_states', CAMERA, ARM, GRIPPER, '/vla_bridge/instruction']);
    const only = await copyBag(bag, join(root, 'only_listed'), (m) => topics.includes(m.topic));
    const r = await exportTo('only_listed_ds', {}, only);
    expect([r.episodes, r.frames]).toEqual([exported.episodes, exported.frames]);
  });
});

describe('storages, compression, gaps and episode modes', () => {
  /** The bag's messages rewritten as a rosbag2 sqlite3 bag, with zstd message compression when asked. */
  async function asSqlite(name: string, compress: boolean): Promise<string> {
    const reader = await BagReader.open(bag);
    const topics = reader.topics.map((t) => ({ name: t.name, type: t.type }));
    const messages: TestMessage[] = [];
    for await (const m of reader.rawMessages())
      messages.push({ topic: m.topic, logTimeNs: m.logTimeNs, data: compress ? await zstdFrame(m.data) : m.data });
    await reader.close();
    const dir = join(root, name);
    writeMetadataYaml(dir, {
      version: 8,
      storage: 'sqlite3',
      compressionMode: compress ? 'MESSAGE' : undefined,
      files: [{ path: 'b.db3', messageCount: messages.length }],
      topics: topics.map((t) => ({ ...t, count: messages.filter((m) => m.topic === t.name).length })),
    });
    writeSqliteBag(join(dir, 'b.db3'), { layout: 'iron', topics, messages });
    return dir;
  }

  it.each([
    ['a sqlite3 bag', false],
    ['a sqlite3 bag with rosbag2 zstd message compression', true],
  ])('%s gives the same rows as the MCAP recording', async (_name, compress) => {
    const from = await asSqlite(compress ? 'zstd_bag' : 'sqlite_bag', compress);
    const other = await readDataset((await exportTo(compress ? 'zstd_ds' : 'sqlite_ds', { codec: 'av1' }, from)).dir);
    expect(other.rows).toEqual(ds.rows);
    expect(other.episodes).toEqual(ds.episodes);
  });

  it('a camera that goes silent mid-episode: frames dropped and counted, the episode split there, never spanned', async () => {
    const cut = { fromS: instructions[0]!.tS + 1.0, toS: instructions[0]!.tS + 1.8 };
    const gappy = await copyBag(
      bag,
      join(root, 'gappy_bag'),
      (m) => !(m.topic === CAMERA && Number(m.logTimeNs) / 1e9 > cut.fromS && Number(m.logTimeNs) / 1e9 < cut.toS),
    );
    const r = await exportTo('gappy_ds', {}, gappy);
    expect(r.episodes).toBe(3);
    expect(r.dropped[`stale ${CAMERA}`]).toBeGreaterThan(0);
    expect(r.droppedTotal).toBe(Object.values(r.dropped).reduce((a, b) => a + b, 0));
    expect(r.splits).toHaveLength(1);
    expect(r.splits[0]!.reason).toBe(`stale ${CAMERA}`);
    expect(r.splits[0]!.atS).toBeGreaterThan(cut.fromS);
    expect(r.episodeList.map((e) => e.task)).toEqual([instructions[0]!.text, instructions[0]!.text, instructions[1]!.text]);
    const [before, after] = r.episodeList;
    // The camera times out after 0.5 s: frames up to then are good, the next episode starts with fresh frames.
    expect(before!.startS + (before!.frames - 1) / FPS).toBeLessThan(cut.fromS + 0.5 + 1e-9);
    expect(after!.startS).toBeGreaterThan(cut.toS);
    const written = await readDataset(r.dir);
    expect(written.rows).toHaveLength(r.frames);
    expect(probeVideo(join(r.dir, VIDEO)).frames).toBe(r.frames);
  });

  it('--episodes gap cuts at pauses of the recording; --episodes marker at each marker message', async () => {
    const t0 = instructions[0]!.tS;
    const paused = await copyBag(
      bag,
      join(root, 'paused_bag'),
      (m) => !(Number(m.logTimeNs) / 1e9 > t0 + 1 && Number(m.logTimeNs) / 1e9 < t0 + 2.5),
    );
    const gap = await exportTo('gap_ds', { episodes: 'gap', gapS: 1, task: 'reach' }, paused);
    // The pause cuts the first episode in two; the second instruction still starts an episode of its own.
    expect(gap.episodeList.map((e) => e.task)).toEqual([instructions[0]!.text, instructions[0]!.text, instructions[1]!.text]);
    expect(gap.episodeList[1]!.startS).toBeGreaterThan(t0 + 2.5 - 1e-9);
    const marker = await exportTo('marker_ds', { episodes: 'marker', markerTopic: '/vla_bridge/instruction' });
    expect(marker.episodeList.map((e) => [e.task, e.frames])).toEqual(exported.episodeList.map((e) => [e.task, e.frames]));
  });
});

describe('export-lerobot refuses bad input with exit code 2 and leaves nothing behind', () => {
  const cli = (out: string, ...more: string[]) =>
    runCli(['export-lerobot', '--bag', bag, '--embodiment', 'franka_panda', '--out', out, '--video-codec', 'h264', ...more]);

  it('a bag without the command or gripper topic names what is missing', async () => {
    for (const topic of [ARM, GRIPPER]) {
      const without = await copyBag(bag, join(root, `no_${topic.split('/')[1]}`), (m) => m.topic !== topic);
      const out = join(root, `no_${topic.split('/')[1]}_ds`);
      const r = await runCli(['export-lerobot', '--bag', without, '--embodiment', 'franka_panda', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(topic);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('a truncated bag', async () => {
    const truncated = await copyBag(bag, join(root, 'truncated_bag'), () => true);
    const file = join(truncated, readdirSync(truncated).find((f) => f.endsWith('.mcap'))!);
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    const out = join(root, 'truncated_ds');
    const r = await cli(out).then((x) => x);
    const again = await runCli(['export-lerobot', '--bag', truncated, '--embodiment', 'franka_panda', '--out', out]);
    expect(r.code).toBe(0); // the original bag still exports
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(truncated);
    expect(again.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(root, '.truncated_ds.partial-' + process.pid))).toBe(false);
  });

  it('an output that cannot be written', async () => {
    writeFileSync(join(root, 'a_file'), 'x');
    const r = await cli(join(root, 'a_file', 'ds'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out');
  });

  it('an existing dataset unless --overwrite, which replaces it', async () => {
    const out = join(root, 'existing');
    expect((await cli(out)).code).toBe(0);
    const refused = await cli(out);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--overwrite');
    const before = readFileSync(join(out, 'meta/info.json'), 'utf8');
    const replaced = await cli(out, '--overwrite', '--fps', '10', '--json');
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ fps: 10, episodes: 2 });
    expect(JSON.parse(readFileSync(join(out, 'meta/info.json'), 'utf8')).fps).toBe(10);
    expect(before).toContain(`"fps": 30`);
    expect(readdirSync(root).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('bad option values name the option', async () => {
    for (const [option, value] of [
      ['--episodes', 'sometimes'],
      ['--video-codec', 'vp9'],
      ['--action', 'relative'],
      ['--fps', '0'],
    ] as const) {
      const r = await cli(join(root, 'never'), option, value);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(option);
    }
    expect((await cli(join(root, 'never'), '--episodes', 'marker')).stderr).toContain('--marker-topic');
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});
