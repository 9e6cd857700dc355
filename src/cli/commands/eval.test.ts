import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, tempDir, zstdFrame } from '../../../test/support/bag/writeTestBags';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import { recordSimBag } from '../../sim/recordSimBag';
import { copyBag, retimeBag } from '../../../test/support/eval/simBags';
import { runCli } from '../../../test/support/runCli';
import { shippedYaml } from '../../../test/hostile/hostileFixtures';

const POLICY = join(__dirname, '../../../test/fixtures/policies/tiny_openvla');
const panda = loadEmbodiment('franka_panda');

let root: string;
let bag: string;

beforeAll(async () => {
  root = tempDir('vla-bridge-eval-cli-');
  bag = (await recordSimBag(panda, root, { episodes: 2, seed: 2, imageSizePx: 48 })).dir;
});
afterAll(removeTempDirs);

const evalArgs = (out: string, ...more: string[]): string[] => [
  'eval',
  '--bag',
  bag,
  '--embodiment',
  'franka_panda',
  '--policy',
  POLICY,
  '--out',
  join(root, out),
  ...more,
];

describe('vla-bridge eval', () => {
  it('exits 1 with the reason when nothing could be compared (the joint-state topic as the command topic)', async () => {
    const yaml = shippedYaml('franka_panda', (y) =>
      y
        .replace('command_topic: /panda_arm_controller/joint_trajectory', 'command_topic: /joint_states')
        .replace('command_type: trajectory_msgs/msg/JointTrajectory', 'command_type: sensor_msgs/msg/JointState'),
    );
    const r = await runCli(['eval', '--bag', bag, '--embodiment', yaml, '--policy', POLICY, '--out', join(root, 'nothing'), '--json']);
    expect(r.stderr).toMatch(
      /--bag: nothing was compared \(\/joint_states: 0 predicted, \d+ recorded commands|the replay did not evaluate the policy: the policy produced no action chunk/,
    );
    expect(r.code).toBe(1);
  });

  it('--json prints the metrics; two runs write byte-identical outputs; bag-info reads predictions.mcap', async () => {
    const first = await runCli(evalArgs('a', '--json'));
    // Only progress lines on stderr (a slow machine prints one every 10 s); stdout is the JSON.
    expect(first.stderr.replace(/^eval: .* s of bag time replayed .*\n/gm, '')).toBe('');
    expect(first.code).toBe(0);
    const m = JSON.parse(first.stdout) as Record<string, any>;
    expect(m).toMatchObject({
      policy: 'tiny_openvla',
      embodiment: 'franka_panda',
      dimensions: [...panda.commandJointNames],
      token_accuracy: null,
      replay: { episodes: 2, modelled_latency_s: 0.1, handover: 'overlap_blend', inference_failures: 0 },
    });
    expect(m.per_dimension).toHaveLength(8);
    for (const d of m.per_dimension) {
      expect(d.count).toBeGreaterThan(100);
      expect(d.mse).toBeGreaterThanOrEqual(0);
      expect(d.l1).toBeGreaterThanOrEqual(0);
      expect(d.mse).toBeGreaterThanOrEqual(d.l1 * d.l1 - 1e-12); // E[e^2] >= E[|e|]^2
    }
    expect(m.mean_mse).toBeGreaterThan(0); // a random tiny model does not drive the arm as the expert did
    expect(m.replay.chunks).toBeGreaterThan(5);
    expect(m.timing.inference_wall_ms.count).toBe(m.replay.chunks);
    expect(m.timing.real_time_factor).toBeGreaterThan(0);
    expect(m.outputs.predictions).toBe(join(root, 'a', 'predictions.mcap'));

    const second = await runCli(evalArgs('b'));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^vla-bridge eval: tiny_openvla on .* \(franka_panda\), [\d.]+ s of bag time, 2 episode\(s\)\n/);
    expect(second.stdout).toContain('panda_finger_joint1');
    for (const file of ['metrics.json', 'report.html', 'predictions.mcap', 'metadata.yaml']) {
      expect(readFileSync(join(root, 'b', file)).equals(readFileSync(join(root, 'a', file)))).toBe(true);
    }
    const info = await runCli(['bag-info', join(root, 'a', 'predictions.mcap'), '--json']);
    expect(info.code).toBe(0);
    const topics = Object.fromEntries(
      (JSON.parse(info.stdout) as { topics: { name: string; type: string; count: number }[] }).topics.map((t) => [t.name, t]),
    );
    expect(topics['/vla_bridge/preview/panda_arm_controller/joint_trajectory']).toMatchObject({
      type: 'trajectory_msgs/msg/JointTrajectory',
      count: m.commands[0].predicted,
    });
    expect(topics['/vla_bridge/action_chunk']).toMatchObject({ type: 'vla_bridge/msg/ActionChunk', count: m.replay.chunks });
    expect(topics['/vla_bridge/safety_events']?.type).toBe('vla_bridge/msg/SafetyEvent');
  });

  it('exits 2 naming the file for a truncated or corrupt bag (also a truncated .zstd), and writes nothing', async () => {
    const file = join(bag, 'sim_bag_0.mcap');
    const bytes = readFileSync(file);
    const truncated = join(root, 'truncated.mcap');
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    const cut = await runCli(['eval', '--bag', truncated, '--embodiment', 'franka_panda', '--policy', POLICY, '--out', join(root, 'cut')]);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toContain(`${truncated}: the MCAP file is truncated`);
    const corrupt = join(root, 'corrupt.mcap');
    const damaged = Buffer.from(bytes);
    damaged[damaged.length >> 1]! ^= 0x55;
    writeFileSync(corrupt, damaged);
    const bad = await runCli(['eval', '--bag', corrupt, '--embodiment', 'franka_panda', '--policy', POLICY, '--out', join(root, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${corrupt}: the MCAP file is corrupt`);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const zstd = join(root, 'cut.mcap.zstd');
    writeFileSync(zstd, (await zstdFrame(bytes)).subarray(0, 5000));
    const cutZstd = await runCli([
      'eval',
      '--bag',
      zstd,
      '--embodiment',
      'franka_panda',
      '--policy',
      POLICY,
      '--out',
      join(root, 'cut_zstd'),
    ]);
    expect(cutZstd.code).toBe(2);
    expect(cutZstd.stderr).toContain(`${zstd}: the zstd-compressed bag file (rosbag2 file compression) does not decompress`);
    expect(cutZstd.stderr).not.toMatch(/\n\s+at /);
    for (const out of ['cut', 'bad', 'cut_zstd'])
      for (const file of ['metrics.json', 'predictions.mcap', 'metadata.yaml']) expect(existsSync(join(root, out, file))).toBe(false);
  });

  it('exits 2 naming the topics a bag lacks and listing those it has', async () => {
    const noCamera = await copyBag(bag, join(root, 'no_camera'), (m) => m.topic !== '/camera/color/image_raw');
    const r = await runCli(['eval', '--bag', noCamera, '--embodiment', 'franka_panda', '--policy', POLICY, '--out', join(root, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'the bag lacks what embodiment "franka_panda" needs: /camera/color/image_raw (sensor_msgs/msg/Image, camera "primary")',
    );
    expect(r.stderr).toContain('The bag has: /gripper_controller/commands (std_msgs/msg/Float64MultiArray');
    const ur5e = await runCli(['eval', '--bag', bag, '--embodiment', 'ur5e', '--policy', POLICY, '--out', join(root, 'x')]);
    expect(ur5e.code).toBe(2);
    expect(ur5e.stderr).toContain('/scaled_joint_trajectory_controller/joint_trajectory (the recorded commands to compare with)');
  });

  it('exits 2 for an instruction neither in the bag nor given, and runs once it is given', async () => {
    const silent = await copyBag(bag, join(root, 'no_instruction'), (m) => m.topic !== '/vla_bridge/instruction');
    const r = await runCli(['eval', '--bag', silent, '--embodiment', 'franka_panda', '--policy', POLICY, '--out', join(root, 'y')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--instruction: no instruction: the bag has no messages on /vla_bridge/instruction and --instruction was not given',
    );
    const given = await runCli([
      'eval',
      '--bag',
      silent,
      '--embodiment',
      'franka_panda',
      '--policy',
      POLICY,
      '--out',
      join(root, 'y'),
      '--instruction',
      'reach the red cube',
      '--json',
    ]);
    expect(given.code).toBe(0);
    expect(JSON.parse(given.stdout).replay).toMatchObject({ episodes: 1, instructions: ['reach the red cube'] });
  });

  it('exits 2 for options that cannot work, before loading anything', async () => {
    const cases: [string[], string][] = [
      [evalArgs('z', '--latency', '-1'), '--latency'],
      [evalArgs('z', '--handover', 'sideways'), '--handover'],
      [evalArgs('z', '--latency-compensation', 'late'), '--latency-compensation: unknown latency compensation "late"'],
      [evalArgs('z', '--time-base', 'stamp'), '--time-base: unknown time base "stamp"\n  -> use one of auto, header, log'],
      [
        ['eval', '--bag', bag, '--embodiment', 'franka_panda', '--policy', 'scripted', '--out', join(root, 'z')],
        "the scripted expert reads the simulator's state",
      ],
      [
        ['eval', '--bag', bag, '--embodiment', 'franka_panda', '--policy', join(root, 'none'), '--out', join(root, 'z')],
        'policy folder not found',
      ],
      [
        ['eval', '--bag', join(root, 'missing.mcap'), '--embodiment', 'franka_panda', '--policy', POLICY, '--out', join(root, 'z')],
        'not found',
      ],
      [['eval', '--bag', bag, '--embodiment', 'franka_panda', '--policy', POLICY], "required option '--out <DIR>' not specified"],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(message)]);
    }
  });

  it('exits 2 when the policy cannot drive the embodiment (its cameras)', async () => {
    const r = await runCli([
      'eval',
      '--bag',
      bag,
      '--embodiment',
      'franka_panda',
      '--policy',
      join(POLICY, '..', 'tiny_act'),
      '--out',
      join(root, 'w'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('policy "tiny_act" needs camera(s) top, wrist');
  });

  it('a sim recording logged on a wall clock runs on log time (and says so); stamps late by 2 s exit 2 under auto, 1 under --time-base header', async () => {
    const wall = await retimeBag(bag, join(root, 'wall.mcap'), { storage: 'mcap', logShiftNs: 1_700_000_000n * 1_000_000_000n });
    const ok = await runCli(['eval', '--bag', wall, '--embodiment', 'franka_panda', '--policy', POLICY, '--out', join(root, 'wall')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /\n {2}time base {4}log \(auto: \/joint_states: header stamps are 1700000000 s behind the log times .*: every input is judged by its log time\)\n/,
    );
    expect(ok.stdout).not.toContain('NOT A SUCCESS');

    const late = await retimeBag(bag, join(root, 'late.db3'), {
      storage: 'sqlite3',
      stampShiftNs: 1_000_000_000n,
      logShiftNs: 3_000_000_000n,
    });
    const refused = await runCli([
      'eval',
      '--bag',
      late,
      '--embodiment',
      'franka_panda',
      '--policy',
      POLICY,
      '--out',
      join(root, 'late_auto'),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `${late}: /joint_states: the time base of the bag is ambiguous: /joint_states: header stamps lag the log times by 2 s`,
    );
    expect(refused.stderr).toContain('--time-base header');
    expect(refused.stderr).toContain('--time-base log');
    const held = await runCli([
      'eval',
      '--bag',
      late,
      '--embodiment',
      'franka_panda',
      '--policy',
      POLICY,
      '--out',
      join(root, 'late_header'),
      '--time-base',
      'header',
      '--json',
    ]);
    expect(held.code).toBe(1);
    const m = JSON.parse(held.stdout) as Record<string, any>;
    expect(m).toMatchObject({ success: false, time_base: { option: 'header', used: 'header' }, replay: { chunks: 0 } });
    expect(Object.keys(m).slice(0, 2)).toEqual(['success', 'failure_reasons']);
    expect(held.stderr).toContain('the replay did not evaluate the policy: the policy produced no action chunk');
    expect(held.stderr).not.toMatch(/\n\s+at /);
  });
});
