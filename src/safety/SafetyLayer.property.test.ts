import { fork } from 'node:child_process';
import { join } from 'node:path';
import { type PropertyResult, STEPS_PER_ARM } from '../../test/safety/propertyRunner';
import { allArms } from '../../test/safety/testEmbodiments';

/**
 * DESIGN §5 invariants 1-4, 6 and 7, checked by an independent checker (test/safety/InvariantChecker.ts) on
 * random and adversarial streams (jumps, NaN/Inf, targets far beyond the limits, sign flips every tick,
 * irregular, tiny, zero and negative dt, e-stop mid-motion, stale joint states, cameras and policy), in closed
 * loop, for every shipped embodiment and every URDF fixture: 100,000 steps per arm. Invariant 5 (liveness):
 * every run's output, fed back as a proposal stream, passes bit for bit.
 *
 * The properties run in two forked Node processes (test/safety/propertyRunner.ts explains why), one per core;
 * each test below asserts on its arm's results.
 */

const arms = allArms();
const RUNNER = join(__dirname, '..', '..', 'test', 'safety', 'propertyRunner.ts');

let results: Promise<Map<string, PropertyResult>>;

function runInChild(names: readonly string[]): Promise<PropertyResult[]> {
  return new Promise((resolve, reject) => {
    const got: PropertyResult[] = [];
    const child = fork(RUNNER, names, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m) => got.push(m as PropertyResult));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(got) : reject(new Error(`property runner exited with ${code}: ${stderr}`))));
  });
}

beforeAll(() => {
  const names = arms.map((a) => a.name);
  const halves = [names.filter((_, i) => i % 2 === 0), names.filter((_, i) => i % 2 === 1)];
  results = Promise.all(halves.map(runInChild)).then((all) => new Map(all.flat().map((r) => [`${r.arm}/${r.property}`, r])));
  // Keep an early failure from surfacing as an unhandled rejection before the first test awaits it.
  results.catch(() => undefined);
});

describe('safety layer invariants (property-based)', () => {
  it('covers every shipped embodiment and every URDF fixture', () => {
    const names = arms.map((a) => a.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'franka_panda',
        'ur5e',
        'widowx_250s',
        'so101',
        'kinova_gen3_7dof_vision__kinova',
        'quanser_qarm__daniella1',
      ]),
    );
    expect(names.length).toBeGreaterThanOrEqual(10);
  });

  describe.each(arms.map((a) => [a.name] as const))('%s', (name) => {
    it(`never violates invariants 1-4, 6, 7 over ${STEPS_PER_ARM} steps`, async () => {
      const r = (await results).get(`${name}/invariants`);
      expect(r?.message).toBeUndefined();
      expect(r?.ok).toBe(true);
      expect(r?.steps).toBeGreaterThanOrEqual(STEPS_PER_ARM);
    }, 300_000);

    it('passes its own (limit-satisfying) output unchanged, bit for bit', async () => {
      const r = (await results).get(`${name}/replay`);
      expect(r?.message).toBeUndefined();
      expect(r?.ok).toBe(true);
    }, 300_000);
  });
});
