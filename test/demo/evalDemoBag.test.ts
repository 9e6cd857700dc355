/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbodiment } from '../../src/config/loadEmbodiment';
import { reachDemoPolicyDir } from '../../src/demos/reachDemoPolicy';
import { runSimEpisodes } from '../../src/sim/runSimEpisodes';
import { runCli } from '../support/runCli';

/** `vla-bridge eval` of the shipped demo policy on a demonstration bag: the scripted expert, recorded by `vla-bridge sim --record`. */
describe('the demo policy against a recorded demonstration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-bag-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports per-joint errors of its commands against the expert's, small where the expert moved", async () => {
    const bag = join(dir, 'expert');
    const recorded = await runSimEpisodes({
      embodiment: loadEmbodiment('franka_panda'),
      policy: 'scripted',
      episodes: 1,
      seed: 3000,
      recordPath: bag,
    });
    expect(recorded.success_rate).toBe(1);
    const out = join(dir, 'eval');
    const r = await runCli([
      'eval',
      '--bag',
      bag,
      '--embodiment',
      'franka_panda',
      '--policy',
      reachDemoPolicyDir(),
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
      per_dimension: { name: string; l1: number; max_abs: number; count: number }[];
    };
    const arm = metrics.per_dimension.filter((d) => d.name.startsWith('panda_joint'));
    expect(arm.map((d) => d.name)).toEqual([
      'panda_joint1',
      'panda_joint2',
      'panda_joint3',
      'panda_joint4',
      'panda_joint5',
      'panda_joint6',
      'panda_joint7',
    ]);
    for (const d of arm) {
      expect(d.count).toBeGreaterThan(100);
      // The model drives toward the same cube the expert did: a few hundredths of a radian apart on average.
      expect(d.l1).toBeLessThan(0.06);
      expect(d.max_abs).toBeLessThan(0.3);
    }
  });
});
