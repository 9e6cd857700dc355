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
    expect(summary).toMatchObject({
      embodiment: 'franka_panda',
      policy: 'scripted_reach',
      episodes: 2,
      seed: 5,
      success_rate: 1,
      safety_interventions: 0,
    });
    expect(summary.loop_lateness_ms).toEqual({ p50: 0, p99: 0, max: 0 });
    expect(summary.episode_results).toHaveLength(2);
    // The summed EpisodeStats: every tick commanded the arm and its gripper, on its own topic.
    expect(summary.safety_interventions_by_limit).toEqual({});
    expect(summary.commands_sent).toBe(2 * (summary.ticks as number));
    // stderr carries nothing but the progress line a slow (loaded) machine prints every 10 s of wall time.
    expect(
      c
        .err()
        .split('\n')
        .filter((l) => l !== '' && !/^sim: episode \d+ of 2, /.test(l)),
    ).toEqual([]);
  });

  it('prints a readable summary without --json', async () => {
    const c = context();
    expect(await main(['node', 'vla-bridge', 'sim', '--episodes', '1', '--embodiment', 'ur5e'], c.ctx)).toBe(0);
    expect(c.out()).toMatch(/vla-bridge sim: ur5e, policy scripted_reach, 1 episodes, seed 0\n\s+success rate\s+100% \(1\/1\)/);
  });

  it('keeps a policy slower than half a chunk fed, and says how late its chunks ran; strict compensation runs dry', async () => {
    // The scripted expert's chunks are 10 x 0.1 s; 0.7 s of latency is over half of that.
    const args = ['node', 'vla-bridge', 'sim', '--policy', 'scripted', '--episodes', '2', '--seed', '3', '--latency', '0.7'];
    const fed = context();
    expect(await main([...args, '--json'], fed.ctx)).toBe(0);
    const kept = JSON.parse(fed.out()) as Record<string, number>;
    expect(kept.overdue_ticks).toBe(0);
    expect(kept.late_chunks).toBeGreaterThan(0);
    expect(kept.max_chunk_delay_ms).toBeGreaterThan(0);
    expect(kept.max_chunk_delay_ms).toBeLessThanOrEqual(700 + 1e-6);
    expect(kept.success_rate).toBe(1);
    const text = context();
    expect(await main(args, text.ctx)).toBe(0);
    expect(text.out()).toMatch(/latency\s+\d+ chunks run up to \d+\.\d+ ms behind their observation to keep the queue fed/);
    const strict = context();
    expect(await main([...args, '--latency-compensation', 'strict', '--json'], strict.ctx)).toBe(0);
    const dry = JSON.parse(strict.out()) as Record<string, number>;
    expect(dry.overdue_ticks).toBeGreaterThan(0);
    expect(dry.late_chunks).toBe(0);
  });

  it('exits 2 naming the option for bad input', async () => {
    const c = context();
    expect(await main(['node', 'vla-bridge', 'sim', '--handover', 'sideways'], c.ctx)).toBe(2);
    expect(c.err()).toContain('--handover');
    const l = context();
    expect(await main(['node', 'vla-bridge', 'sim', '--latency-compensation', 'none'], l.ctx)).toBe(2);
    expect(l.err()).toMatch(/--latency-compensation: unknown latency compensation "none"[\s\S]*keep_fed, strict/);
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
