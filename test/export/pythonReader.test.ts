import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbodiment } from '../../src/config/loadEmbodiment';
import { exportLerobot } from '../../src/export/exportLerobot';
import { recordSimBag } from '../../src/sim/recordSimBag';
import { removeTempDirs, tempDir } from '../support/bag/writeTestBags';
import { decodeVideo, readDataset } from '../support/export/readDataset';

const TOOLS = join(__dirname, '../../tools');

afterAll(removeTempDirs);

/**
 * The training tools (tools/vla_tools/lerobot.py, what train_demo_policy.py reads demonstrations with) read a
 * dataset export-lerobot made exactly as the independent reader and ffmpeg do: the training path eats the same
 * datasets users make.
 */
it('tools/vla_tools reads an exported dataset: columns, tasks, episodes and every video frame', async () => {
  const root = tempDir('vla-bridge-pyreader-');
  const panda = loadEmbodiment('franka_panda');
  const bag = await recordSimBag(panda, root, { episodes: 2, seed: 8, timeLimitS: 2, imageSizePx: 64 });
  const out = join(root, 'ds');
  await exportLerobot({
    bagPath: bag.dir,
    embodiment: panda,
    outDir: out,
    fps: 10,
    codec: 'h264',
    instructionTopic: '/vla_bridge/instruction',
  });
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(TOOLS)})`,
    'from vla_tools.lerobot import LeRobotDataset',
    `ds = LeRobotDataset(${JSON.stringify(out)})`,
    'images = ds.images("primary")',
    'print(json.dumps({"n": ds.n, "tasks": ds.tasks, "episodes": [e["episode_index"] for e in ds.episodes],',
    '  "state": ds.columns["observation.state"].tolist(), "action": ds.columns["action"].tolist(),',
    '  "episode_index": ds.columns["episode_index"].tolist(), "images_shape": list(images.shape), "pixel_sum": [int(f.sum()) for f in images]}))',
  ].join('\n');
  // Debian's python3 with python3-numpy (scripts/setup.sh), as the tools are run.
  const run = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const py = JSON.parse(run.stdout);
  const ds = await readDataset(out);
  expect(py.n).toBe(ds.rows.length);
  expect(py.tasks).toEqual(Object.fromEntries(ds.tasks.map((t) => [String(t.task_index), t.task])));
  expect(py.episodes).toEqual([0, 1]);
  expect(py.state).toEqual(ds.rows.map((r) => (r['observation.state'] as number[]).map(Number)));
  expect(py.action).toEqual(ds.rows.map((r) => (r.action as number[]).map(Number)));
  expect(py.episode_index).toEqual(ds.rows.map((r) => Number(r.episode_index)));
  expect(py.images_shape).toEqual([ds.rows.length, 64, 64, 3]);
  const frames = decodeVideo(join(out, 'videos/observation.images.primary/chunk-000/file-000.mp4'), 64, 64);
  expect(py.pixel_sum).toEqual(frames.map((f) => f.reduce((a, b) => a + b, 0)));
}, 180_000);
