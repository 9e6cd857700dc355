import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BagReader } from '../bag/BagReader';
import {
  removeTempDirs,
  tempDir,
  type TestMessage,
  writeMetadataYaml,
  writeSqliteBag,
  zstdFrame,
} from '../../test/support/bag/writeTestBags';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { runEval } from './runEval';
import { recordSimBag, type SimBag } from '../sim/recordSimBag';
import { copyBag, expertFor } from '../../test/support/eval/simBags';
import { CHROMIUM, screenshot } from '../../test/support/eval/screenshot';
import type { EvalMetrics } from './EvalMetrics';

const panda = loadEmbodiment('franka_panda');
const ARM = '/panda_arm_controller/joint_trajectory';
const GRIPPER = '/gripper_controller/commands';

let root: string;
let bag: SimBag;

beforeAll(async () => {
  root = tempDir('vla-bridge-eval-');
  bag = await recordSimBag(panda, root, { episodes: 2, seed: 4, imageSizePx: 48 });
});
afterAll(removeTempDirs);

async function evalExpert(bagDir: string, out: string): Promise<EvalMetrics> {
  const result = await runEval({
    bag: bagDir,
    bagPath: bagDir,
    embodiment: panda,
    openPolicy: async () => expertFor(panda, bag),
    outDir: join(root, out),
  });
  return result.metrics as unknown as EvalMetrics;
}

describe('runEval: replay through the live pipeline', () => {
  it("reproduces the recording expert's commands exactly, episode by episode, and reports the pause between episodes as a gap", async () => {
    const m = await evalExpert(bag.dir, 'expert');
    expect(m.dimensions).toEqual([...panda.commandJointNames]);
    expect(m.per_dimension.map((d) => d.topic)).toEqual([...Array(7).fill(ARM), GRIPPER]);
    // The same observations, the same pipeline, the same bag-time latency: the same commands, bit for bit.
    for (const d of m.per_dimension) expect([d.name, d.mse, d.max_abs]).toEqual([d.name, 0, 0]);
    expect(m.replay.episodes).toBe(2);
    expect(m.replay.instructions).toEqual([...new Set(bag.episodes.map((e) => e.task.instruction))]);
    // The expert ran the loop at 100 Hz in both episodes; its commands stop during the quiet second between them.
    const arm = m.commands[0]!;
    const second = bag.episodes[1]!.startS;
    expect(m.gaps.filter((g) => g.topic === ARM)).toHaveLength(1);
    const gap = m.gaps.find((g) => g.topic === ARM)!;
    expect(gap.end_s).toBeCloseTo(second + 0.01, 6);
    expect(gap.duration_s).toBeGreaterThan(0.99);
    // Each episode's replay ends at its last recorded command, as the expert's run ended at the goal: the replay
    // predicts nothing in the pause, and runs exactly the ticks the recorded run ran.
    expect(arm.skipped_in_gaps).toBe(0);
    expect(arm.predicted).toBe(arm.recorded);
    expect(m.replay.ticks).toBe(bag.summary.results.reduce((n, r) => n + r.stats.ticks, 0));
    expect(arm.compared + arm.skipped_in_gaps + arm.skipped_in_observation_gaps + arm.skipped_outside_recording).toBe(arm.predicted);
    expect(arm.compared).toBe(arm.recorded);
    expect(m.gaps.filter((g) => g.topic !== ARM && g.topic !== GRIPPER)).toEqual([]);
    // The expert's run had no interventions; the replay has none while the recorded commands ran either.
    expect(m.safety_interventions.total).toBe(0);
  });

  it("reads a sqlite3 bag (Humble's default: no definitions stored) to the same metrics as its MCAP original", async () => {
    const reader = await BagReader.open(bag.dir);
    const topics = reader.topics.map((t) => ({ name: t.name, type: t.type }));
    const messages: TestMessage[] = [];
    for await (const m of reader.rawMessages()) messages.push({ topic: m.topic, logTimeNs: m.logTimeNs, data: m.data });
    await reader.close();
    const db3 = join(root, 'humble.db3');
    writeSqliteBag(db3, { layout: 'humble', topics, messages });
    const fromDb3 = await runEval({
      bag: 'same',
      bagPath: db3,
      embodiment: panda,
      openPolicy: async () => expertFor(panda, bag),
      outDir: join(root, 'db3_eval'),
    });
    const fromMcap = await runEval({
      bag: 'same',
      bagPath: bag.dir,
      embodiment: panda,
      openPolicy: async () => expertFor(panda, bag),
      outDir: join(root, 'mcap_eval'),
    });
    expect(JSON.stringify(fromDb3.metrics)).toBe(JSON.stringify(fromMcap.metrics));
  });

  it('reads bags recorded with rosbag2 zstd compression (file mode, message mode) to the same metrics as their original', async () => {
    const reader = await BagReader.open(bag.dir);
    const topics = reader.topics.map((t) => ({ name: t.name, type: t.type }));
    const messages: TestMessage[] = [];
    for await (const m of reader.rawMessages()) messages.push({ topic: m.topic, logTimeNs: m.logTimeNs, data: await zstdFrame(m.data) });
    expect(reader.files).toHaveLength(1);
    const mcap = reader.files[0]!.path;
    await reader.close();
    const fileMode = join(root, 'file_mode.mcap.zstd');
    writeFileSync(fileMode, await zstdFrame(readFileSync(mcap)));
    const messageMode = join(root, 'message_mode');
    mkdirSync(messageMode);
    writeSqliteBag(join(messageMode, 'message_mode_0.db3'), { layout: 'humble', topics, messages });
    writeMetadataYaml(messageMode, {
      version: 5,
      storage: 'sqlite3',
      compressionMode: 'MESSAGE',
      files: [{ path: 'message_mode_0.db3', messageCount: messages.length }],
      topics: topics.map((t) => ({ ...t, count: messages.filter((m) => m.topic === t.name).length })),
    });
    const evaluate = (bagPath: string, out: string) =>
      runEval({ bag: 'same', bagPath, embodiment: panda, openPolicy: async () => expertFor(panda, bag), outDir: join(root, out) });
    const original = JSON.stringify((await evaluate(bag.dir, 'original_eval')).metrics);
    expect(JSON.stringify((await evaluate(fileMode, 'file_mode_eval')).metrics)).toBe(original);
    expect(JSON.stringify((await evaluate(messageMode, 'message_mode_eval')).metrics)).toBe(original);
  });

  it('replays another embodiment the same way: SO-101, a JPEG camera and Float64MultiArray commands carrying the gripper', async () => {
    const so101 = loadEmbodiment('so101');
    const so101Bag = await recordSimBag(so101, root, { name: 'so101', episodes: 1, seed: 1, timeLimitS: 1, imageSizePx: 32 });
    const result = await runEval({
      bag: 'so101',
      bagPath: so101Bag.dir,
      embodiment: so101,
      openPolicy: async () => expertFor(so101, so101Bag),
      outDir: join(root, 'so101_eval'),
    });
    const m = result.metrics as unknown as EvalMetrics;
    expect(result.plan.sensors.map((s) => s.type)).toEqual([
      'sensor_msgs/msg/JointState',
      'sensor_msgs/msg/Image',
      'sensor_msgs/msg/CompressedImage',
    ]);
    expect(m.commands.map((c) => c.topic)).toEqual(['/forward_position_controller/commands']);
    expect(m.dimensions).toEqual([...so101.commandJointNames]);
    for (const d of m.per_dimension) expect([d.name, d.count >= 50, d.mse, d.max_abs]).toEqual([d.name, true, 0, 0]);
  });

  it('reports a hole in the observations and in the recorded commands instead of inventing data, and draws it', async () => {
    const MS = 1_000_000n;
    const holeBag = await copyBag(bag.dir, join(root, 'holes'), (m) => {
      const t = m.logTimeNs;
      if ((m.topic === '/joint_states' || m.topic === '/camera/color/image_raw') && t > 600n * MS && t < 1000n * MS) return false;
      return !(m.topic === ARM && t > 1300n * MS && t < 1600n * MS);
    });
    const result = await runEval({
      bag: 'holes',
      bagPath: holeBag,
      embodiment: panda,
      openPolicy: async () => expertFor(panda, bag),
      outDir: join(root, 'holes_eval'),
    });
    const m = result.metrics as unknown as EvalMetrics;
    const gaps = m.gaps.map((g) => [g.topic, g.start_s, g.end_s]);
    expect(gaps).toContainEqual(['/joint_states', 0.6, 1.0]);
    expect(gaps).toContainEqual(['/camera/color/image_raw', 0.6, 1.0]);
    expect(gaps).toContainEqual([ARM, 1.31, 1.61]);
    const arm = m.commands[0]!;
    // 0.61..0.99 s: 39 ticks commanded while the joint states were missing; the recorded hole spans 29 more.
    expect(arm.skipped_in_observation_gaps).toBe(39);
    expect(arm.skipped_in_gaps).toBe(29);
    // Without joint states the watchdog stopped the arm: the replay shows what the pipeline did with the hole.
    expect(result.replay.safetyEvents.some((e) => e.limit === 'watchdog_joint_state')).toBe(true);
    const reportHtml = readFileSync(result.files.report, 'utf8');
    expect(reportHtml.match(/class="gap"/g)!.length).toBeGreaterThanOrEqual(8 * 3);
    if (CHROMIUM !== undefined) {
      const shot = screenshot(result.files.report, { width: 900, height: 2600 });
      expect(shot.count(0x1f, 0x77, 0xb4)).toBeGreaterThan(500); // predicted (blue)
      expect(shot.count(0xd6, 0x27, 0x28)).toBeGreaterThan(500); // recorded (red)
      expect(shot.count(0xf8, 0xdd, 0xdb, 12)).toBeGreaterThan(2000); // the holes, shaded
    }
  });

  it('writes predictions.mcap with the commands on the preview topics, the chunks, the events and the instructions', async () => {
    const out = join(root, 'expert_files');
    const result = await runEval({
      bag: 'b',
      bagPath: bag.dir,
      embodiment: panda,
      openPolicy: async () => expertFor(panda, bag),
      outDir: out,
    });
    const reader = await BagReader.open(out);
    const info = await reader.info();
    const counts = Object.fromEntries(info.topics.map((t) => [t.name, [t.type, t.count]]));
    const m = result.metrics as unknown as EvalMetrics;
    expect(counts).toMatchObject({
      '/vla_bridge/preview/panda_arm_controller/joint_trajectory': ['trajectory_msgs/msg/JointTrajectory', m.commands[0]!.predicted],
      '/vla_bridge/preview/gripper_controller/commands': ['std_msgs/msg/Float64MultiArray', m.commands[1]!.predicted],
      '/vla_bridge/action_chunk': ['vla_bridge/msg/ActionChunk', m.replay.chunks],
      '/vla_bridge/instruction': ['std_msgs/msg/String', 2],
    });
    const recorded: string[] = [];
    for await (const msg of reader.messages<{ data: string }>({ topics: ['/vla_bridge/instruction'] })) recorded.push(msg.message.data);
    await reader.close();
    expect(recorded).toEqual(bag.episodes.map((e) => e.task.instruction));
    expect(m.replay.ticks).toBe(m.commands[0]!.predicted);
    expect(m.replay.inference_failures).toBe(0);
  });
});
