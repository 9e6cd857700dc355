import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { CliContext } from '../../src/cli/CliContext';
import { main } from '../../src/cli/main';
import { ARM_URDFS } from './armUrdfExpectations';
import { GRIPPER_URDFS } from './gripperUrdfExpectations';
import type { Expected, JointJson } from './urdfExpectation';

/**
 * `vla-bridge urdf FILE --json` on every real URDF in test/fixtures/urdf. The expected values (armUrdfExpectations.ts,
 * gripperUrdfExpectations.ts) were read from the files by hand (see test/fixtures/README.md for where each file comes
 * from), not produced by our parser: a few joints per file, exactly as the DESIGN §3 JSON must print them.
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

const EXPECTED: Record<string, Expected> = { ...ARM_URDFS, ...GRIPPER_URDFS };

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
