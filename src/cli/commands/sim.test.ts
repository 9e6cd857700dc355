import { PassThrough } from 'node:stream';
import type { CliContext } from '../CliContext';
import { main } from '../main';

function context(): { ctx: CliContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return { ctx: { stdout, stderr, stdin: new PassThrough(), cwd: process.cwd(), interactive: false }, out: () => o, err: () => e };
}

describe('vla-bridge sim', () => {
  it('--json prints the summary: episodes, success rate, safety interventions, loop lateness', async () => {
    const c = context();
    const code = await main(['node', 'vla-bridge', 'sim', '--policy', 'scripted', '--episodes', '2', '--seed', '5', '--json'], c.ctx);
    expect(code).toBe(0);
    const summary = JSON.parse(c.out()) as Record<string, unknown>;
    expect(summary).toMatchObject({ embodiment: 'franka_panda', policy: 'scripted_reach', episodes: 2, seed: 5, success_rate: 1, safety_interventions: 0 });
    expect(summary.loop_lateness_ms).toEqual({ p50: 0, p99: 0, max: 0 });
    expect(summary.episode_results).toHaveLength(2);
    expect(c.err()).toBe('');
  });

  it('prints a readable summary without --json', async () => {
    const c = context();
    expect(await main(['node', 'vla-bridge', 'sim', '--episodes', '1', '--embodiment', 'ur5e'], c.ctx)).toBe(0);
    expect(c.out()).toMatch(/vla-bridge sim: ur5e, policy scripted_reach, 1 episodes, seed 0\n\s+success rate\s+100% \(1\/1\)/);
  });

  it('exits 2 naming the option for bad input', async () => {
    const c = context();
    expect(await main(['node', 'vla-bridge', 'sim', '--handover', 'sideways'], c.ctx)).toBe(2);
    expect(c.err()).toContain('--handover');
    const d = context();
    expect(await main(['node', 'vla-bridge', 'sim', '--episodes', '0'], d.ctx)).toBe(2);
    expect(d.err()).toContain('--episodes');
    const e = context();
    expect(await main(['node', 'vla-bridge', 'sim', '--policy', 'no/such/folder'], e.ctx)).toBe(2);
    expect(e.err()).toContain('policy folder not found');
  });
});

describe('vla-bridge sim defaults (DESIGN §3)', () => {
  it('runs the shipped demo embodiment and demo policy when given neither', async () => {
    const c = context();
    expect(await main(['node', 'vla-bridge', 'sim', '--episodes', '1', '--seed', '2000', '--json'], c.ctx)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ embodiment: 'franka_panda', policy: 'reach_demo' });
  });

  it('uses the scripted expert for another embodiment, which the demo policy was not trained on', async () => {
    const c = context();
    expect(await main(['node', 'vla-bridge', 'sim', '--embodiment', 'so101', '--episodes', '1', '--json'], c.ctx)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ embodiment: 'so101', policy: 'scripted_reach' });
  });
});
