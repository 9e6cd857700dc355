import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runCli } from '../support/runCli';

/**
 * Bad URDFs and embodiment YAMLs: each must give exit 2 and one clear message that names the problem (file,
 * field or joint, what to do), and never a stack trace.
 */

const ROOT = join(__dirname, '..', '..');
const PANDA_URDF = join(ROOT, 'urdf', 'franka_panda.urdf');
const PANDA_YAML = readFileSync(join(ROOT, 'config', 'franka_panda.yaml'), 'utf8');

const dir = mkdtempSync(join(tmpdir(), 'vla-bad-'));
let counter = 0;
function file(name: string, text: string): string {
  const path = join(dir, `${counter++}-${name}`);
  writeFileSync(path, text);
  return path;
}
/** The shipped Panda YAML with one edit, next to a copy of the shipped URDF (files it names stay in its folder). */
copyFileSync(PANDA_URDF, join(dir, 'franka_panda.urdf'));
function pandaYaml(edit: (yaml: string) => string): string {
  return file('panda.yaml', edit(PANDA_YAML.replace('urdf: ../urdf/franka_panda.urdf', 'urdf: franka_panda.urdf')));
}
const arm = (joints: string, links = '<link name="base"/><link name="a"/><link name="b"/>') => `<?xml version="1.0"?>
<robot name="bad">${links}${joints}</robot>`;
const rev = (name: string, parent: string, child: string, limit = '<limit lower="-1" upper="1" velocity="1" effort="1"/>') =>
  `<joint name="${name}" type="revolute"><parent link="${parent}"/><child link="${child}"/><axis xyz="0 0 1"/>${limit}</joint>`;
/** A minimal embodiment YAML for a URDF file. */
const yamlFor = (urdf: string, extra = '', joints = '[j1, j2]', tool = 'b') =>
  `name: bad\nurdf: ${basename(urdf)}\nbase_link: base\ntool_link: ${tool}\njoints: ` +
  `${joints}\ntopics: {}\ncontrol:\n  mode: joint_position\n  command_topic: /cmd\n  ` +
  `command_type: std_msgs/msg/Float64MultiArray\n${extra}`;
const goodArm = arm(rev('j1', 'base', 'a') + rev('j2', 'a', 'b'));

interface Case {
  what: string;
  args: () => string[];
  expect: RegExp[];
}

const cases: Case[] = [
  {
    what: 'broken XML',
    args: () => ['urdf', file('broken.urdf', '<robot name="x"><link name="a"></robot>')],
    expect: [/not well-formed XML/, /broken\.urdf:\d+/],
  },
  {
    what: 'not a URDF at all',
    args: () => ['urdf', file('other.urdf', '<?xml version="1.0"?><model name="x"/>')],
    expect: [/no <robot> element/],
  },
  {
    what: 'a xacro file',
    args: () => [
      'urdf',
      file('arm.urdf.xacro', '<robot xmlns:xacro="http://ros.org/wiki/xacro" name="x"><xacro:include filename="a.xacro"/></robot>'),
    ],
    expect: [/xacro file, not a URDF/, /xacro .* > robot\.urdf/],
  },
  {
    what: 'a joint whose child link is missing',
    args: () => ['urdf', file('missing.urdf', arm(rev('j1', 'base', 'a') + rev('j2', 'a', 'ghost')))],
    expect: [/joint "j2" names child link "ghost", which is not defined/],
  },
  {
    what: 'a cycle',
    args: () => ['urdf', file('cycle.urdf', arm(rev('j1', 'base', 'a') + rev('j2', 'a', 'b') + rev('j3', 'b', 'base')))],
    expect: [/cycle|no root link/],
  },
  {
    what: 'two roots',
    args: () => ['urdf', file('roots.urdf', arm(rev('j1', 'base', 'a')))],
    expect: [/2 root links \(base, b\)|2 root links/],
  },
  {
    what: 'a link with two parents',
    args: () => ['urdf', file('twoparents.urdf', arm(rev('j1', 'base', 'a') + rev('j2', 'base', 'b') + rev('j3', 'a', 'b')))],
    expect: [/link "b" is the child of two joints/],
  },
  {
    what: 'a duplicated joint',
    args: () => ['urdf', file('dup.urdf', arm(rev('j1', 'base', 'a') + rev('j1', 'a', 'b')))],
    expect: [/joint "j1" is defined twice/],
  },
  {
    what: 'a non-numeric limit',
    args: () => [
      'urdf',
      file('nan.urdf', arm(rev('j1', 'base', 'a', '<limit lower="-1" upper="one" velocity="1" effort="1"/>') + rev('j2', 'a', 'b'))),
    ],
    expect: [/joint "j1": upper="one" is not a number/],
  },
  {
    what: 'an unknown joint type',
    args: () => [
      'urdf',
      file('type.urdf', arm('<joint name="j1" type="hinge"><parent link="base"/><child link="a"/></joint>' + rev('j2', 'a', 'b'))),
    ],
    expect: [/joint "j1" has unknown type "hinge"/],
  },
  { what: 'a missing URDF file', args: () => ['urdf', join(dir, 'nope.urdf')], expect: [/nope\.urdf: file not found/] },
  {
    what: 'a YAML that loosens a velocity limit',
    args: () => [
      'check',
      pandaYaml((y) => y.replace('panda_joint1: { max_acceleration: 15.0, max_jerk: 7500.0 }', 'panda_joint1: { max_velocity: 3.0 }')),
    ],
    expect: [
      /max_velocity 3 for joint "panda_joint1" loosens the URDF limit 2\.175/,
      /safety\.joints\.panda_joint1\.max_velocity/,
      /panda\.yaml:\d+/,
    ],
  },
  {
    what: 'a YAML that loosens a position limit',
    args: () => [
      'check',
      pandaYaml((y) => y.replace('panda_joint1: { max_acceleration: 15.0, max_jerk: 7500.0 }', 'panda_joint1: { min_position: -3.5 }')),
    ],
    expect: [/min_position -3\.5 for joint "panda_joint1" loosens the URDF limit -2\.8973/],
  },
  {
    what: 'an unknown YAML key',
    args: () => ['check', pandaYaml((y) => y.replace('tool_link: panda_hand_tcp', 'tool_link: panda_hand_tcp\ntool_lnk: panda_hand'))],
    expect: [/unknown key "tool_lnk"/, /panda\.yaml:10/, /misspelled/],
  },
  {
    what: 'a YAML value of the wrong type',
    args: () => ['check', pandaYaml((y) => y.replace('command_hz: 100', 'command_hz: fast'))],
    expect: [/rates\.command_hz/, /expected number, received string/],
  },
  {
    what: 'a YAML joint the URDF lacks',
    args: () => ['check', pandaYaml((y) => y.replace('panda_joint7]', 'panda_joint9]'))],
    expect: [/joint "panda_joint9" is not in the URDF/, /joints\.6/, /panda_joint7/],
  },
  {
    what: 'a YAML without a required field',
    args: () => ['check', pandaYaml((y) => y.replace(/^base_link: .*$/m, ''))],
    expect: [/base_link/, /missing required field/],
  },
  {
    what: 'YAML syntax',
    args: () => ['check', pandaYaml((y) => y.replace('rates:\n  command_hz: 100', 'rates:\n  command_hz: 100\n command_hz: 5'))],
    expect: [/not valid YAML/, /panda\.yaml:\d+/],
  },
  {
    what: 'a zero URDF velocity limit without a YAML value',
    args: () => [
      'check',
      file(
        'zero.yaml',
        yamlFor(
          file('zero.urdf', arm(rev('j1', 'base', 'a', '<limit lower="-1" upper="1" velocity="0" effort="1"/>') + rev('j2', 'a', 'b'))),
        ),
      ),
    ],
    expect: [/joint "j1" has velocity limit 0 in the URDF/, /safety\.joints\.j1\.max_velocity/],
  },
  {
    what: 'a missing URDF velocity limit without a YAML value',
    args: () => [
      'check',
      file(
        'novel.yaml',
        yamlFor(file('novel.urdf', arm(rev('j1', 'base', 'a', '<limit lower="-1" upper="1" effort="1"/>') + rev('j2', 'a', 'b')))),
      ),
    ],
    expect: [/joint "j1" has no velocity limit in the URDF/],
  },
  {
    what: 'a tool link above the base link',
    args: () => [
      'check',
      file('tool.yaml', yamlFor(file('tool.urdf', goodArm), '', '[j1, j2]', 'base').replace('base_link: base', 'base_link: b')),
    ],
    expect: [/tool link "base" is not below base link "b"/],
  },
  {
    what: 'a command type that cannot carry the control mode',
    args: () => ['check', pandaYaml((y) => y.replace('mode: joint_position', 'mode: cartesian_twist'))],
    expect: [
      /command_type trajectory_msgs\/msg\/JointTrajectory cannot carry control mode cartesian_twist/,
      /geometry_msgs\/msg\/TwistStamped/,
    ],
  },
  {
    what: 'a gripper joint the URDF lacks',
    args: () => ['check', pandaYaml((y) => y.replace('joint: panda_finger_joint1', 'joint: panda_finger'))],
    expect: [/gripper joint "panda_finger" is not in the URDF/],
  },
  {
    what: 'a YAML missing one chain joint',
    args: () => ['check', pandaYaml((y) => y.replace(', panda_joint7]', ']'))],
    expect: [/missing: panda_joint7/],
  },
  {
    what: 'an unknown embodiment name',
    args: () => ['check', 'franka_pandaa'],
    expect: [/no shipped embodiment named "franka_pandaa"/, /franka_panda, so101, ur5e, widowx_250s/],
  },
  {
    what: 'a floating joint in the chain',
    args: () => [
      'check',
      file(
        'float.yaml',
        yamlFor(
          file('float.urdf', arm('<joint name="j1" type="floating"><parent link="base"/><child link="a"/></joint>' + rev('j2', 'a', 'b'))),
        ),
      ),
    ],
    expect: [/joint "j1" is floating/],
  },
  {
    what: 'a policy that needs a gripper the arm lacks',
    args: () => ['check', 'ur5e', '--policy', join(ROOT, 'test', 'fixtures', 'policies', 'tiny_openvla')],
    expect: [/policy "tiny_openvla" commands a gripper, and embodiment "ur5e" has none/],
  },
  {
    what: 'a policy folder that does not exist',
    args: () => ['check', 'franka_panda', '--policy', join(dir, 'no_policy')],
    expect: [/no_policy/],
  },
  {
    what: 'a margin that leaves no range',
    args: () => ['check', pandaYaml((y) => y.replace('position_margin: 0.02\n', 'position_margin: 2.0\n'))],
    expect: [/position_margin 2 leaves no range/, /safety\.position_margin/],
  },
];

describe('bad input gives exit 2 and a clear message', () => {
  it.each(cases.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    const result = await runCli(c.args());
    expect(result.code).toBe(2);
    for (const re of c.expect) expect(result.stderr).toMatch(re);
    expect(result.stderr).toMatch(/^vla-bridge: error: /);
    expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(result.stdout).toBe('');
  });

  it('has at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });
});

describe('good input', () => {
  it.each(['franka_panda', 'ur5e', 'widowx_250s', 'so101'])('check passes on the shipped %s', async (name) => {
    const result = await runCli(['check', name, '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { ok: boolean; name: string; joints: { name: string; max_velocity: number }[] };
    expect(summary.ok).toBe(true);
    expect(summary.name).toBe(name);
    for (const j of summary.joints) expect(j.max_velocity).toBeGreaterThan(0);
  });

  it('checks a policy binding with --policy', async () => {
    const result = await runCli([
      'check',
      'franka_panda',
      '--policy',
      join(ROOT, 'test', 'fixtures', 'policies', 'tiny_openvla'),
      '--json',
    ]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { policy: { name: string; frame: string; dimensions: string[] } };
    expect(summary.policy).toMatchObject({
      name: 'tiny_openvla',
      frame: 'end_effector',
      dimensions: ['x', 'y', 'z', 'roll', 'pitch', 'yaw', 'gripper'],
    });
  });

  it('prints help for every subcommand with exit 0', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const names = [...top.stdout.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!).filter((n) => n !== 'help' && !n.startsWith('-'));
    expect(names).toEqual(expect.arrayContaining(['urdf', 'check']));
    for (const name of names) {
      const sub = await runCli([name, '--help']);
      expect(sub.code).toBe(0);
      expect(sub.stdout).toMatch(/Usage: vla-bridge/);
    }
  });

  it('refuses an unknown subcommand with exit 2', async () => {
    const result = await runCli(['fly']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'fly'/);
  });
});
