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

  it('--json prints the summary and writes a LeRobot dataset; an existing one is replaced only with --overwrite', async () => {
    const out = join(dir, 'demos');
    const r = await runCli(['record-demos', '--episodes', '1', '--seed', '2', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ dir: out, episodes: 1, successes: 1, safety_interventions: 0 });
    expect(summary.samples).toBeGreaterThan(10);
    const meta = JSON.parse(readFileSync(join(out, 'meta/vla_bridge_demos.json'), 'utf8'));
    expect(meta).toMatchObject({
      format: 'vla_bridge.demos/2',
      embodiment: 'franka_panda',
      samples: summary.samples,
      perturbation: { amplitude: 0.05, probability: 0.3 },
    });
    expect(JSON.parse(readFileSync(join(out, 'meta/info.json'), 'utf8'))).toMatchObject({
      codebase_version: 'v3.0',
      total_frames: summary.samples,
    });
    for (const file of [
      'data/chunk-000/file-000.parquet',
      'meta/tasks.parquet',
      'videos/observation.images.primary/chunk-000/file-000.mp4',
    ])
      expect(existsSync(join(out, file))).toBe(true);
    expect(r.stderr).toBe('');
    const again = await runCli(['record-demos', '--episodes', '1', '--seed', '2', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--overwrite/);
    expect(
      (await runCli(['record-demos', '--episodes', '1', '--seed', '3', '--out', out, '--overwrite', '--video-codec', 'h264'])).code,
    ).toBe(0);
  }, 240_000);

  it('refuses bad input with exit 2, naming the option', async () => {
    const r = await runCli(['record-demos', '--episodes', '2', '--perturb-probability', '1.5', '--out', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--perturb-probability/);
    const missing = await runCli(['record-demos', '--episodes', '1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--out/);
  });
});
