/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../main';

const POLICIES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'policies');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(['node', 'vla-bridge', ...args], { stdout, stderr, stdin: new PassThrough(), cwd: POLICIES, interactive: false });
  return { code, stdout: out, stderr: err };
}

interface Golden {
  cases: { instruction: string; state: number[] | null; tokens?: number[]; actions: number[][]; normalized: number[][] }[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const golden = (name: string) => require(join(POLICIES, name, 'golden.json')) as Golden;

describe('vla-bridge infer', () => {
  test('--json prints the tokens, the final and the normalized actions (the golden ones)', async () => {
    const g = golden('tiny_openvla').cases[0]!;
    const r = await run([
      'infer',
      '--policy',
      'tiny_openvla',
      '--image',
      'tiny_openvla/golden_0_primary.png',
      '--instruction',
      g.instruction,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ tokens: g.tokens, actions: g.actions, normalized: g.normalized });
  });

  test('a continuous policy has no tokens; images go in manifest camera order; --state feeds the state', async () => {
    const g = golden('tiny_act').cases[1]!;
    const r = await run([
      'infer',
      '--policy',
      'tiny_act',
      '--image',
      'tiny_act/golden_1_top.png',
      '--image',
      'tiny_act/golden_1_wrist.png',
      '--state',
      g.state!.join(','),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { actions: number[][]; tokens?: unknown };
    expect(out.tokens).toBeUndefined();
    expect(out.actions).toHaveLength(10);
    out.actions.flat().forEach((v, i) => expect(v).toBeCloseTo(g.actions.flat()[i]!, 3));
  });

  test('the human-readable table names the action space and each dimension', async () => {
    const r = await run([
      'infer',
      '--policy',
      'tiny_rt2',
      '--image',
      'tiny_rt2/golden_0_primary.png',
      '--instruction',
      'pick up the green cup',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('policy tiny_rt2: delta end_effector actions, chunk of 1 x 7 (execute 1, 0.333 s apart)');
    expect(r.stdout).toMatch(/step\s+x\s+y\s+z\s+roll\s+pitch\s+yaw\s+gripper/);
  });

  test('bad input exits 2 with one clear line and no stack trace', async () => {
    const images = await run([
      'infer',
      '--policy',
      'tiny_fast',
      '--image',
      'tiny_fast/golden_0_base.png',
      '--instruction',
      'go',
      '--state',
      '0,0,0,0,0,0,0',
    ]);
    expect(images.code).toBe(2);
    expect(images.stderr).toBe(
      'vla-bridge: error: --image: policy tiny_fast reads 2 cameras (base, wrist), got 1 --image\n  -> give one --image per camera, in that order\n',
    );
    const state = await run([
      'infer',
      '--policy',
      'tiny_act',
      '--image',
      'tiny_act/golden_0_top.png',
      '--image',
      'tiny_act/golden_0_wrist.png',
      '--state',
      '1,2,x',
    ]);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('--state must be a finite number, got "x"');
    const notImage = await run(['infer', '--policy', 'tiny_oft', '--image', 'tiny_oft/manifest.yaml', '--instruction', 'go']);
    expect(notImage.code).toBe(2);
    expect(notImage.stderr).toContain('not a PNG or JPEG image');
    const noPolicy = await run(['infer', '--policy', 'nope', '--image', 'x.png']);
    expect(noPolicy.code).toBe(2);
    expect(noPolicy.stderr).toContain('policy folder not found');
    expect(noPolicy.stderr).not.toContain('    at ');
  });
});
