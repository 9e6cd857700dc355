/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { packageRoot } from '../config/packageRoot';
import { loadPolicyManifest } from '../policy/manifest/loadPolicyManifest';
import { loadPolicy } from '../policy/loadPolicy';
import type { GuardedPolicy } from '../policy/GuardedPolicy';
import { runSimEpisodes } from '../sim/runSimEpisodes';
import { checkPolicyGolden, readGolden } from './checkPolicyGolden';
import { InstructionOverridePolicy, wrongCubeInstruction } from './InstructionOverridePolicy';
import { reachDemoPolicyDir } from './reachDemoPolicy';

const dir = reachDemoPolicyDir();
const goldenFile = join(packageRoot(), 'test', 'fixtures', 'demo', 'reach_demo_golden.json');
const panda = loadEmbodiment('franka_panda');

/** Held-out scenes (training used seed 1) on which the shipped policy reaches the named cube. */
const CLOSED_LOOP = { seed: 1000, episodes: 2 };

describe('the shipped demo policy (policies/reach_demo)', () => {
  it('is a small policy folder whose manifest states delta joint actions relative to the observation', () => {
    const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(bytes).toBeLessThan(10 * 1024 * 1024);
    expect(existsSync(join(dir, 'TRAINING.md'))).toBe(true);
    const { manifest } = loadPolicyManifest(dir);
    expect(manifest.model.type).toBe('autoregressive');
    expect(manifest.action.space).toMatchObject({
      kind: 'delta',
      delta_convention: 'relative_to_observation',
      frame: 'joint',
      names: panda.policyJointNames,
    });
    expect(manifest.action.decoder).toMatchObject({ type: 'uniform_bins', num_bins: 256 });
    expect(manifest.cameras.map((c) => c.name)).toEqual(panda.config.topics.cameras.map((c) => c.name));
  });

  it('turns recorded observations into the tokens PyTorch produced at export time (logits to 1e-4)', async () => {
    const golden = readGolden(goldenFile);
    expect(golden.cases.length).toBeGreaterThanOrEqual(3);
    // The goldens name the true target and other cubes: the instruction changes the tokens.
    expect(new Set(golden.cases.map((c) => c.tokens.join(','))).size).toBe(golden.cases.length);
    const results = await checkPolicyGolden(dir, goldenFile);
    for (const r of results) {
      expect(r.promptMatches).toBe(true);
      expect(r.tokensMatch).toBe(true);
      expect(r.maxLogitError).toBeLessThan(1e-4);
      expect(r.maxActionError).toBeLessThan(1e-9);
    }
  });

  describe('closed loop in the simulator', () => {
    let policy: GuardedPolicy;
    beforeAll(async () => {
      policy = await loadPolicy(dir);
    });
    afterAll(() => policy.close());

    it('reaches the cube the instruction names, with few safety interventions', async () => {
      const s = await runSimEpisodes({ embodiment: panda, policy, ...CLOSED_LOOP });
      expect(s.results.map((r) => r.success)).toEqual([true, true]);
      // Counted, and few: the layer trims an acceleration here and there at chunk handovers.
      expect(s.safety_interventions).toBeLessThanOrEqual(10);
      expect(s.inference_failures).toBe(0);
    });

    it('misses it when the instruction names another cube: the instruction matters', async () => {
      const s = await runSimEpisodes({
        embodiment: panda,
        policy: new InstructionOverridePolicy(policy, wrongCubeInstruction),
        ...CLOSED_LOOP,
      });
      expect(s.results.map((r) => r.success)).toEqual([false, false]);
      expect(s.results.every((r) => r.finalDistanceM > 0.1)).toBe(true);
    });
  });
});
