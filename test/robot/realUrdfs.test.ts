import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { CliContext } from '../../src/cli/CliContext';
import { main } from '../../src/cli/main';

/**
 * `vla-bridge urdf FILE --json` on every real URDF in test/fixtures/urdf. The expected values below were read
 * from the files by hand (see test/fixtures/README.md for where each file comes from), not produced by our
 * parser: a few joints per file, exactly as the DESIGN §3 JSON must print them.
 */

const FIXTURES = join(__dirname, '..', 'fixtures', 'urdf');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function runCli(args: readonly string[], cwd = FIXTURES): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const ctx: CliContext = { stdout: out.stream, stderr: err.stream, stdin: Readable.from([]), cwd, interactive: false };
  const code = await main(['node', 'vla-bridge', ...args], ctx);
  return { code, stdout: out.text(), stderr: err.text() };
}

type JointJson = Record<string, unknown>;

interface Expected {
  name: string;
  /** All joints, fixed ones too (top-level `<joint ... type=...>` elements, not the ones inside `<transmission>`). */
  jointCount: number;
  /** The first joint names in file order. */
  firstJoints: string[];
  joints: JointJson[];
  /** Each must match a line on stderr; an empty list means stderr must be empty. */
  warnings: RegExp[];
  /** None may match any line on stderr. */
  notWarnings?: RegExp[];
}

const PI = 3.141592653589793;
const TWO_PI = 6.283185307179586;
const mimicOf = (joint: string, multiplier: number, offset: number) => ({ joint, multiplier, offset });

const EXPECTED: Record<string, Expected> = {
  'franka_panda__daniella1.urdf': {
    name: 'panda',
    jointCount: 16,
    firstJoints: ['panda_link0_sc_joint', 'panda_link1_sc_joint', 'panda_joint1', 'panda_link2_sc_joint'],
    joints: [
      {
        name: 'panda_joint4',
        type: 'revolute',
        parent: 'panda_link3',
        child: 'panda_link4',
        lower: -3.0718,
        upper: -0.0698,
        velocity: 2.175,
        effort: 87,
      },
      {
        name: 'panda_joint7',
        type: 'revolute',
        parent: 'panda_link6',
        child: 'panda_link7',
        lower: -2.8973,
        upper: 2.8973,
        velocity: 2.61,
        effort: 12,
      },
      { name: 'panda_joint8', type: 'fixed', parent: 'panda_link7', child: 'panda_link8' },
    ],
    warnings: [],
  },
  'kinova_gen3_7dof_vision__kinova.urdf': {
    name: 'GEN3-7DOF-VISION_ARM_URDF_V12',
    jointCount: 11,
    firstJoints: ['joint_1', 'joint_2', 'joint_3'],
    joints: [
      { name: 'joint_1', type: 'continuous', parent: 'base_link', child: 'shoulder_link', velocity: 1.3963, effort: 39 },
      {
        name: 'joint_2',
        type: 'revolute',
        parent: 'shoulder_link',
        child: 'half_arm_1_link',
        lower: -2.24,
        upper: 2.24,
        velocity: 1.3963,
        effort: 39,
      },
      { name: 'end_effector', type: 'fixed', parent: 'bracelet_link', child: 'end_effector_link' },
    ],
    warnings: [],
  },
  'koch_v1_1_follower__s1lent4gnt.urdf': {
    name: 'follower',
    jointCount: 6,
    firstJoints: ['joint_1', 'joint_2'],
    joints: [
      { name: 'joint_6', type: 'revolute', parent: 'link_5', child: 'link_6', lower: -2.45, upper: 0.032, velocity: 100, effort: 0.5 },
    ],
    warnings: [],
  },
  'so101_new_calib__therobotstudio.urdf': {
    name: 'so101_new_calib',
    jointCount: 7,
    // Written in reverse chain order: the output keeps the file order.
    firstJoints: ['gripper_frame_joint', 'gripper', 'wrist_roll', 'wrist_flex', 'elbow_flex', 'shoulder_lift', 'shoulder_pan'],
    joints: [
      {
        name: 'gripper',
        type: 'revolute',
        parent: 'gripper_link',
        child: 'moving_jaw_so101_v1_link',
        lower: -0.174533,
        upper: 1.74533,
        velocity: 10,
        effort: 10,
      },
      {
        name: 'shoulder_pan',
        type: 'revolute',
        parent: 'base_link',
        child: 'shoulder_link',
        lower: -1.91986,
        upper: 1.91986,
        velocity: 10,
        effort: 10,
      },
    ],
    warnings: [],
  },
  'ur5e__daniella1.urdf': {
    name: 'ur5e_robot',
    jointCount: 10,
    firstJoints: ['base_link-base_link_inertia', 'shoulder_pan_joint'],
    joints: [
      {
        name: 'shoulder_pan_joint',
        type: 'revolute',
        parent: 'base_link_inertia',
        child: 'shoulder_link',
        lower: -TWO_PI,
        upper: TWO_PI,
        velocity: PI,
        effort: 150,
      },
      {
        name: 'wrist_3_joint',
        type: 'revolute',
        parent: 'wrist_2_link',
        child: 'wrist_3_link',
        lower: -TWO_PI,
        upper: TWO_PI,
        velocity: PI,
        effort: 28,
      },
      { name: 'flange-tool0', type: 'fixed', parent: 'flange', child: 'tool0' },
    ],
    warnings: [],
  },
  'widowx_wx250s__simplerenv.urdf': {
    name: 'wx250s',
    jointCount: 13,
    firstJoints: ['waist', 'shoulder', 'elbow'],
    joints: [
      { name: 'waist', type: 'revolute', parent: 'base_link', child: 'shoulder_link', lower: -PI, upper: PI, velocity: PI, effort: 10 },
      {
        name: 'left_finger',
        type: 'prismatic',
        parent: 'fingers_link',
        child: 'left_finger_link',
        lower: 0.015,
        upper: 0.037,
        velocity: 1,
        effort: 5,
      },
      {
        name: 'right_finger',
        type: 'prismatic',
        parent: 'fingers_link',
        child: 'right_finger_link',
        lower: 0.015,
        upper: 0.037,
        velocity: 1,
        effort: 5,
        mimic: mimicOf('left_finger', 1, 0),
      },
    ],
    warnings: [],
  },
  // Exported with a wrong <safety_controller> (soft_upper/soft_lower, k_velocity="0") on every joint, and a
  // fixed joint with an all-zero <limit>.
  'kinova_gen3_lite__kinova.urdf': {
    name: 'KR7108-URDF',
    jointCount: 7,
    firstJoints: ['J0', 'J1', 'J2', 'J3', 'J4', 'J5', 'END_EFFECTOR'],
    joints: [
      { name: 'J0', type: 'revolute', parent: 'BASE', child: 'SHOULDER', lower: -2.76, upper: 2.76, velocity: 0.35, effort: 10 },
      { name: 'J1', type: 'revolute', parent: 'SHOULDER', child: 'ARM', lower: -2.76, upper: 2.76, velocity: 0.35, effort: 14 },
      { name: 'J3', type: 'revolute', parent: 'FOREARM', child: 'LOWER_WRIST', lower: -2.67, upper: 2.67, velocity: 0.35, effort: 7 },
      { name: 'END_EFFECTOR', type: 'fixed', parent: 'END_EFFECTOR', child: 'DUMMY', lower: 0, upper: 0, velocity: 0, effort: 0 },
    ],
    warnings: [
      ...['J0', 'J1', 'J2', 'J3', 'J4', 'J5'].map(
        (j) =>
          new RegExp(
            `joint "${j}": <safety_controller> has non-standard attribute\\(s\\) soft_upper, soft_lower .*soft limits are ignored`,
          ),
      ),
      /fixed joint "END_EFFECTOR" has a <limit>; a fixed joint does not move/,
    ],
    // A fixed joint cannot be commanded, so the YAML cannot (and need not) give it a velocity.
    notWarnings: [/"END_EFFECTOR".*must give max_velocity/],
  },
  // SolidWorks exporter: velocity="0" effort="0" on every revolute joint.
  'quanser_qarm__daniella1.urdf': {
    name: 'QARM',
    jointCount: 5,
    firstJoints: ['world_base_joint', 'YAW', 'SHOULDER', 'ELBOW', 'WRIST'],
    joints: [
      { name: 'world_base_joint', type: 'fixed', parent: 'world', child: 'base_link' },
      { name: 'YAW', type: 'revolute', parent: 'base_link', child: 'YAW', lower: -2.967, upper: 2.967, velocity: 0, effort: 0 },
      { name: 'ELBOW', type: 'revolute', parent: 'BICEP', child: 'FOREARM', lower: -1.658, upper: 1.309, velocity: 0, effort: 0 },
      { name: 'WRIST', type: 'revolute', parent: 'FOREARM', child: 'END-EFFECTOR', lower: -3.01, upper: 3.01, velocity: 0, effort: 0 },
    ],
    warnings: ['YAW', 'SHOULDER', 'ELBOW', 'WRIST'].map(
      (j) => new RegExp(`joint "${j}" has velocity limit 0: unusable, a max_velocity must come from the embodiment YAML`),
    ),
  },
  // Robotiq 2F-85: four mimic joints (multiplier -1; a mimic with only multiplier, one with only offset),
  // <limit> on fixed joints, joints listed before their child links.
  'robotiq_2f_85__rosindustrial.urdf': {
    name: 'robotiq_c2_model',
    jointCount: 9,
    firstJoints: [
      'robotiq_85_base_joint',
      'robotiq_85_left_knuckle_joint',
      'robotiq_85_right_knuckle_joint',
      'robotiq_85_left_finger_joint',
    ],
    joints: [
      { name: 'robotiq_85_base_joint', type: 'fixed', parent: 'robotiq_85_adapter_link', child: 'robotiq_85_base_link' },
      {
        name: 'robotiq_85_left_knuckle_joint',
        type: 'revolute',
        parent: 'robotiq_85_base_link',
        child: 'robotiq_85_left_knuckle_link',
        lower: 0,
        upper: 0.8575,
        velocity: 2,
        effort: 1000,
      },
      {
        name: 'robotiq_85_right_knuckle_joint',
        type: 'revolute',
        parent: 'robotiq_85_base_link',
        child: 'robotiq_85_right_knuckle_link',
        lower: 0,
        upper: 1.5707,
        velocity: 2,
        effort: 1000,
        mimic: mimicOf('robotiq_85_left_knuckle_joint', 1, 0),
      },
      {
        name: 'robotiq_85_left_inner_knuckle_joint',
        type: 'revolute',
        parent: 'robotiq_85_base_link',
        child: 'robotiq_85_left_inner_knuckle_link',
        lower: 0,
        upper: 1.5707,
        velocity: 2,
        effort: 1000,
        mimic: mimicOf('robotiq_85_left_knuckle_joint', 1, 0),
      },
      {
        name: 'robotiq_85_right_finger_tip_joint',
        type: 'revolute',
        parent: 'robotiq_85_right_inner_knuckle_link',
        child: 'robotiq_85_right_finger_tip_link',
        lower: 0,
        upper: 1.5707,
        velocity: 2,
        effort: 1000,
        mimic: mimicOf('robotiq_85_left_knuckle_joint', -1, 0),
      },
      {
        name: 'robotiq_85_left_finger_joint',
        type: 'fixed',
        parent: 'robotiq_85_left_knuckle_link',
        child: 'robotiq_85_left_finger_link',
        lower: 0,
        upper: 1.5707,
        velocity: 2,
        effort: 1000,
      },
    ],
    warnings: [/fixed joint "robotiq_85_left_finger_joint" has a <limit>/, /fixed joint "robotiq_85_right_finger_joint" has a <limit>/],
  },
  'robotiq_hande__rosindustrial.urdf': {
    name: 'robotiq_hande',
    jointCount: 2,
    firstJoints: ['hande_left_finger_joint', 'hande_right_finger_joint'],
    joints: [
      {
        name: 'hande_left_finger_joint',
        type: 'prismatic',
        parent: 'hand_e_link',
        child: 'hande_left_finger',
        lower: 0,
        upper: 0.025,
        velocity: 0.15,
        effort: 130,
      },
      {
        name: 'hande_right_finger_joint',
        type: 'prismatic',
        parent: 'hand_e_link',
        child: 'hande_right_finger',
        lower: 0,
        upper: 0.025,
        velocity: 0.15,
        effort: 130,
        mimic: mimicOf('hande_left_finger_joint', 1, 0),
      },
    ],
    warnings: [],
  },
  // UFactory xArm 6 with the xArm gripper: five fingers mimic drive_joint; "${...}" only inside comments.
  'xarm6_gripper__xarm_ros.urdf': {
    name: 'xarm6_with_gripper',
    jointCount: 16,
    firstJoints: ['world_joint', 'joint1', 'joint2', 'joint3', 'joint4', 'joint5', 'joint6', 'joint_eef', 'gripper_fix', 'drive_joint'],
    joints: [
      {
        name: 'joint1',
        type: 'revolute',
        parent: 'link_base',
        child: 'link1',
        lower: -6.28318530718,
        upper: 6.28318530718,
        velocity: 3.14,
        effort: 50,
      },
      { name: 'joint3', type: 'revolute', parent: 'link2', child: 'link3', lower: -3.927, upper: 0.19198, velocity: 3.14, effort: 32 },
      {
        name: 'joint5',
        type: 'revolute',
        parent: 'link4',
        child: 'link5',
        lower: -1.69297,
        upper: 3.14159265359,
        velocity: 3.14,
        effort: 32,
      },
      {
        name: 'drive_joint',
        type: 'revolute',
        parent: 'xarm_gripper_base_link',
        child: 'left_outer_knuckle',
        lower: 0,
        upper: 0.85,
        velocity: 2,
        effort: 50,
      },
      {
        name: 'right_finger_joint',
        type: 'revolute',
        parent: 'right_outer_knuckle',
        child: 'right_finger',
        lower: 0,
        upper: 0.85,
        velocity: 2,
        effort: 50,
        mimic: mimicOf('drive_joint', 1, 0),
      },
      { name: 'joint_tcp', type: 'fixed', parent: 'xarm_gripper_base_link', child: 'link_tcp' },
    ],
    warnings: [],
  },
  // Google Robot (RT-1): "inf"/"-inf" limits, non-standard acceleration/jerk on <limit>, all links first, joints
  // out of chain order, dots in names.
  'google_robot__simplerenv.urdf': {
    name: 'meta',
    jointCount: 35,
    firstJoints: [
      'gripper_tcp_joint',
      'joint_wheel_left',
      'joint_wheel_right',
      'joint_rear_wheel_left',
      'joint_rear_wheel_right',
      'joint_torso',
    ],
    joints: [
      {
        name: 'joint_wheel_left',
        type: 'fixed',
        parent: 'link_base',
        child: 'link_wheel_left',
        lower: '-inf',
        upper: 'inf',
        velocity: 12.9,
        effort: 10,
      },
      {
        name: 'joint_torso',
        type: 'revolute',
        parent: 'link_base',
        child: 'link_torso',
        lower: -4.49,
        upper: 1.35,
        velocity: 2,
        effort: 10,
      },
      {
        name: 'joint_elbow',
        type: 'revolute',
        parent: 'link_bicep',
        child: 'link_elbow',
        lower: -2.05,
        upper: 3.79,
        velocity: 2.5,
        effort: 10,
      },
      {
        name: 'joint_finger_right',
        type: 'revolute',
        parent: 'link_gripper',
        child: 'link_finger_right',
        lower: -0.0001,
        upper: 1.3,
        velocity: 1.3,
        effort: 10,
      },
      { name: 'joint_imu.base', type: 'fixed', parent: 'link_base_imu_mount', child: 'imu.base' },
    ],
    warnings: [
      /joint "joint_wheel_left": lower="-inf" is infinite/,
      /joint "joint_wheel_left": upper="inf" is infinite/,
      /joint "joint_torso": non-standard attribute acceleration="2.0" on <limit> applied as its acceleration limit wherever it is tighter than the embodiment's \(never to loosen\)/,
      /joint "joint_torso": non-standard attribute jerk="51" on <limit> applied as its jerk limit/,
      /joint "joint_wheel_left": non-standard attribute acceleration="121" on <limit> ignored \(a fixed joint\)/,
      /fixed joint "joint_rear_wheel_right" has a <limit>/,
    ],
  },
};

const URDF_FILES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.urdf'))
  .sort();

const JSON_KEYS = new Set(['name', 'type', 'parent', 'child', 'lower', 'upper', 'velocity', 'effort', 'mimic']);

describe('vla-bridge urdf FILE --json on the real URDFs in test/fixtures/urdf', () => {
  it('has expectations for every URDF fixture, and a fixture for every expectation', () => {
    expect(URDF_FILES).toEqual(Object.keys(EXPECTED).sort());
    expect(URDF_FILES.length).toBeGreaterThanOrEqual(12);
  });

  describe.each(URDF_FILES)('%s', (file) => {
    const expected = EXPECTED[file]!;
    let run: CliRun;
    let joints: JointJson[];
    let stderrLines: string[];

    beforeAll(async () => {
      run = await runCli(['urdf', file, '--json']);
      const parsed = JSON.parse(run.stdout) as { name: string; joints: JointJson[] };
      joints = parsed.joints;
      stderrLines = run.stderr.split('\n').filter((l) => l !== '');
    });

    it('exits 0 with one JSON line on stdout', () => {
      expect(run.code).toBe(0);
      expect(run.stdout.endsWith('\n')).toBe(true);
      expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(Object.keys(JSON.parse(run.stdout) as object).sort()).toEqual(['joints', 'name']);
      expect((JSON.parse(run.stdout) as { name: string }).name).toBe(expected.name);
    });

    it('lists all joints, fixed ones too, in file order', () => {
      expect(joints).toHaveLength(expected.jointCount);
      expect(joints.slice(0, expected.firstJoints.length).map((j) => j.name)).toEqual(expected.firstJoints);
      expect(new Set(joints.map((j) => j.name)).size).toBe(joints.length);
    });

    it('prints the types, links, limits and mimics written in the file', () => {
      for (const want of expected.joints) {
        expect(joints.find((j) => j.name === want.name)).toEqual(want);
      }
    });

    it('uses only the DESIGN §3 fields, with numbers or "inf"/"-inf" for limits', () => {
      for (const j of joints) {
        for (const key of Object.keys(j)) expect(JSON_KEYS.has(key)).toBe(true);
        for (const key of ['name', 'type', 'parent', 'child']) expect(typeof j[key]).toBe('string');
        for (const key of ['lower', 'upper', 'velocity', 'effort']) {
          const v = j[key];
          if (v !== undefined) expect(typeof v === 'number' ? Number.isFinite(v) : v === 'inf' || v === '-inf').toBe(true);
        }
        if (j.mimic !== undefined) expect(Object.keys(j.mimic as object).sort()).toEqual(['joint', 'multiplier', 'offset']);
      }
    });

    it('warns on stderr about the quirks, and only there', () => {
      if (expected.warnings.length === 0) expect(run.stderr).toBe('');
      for (const re of expected.warnings) {
        expect(stderrLines.some((l) => l.startsWith('warning: ') && re.test(l))).toBe(true);
      }
      for (const re of expected.notWarnings ?? []) {
        expect(stderrLines.filter((l) => re.test(l))).toEqual([]);
      }
      expect(run.stdout).not.toMatch(/warning/);
    });

    it('also prints a readable summary without --json', async () => {
      const plain = await runCli(['urdf', file]);
      expect(plain.code).toBe(0);
      const lines = plain.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        new RegExp(`^robot ${expected.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ links, ${expected.jointCount} joints, root link `),
      );
      expect(lines).toHaveLength(1 + expected.jointCount);
    });
  });

  it('counts every mimic of the xArm gripper and the Robotiq 2F-85 with the multiplier from the file', async () => {
    const xarm = JSON.parse((await runCli(['urdf', 'xarm6_gripper__xarm_ros.urdf', '--json'])).stdout) as { joints: JointJson[] };
    const xarmMimics = xarm.joints.filter((j) => j.mimic !== undefined).map((j) => j.name);
    expect(xarmMimics).toEqual([
      'left_finger_joint',
      'left_inner_knuckle_joint',
      'right_outer_knuckle_joint',
      'right_finger_joint',
      'right_inner_knuckle_joint',
    ]);
    const robotiq = JSON.parse((await runCli(['urdf', 'robotiq_2f_85__rosindustrial.urdf', '--json'])).stdout) as { joints: JointJson[] };
    const multipliers = Object.fromEntries(
      robotiq.joints.filter((j) => j.mimic !== undefined).map((j) => [j.name, (j.mimic as { multiplier: number }).multiplier]),
    );
    expect(multipliers).toEqual({
      robotiq_85_right_knuckle_joint: 1,
      robotiq_85_left_inner_knuckle_joint: 1,
      robotiq_85_right_inner_knuckle_joint: 1,
      robotiq_85_left_finger_tip_joint: -1,
      robotiq_85_right_finger_tip_joint: -1,
    });
  });
});

describe('vla-bridge urdf on a xacro file', () => {
  const XACRO = 'robotiq_2f_85__rosindustrial.xacro';

  it('refuses the real robotiq_c2_model.xacro with exit 2 and says how to expand it', async () => {
    const run = await runCli(['urdf', XACRO, '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/robotiq_2f_85__rosindustrial\.xacro: this is a xacro file, not a URDF/);
    expect(run.stderr).toMatch(/expand it first: xacro \S*robotiq_2f_85__rosindustrial\.xacro > robot\.urdf/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses it by its content too, when it is named .urdf', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vla-urdf-'));
    try {
      copyFileSync(join(FIXTURES, XACRO), join(dir, 'gripper.urdf'));
      const run = await runCli(['urdf', 'gripper.urdf', '--json'], dir);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/gripper\.urdf: this is a xacro file, not a URDF: it still contains xacro macros/);
      expect(run.stderr).toMatch(/expand it first: xacro \S*gripper\.urdf > robot\.urdf/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
