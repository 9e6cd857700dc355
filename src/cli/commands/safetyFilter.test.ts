import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import type { JointLimits } from '../../robot/JointLimits';
import { InvariantChecker } from '../../../test/safety/InvariantChecker';
import type { CliContext } from '../CliContext';
import { main } from '../main';

const ROOT = join(__dirname, '..', '..', '..');
const URDFS = join(ROOT, 'test', 'fixtures', 'urdf');
const UR5E = join(URDFS, 'ur5e__daniella1.urdf');
const JOINTS = 'shoulder_pan_joint,shoulder_lift_joint,elbow_joint';

interface OutLine {
  t: number | null;
  command: number[] | null;
  events: { limit: string; target?: string; severity: string }[];
  error?: { line: number; field: string; message: string };
}

/** main(argv) over in-memory streams; `answer(k, lastOutput)` gives input line k (undefined ends the input). */
async function filter(
  args: string[],
  answer: (k: number, last: OutLine | undefined) => string | undefined,
): Promise<{ code: number; out: OutLine[]; err: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const out: OutLine[] = [];
  const send = (k: number) => {
    const line = answer(k, out.at(-1));
    if (line === undefined) stdin.end();
    else stdin.write(`${line}\n`);
  };
  // Closed loop: the next line is written only once the previous answer arrived.
  createInterface({ input: stdout }).on('line', (line) => {
    out.push(JSON.parse(line) as OutLine);
    send(out.length);
  });
  const ctx: CliContext = { stdin, stdout, stderr, cwd: ROOT, interactive: false };
  const done = main(['node', 'vla-bridge', 'safety-filter', ...args], ctx);
  send(0);
  const code = await done;
  await new Promise((r) => setImmediate(r));
  return { code, out, err };
}

const ur5eLimits = (v: number, a: number): JointLimits[] =>
  [
    { name: 'shoulder_pan_joint', minPosition: -2 * Math.PI, maxPosition: 2 * Math.PI },
    { name: 'shoulder_lift_joint', minPosition: -2 * Math.PI, maxPosition: 2 * Math.PI },
    { name: 'elbow_joint', minPosition: -Math.PI, maxPosition: Math.PI },
  ].map((l) => ({ ...l, type: 'revolute', maxVelocity: v, maxAcceleration: a, maxJerk: Infinity }));

describe('vla-bridge safety-filter', () => {
  it('runs in closed loop: one safe line per input line, limits from the URDF tightened by the options', async () => {
    const target = [3, -3, 3];
    const { code, out, err } = await filter(
      ['--urdf', UR5E, '--joints', JOINTS, '--max-velocity', '1', '--max-acceleration', '4'],
      (k, last) =>
        k >= 500 ? undefined : JSON.stringify({ t: 100 + k * 0.01, position: last?.command ?? [0, 0.5, -0.5], command: target }),
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toHaveLength(500);
    expect(out[0]).toEqual({ t: 100, command: [0, 0.5, -0.5], events: [] });
    const checker = new InvariantChecker(ur5eLimits(1, 4));
    expect(checker.start(100, [0, 0.5, -0.5], undefined, out[0]!.command!)).toBeUndefined();
    for (const o of out.slice(1)) expect(checker.check(o.t!, o.command!, false)).toBeUndefined();
    expect(out[1]!.events.map((e) => e.limit)).toEqual(['acceleration', 'acceleration', 'acceleration']);
    expect(out.at(-1)!.command).toEqual(target);
  });

  it('passes a command that is within the limits unchanged', async () => {
    const sent = [0, 1, 2].map((k) => [0.1 + 0.0001 * k, 0.2, 0.3 - 0.0001 * k]);
    const { out } = await filter(['--urdf', UR5E, '--joints', JOINTS, '--max-acceleration', '4'], (k, last) =>
      k >= 3 ? undefined : JSON.stringify({ t: k * 0.01, position: last?.command ?? sent[0], command: sent[k] }),
    );
    expect(out.map((o) => o.command)).toEqual(sent);
    expect(out.flatMap((o) => o.events)).toEqual([]);
  });

  it('treats null and non-numbers in "command" as non-finite proposals, and latches an e-stop until reset', async () => {
    const lines = [
      { t: 0, position: [0, 0, 0], command: [0, 0, 0] },
      { t: 0.01, position: [0, 0, 0], command: [null, 'x', 0] },
      { t: 0.02, position: [0, 0, 0], command: [0.01, 0, 0], estop: true },
      { t: 0.03, position: [0, 0, 0], command: [0.01, 0, 0] },
      { t: 0.04, position: [0, 0, 0], command: [0.01, 0, 0], reset: true },
    ];
    const { code, out } = await filter(['--urdf', UR5E, '--joints', JOINTS], (k) =>
      k < lines.length ? JSON.stringify(lines[k]) : undefined,
    );
    expect(code).toBe(0);
    expect(out[1]!.events.map((e) => [e.limit, e.target])).toEqual([
      ['non_finite', 'shoulder_pan_joint'],
      ['non_finite', 'shoulder_lift_joint'],
    ]);
    expect(out[1]!.command).toEqual([0, 0, 0]);
    expect(out[2]!.events).toContainEqual(expect.objectContaining({ limit: 'estop', severity: 'error' }));
    expect(out[3]!.command).toEqual([0, 0, 0]);
    expect(out[4]!.command).toEqual([0.01, 0, 0]);
  });

  it('answers a malformed line with an error naming line and field, holds, and exits 2 at the end', async () => {
    const lines = [
      '{"t": 0, "position": [0, 0, 0], "command": [0.5, 0, 0]}',
      '{"t": 0.5, "position": [0, 0, 0], "command": [0.5, 0, 0]}',
      'this is not json',
      '{"t": 1.0, "position": [0, 0], "command": [0.5, 0, 0]}',
      '{"t": 1.5, "position": [0, 0, 0], "command": [0.5, 0, 0], "estp": true}',
      '{"t": 2.0, "position": [0, 0, 0], "command": [0.5, 0, 0]}',
    ];
    const { code, out, err } = await filter(['--urdf', UR5E, '--joints', JOINTS, '--max-acceleration', '2'], (k) => lines[k]);
    expect(code).toBe(2);
    expect(out).toHaveLength(6);
    expect(out[2]!.error).toMatchObject({ line: 3, field: '' });
    expect(out[2]!.t).toBeNull();
    expect(out[2]!.command).toEqual(out[1]!.command);
    expect(out[3]!.error).toMatchObject({ line: 4, field: 'position' });
    expect(out[3]!.error!.message).toMatch(/has 2 values, expected 3/);
    expect(out[4]!.error).toMatchObject({ line: 5, field: 'estp' });
    // Holding is a controlled stop: never a jump, never beyond the limits.
    const checker = new InvariantChecker(ur5eLimits(Math.PI, 2));
    checker.start(0, [0, 0, 0], undefined, out[0]!.command!);
    for (const o of out.slice(1)) if (o.t !== null) expect(checker.check(o.t, o.command!, false)).toBeUndefined();
    expect(err).toMatch(/line 3: not JSON/);
    expect(err).toMatch(/3 malformed input lines, the first: line 3/);
  });

  it('gives no command before the first good line', async () => {
    const { code, out } = await filter(['--urdf', UR5E, '--joints', JOINTS], (k) =>
      k === 0 ? '{"t": 0, "command": [0, 0, 0]}' : undefined,
    );
    expect(code).toBe(2);
    expect(out).toEqual([{ t: 0, command: null, events: [], error: expect.objectContaining({ line: 1, field: 'position' }) }]);
  });

  it('refuses a URDF joint with a zero velocity limit, naming it', async () => {
    const { code, err } = await filter(
      ['--urdf', join(URDFS, 'quanser_qarm__daniella1.urdf'), '--joints', 'YAW,SHOULDER'],
      () => undefined,
    );
    expect(code).toBe(2);
    expect(err).toMatch(/joint "YAW" has velocity limit 0/);
    expect(err).toMatch(/max_velocity/);
  });

  it('exits 2 naming the option for bad arguments', async () => {
    const a = await filter([], () => undefined);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/--urdf/);
    const b = await filter(['--urdf', UR5E], () => undefined);
    expect(b.err).toMatch(/--joints/);
    const c = await filter(['--urdf', UR5E, '--joints', JOINTS, '--max-velocity', '-1'], () => undefined);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--max-velocity/);
  });

  it('takes joints, limits, workspace and tool speeds from --embodiment', async () => {
    const start = [0, 0.3, 0, -1.8, 0, 2.1, 0.7, 0.02];
    const down = [0, 1.5, 0, -0.8, 0, 1.0, 0.7, 0.02];
    const { code, out } = await filter(['--embodiment', 'franka_panda'], (k, last) =>
      k >= 300 ? undefined : JSON.stringify({ t: k * 0.01, position: last?.command ?? start, command: down }),
    );
    expect(code).toBe(0);
    const limits = out.flatMap((o) => o.events.map((e) => e.limit));
    expect(limits).toContain('workspace');
    expect(limits).toContain('ee_linear_speed');
  });
});

describe('vla-bridge safety-filter as a child process', () => {
  it('answers each line as soon as it is read, so another process can drive it in closed loop', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'test', 'safety', 'runCli.ts'),
        'safety-filter',
        '--urdf',
        UR5E,
        '--joints',
        JOINTS,
        '--max-acceleration',
        '5',
      ],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const answers = createInterface({ input: child.stdout });
    const outputs: OutLine[] = [];
    let position = [0, 0, 0];
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      const next = () => {
        const k = outputs.length;
        if (k === 50) {
          child.stdin.end();
          resolve();
          return;
        }
        child.stdin.write(`${JSON.stringify({ t: k * 0.01, position, command: [1, 1, 1] })}\n`);
      };
      answers.on('line', (line) => {
        const o = JSON.parse(line) as OutLine;
        outputs.push(o);
        position = o.command!;
        next();
      });
      child.on('error', reject);
      next();
    });
    expect(await exited).toBe(0);
    expect(stderr.replace(/npm warn[^\n]*\n/g, '')).toBe('');
    expect(outputs).toHaveLength(50);
    expect(outputs[49]!.command![0]).toBeGreaterThan(0.1);
    const checker = new InvariantChecker(ur5eLimits(Math.PI, 5));
    checker.start(0, [0, 0, 0], undefined, outputs[0]!.command!);
    for (const o of outputs.slice(1)) expect(checker.check(o.t!, o.command!, false)).toBeUndefined();
  }, 60_000);
});
