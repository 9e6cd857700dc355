import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../test/support/runCli';

describe('vla-bridge record-demos', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'record-demos-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--json prints the summary and writes a dataset numpy can read', async () => {
    const out = join(dir, 'demos');
    const r = await runCli(['record-demos', '--episodes', '1', '--seed', '2', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ dir: out, episodes: 1, successes: 1, safety_interventions: 0 });
    expect(summary.samples).toBeGreaterThan(10);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index).toMatchObject({ format: 'vla_bridge.demos/1', embodiment: 'franka_panda', samples: summary.samples, perturbation: { amplitude: 0.05, probability: 0.3 } });
    for (const name of ['images', 'state', 'actions', 'object_actions', 'episode', 'time']) expect(existsSync(join(out, `${name}.npy`))).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('refuses bad input with exit 2, naming the option', async () => {
    const r = await runCli(['record-demos', '--episodes', '2', '--perturb-probability', '1.5', '--out', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--perturb-probability/);
    const missing = await runCli(['record-demos', '--episodes', '1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--out/);
  });
});
