/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { PolicyRuntime } from '../../src/policy/runtime/PolicyRuntime';
import { goldenObservation, type GoldenCase, POLICY_NAMES, type PolicyName, policyDir, readGolden } from './policyFixtures';

/**
 * The runtime against goldens computed at export time in PyTorch and numpy (tools/export_test_models.py):
 * prompt ids exactly, logits to 1e-4, tokens and decoded actions exactly (FAST's inverse DCT to 1e-12: numpy
 * sums in another order; continuous heads to 1e-4 of the normalized output).
 */

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each(POLICY_NAMES)('golden %s', (name: PolicyName) => {
  const golden = readGolden(name);
  let runtime: PolicyRuntime;

  beforeAll(async () => {
    runtime = await PolicyRuntime.load(policyDir(name));
  });
  afterAll(async () => {
    await runtime.close();
  });

  test.each(golden.cases.map((c) => [c.name, c] as [string, GoldenCase]))('case %s', async (_label, c) => {
    const step = await runtime.step(goldenObservation(name, c), { returnLogits: true });
    expect(step.promptIds).toEqual(c.input_ids);
    const chunk = step.chunk;
    expect(chunk.observationStampS).toBe(12.5);
    expect(chunk.space).toBe(runtime.space);
    expect([chunk.horizon, chunk.dims]).toEqual([c.actions.length, c.actions[0]!.length]);

    if (c.tokens !== undefined) {
      expect(chunk.tokens).toEqual(c.tokens);
      expect(step.logits).toHaveLength(c.logits!.length);
      step.logits!.forEach((row, i) => expect(maxAbsDiff(row, c.logits![i]!)).toBeLessThan(1e-4));
    }

    const exact = name !== 'tiny_fast' && name !== 'tiny_act';
    if (exact) {
      expect(Array.from(chunk.normalized!)).toEqual(c.normalized.flat());
      expect(Array.from(chunk.actions)).toEqual(c.actions.flat());
    } else {
      const tol = name === 'tiny_fast' ? 1e-12 : 1e-4;
      expect(maxAbsDiff(chunk.normalized!, c.normalized.flat())).toBeLessThan(tol);
      // Unnormalized by std up to 0.5 (ACT) or a quantile range up to 4.1 (FAST).
      expect(maxAbsDiff(chunk.actions, c.actions.flat())).toBeLessThan(tol * 5);
    }
  });

  test('PNG frames decoded by OpenCV give the same step as raw rgb8 frames', async () => {
    const c = golden.cases[0]!;
    const raw = await runtime.step(goldenObservation(name, c, 'raw'));
    const compressed = await runtime.step(goldenObservation(name, c, 'compressed'));
    expect(Array.from(compressed.chunk.actions)).toEqual(Array.from(raw.chunk.actions));
    expect(compressed.chunk.tokens).toEqual(raw.chunk.tokens);
  });
});

describe('the worker executor', () => {
  test.each(['tiny_openvla', 'tiny_act'] as PolicyName[])('%s gives the in-process results from a worker thread', async (name) => {
    const c = readGolden(name).cases[1]!;
    const inProcess = await PolicyRuntime.load(policyDir(name));
    const worker = await PolicyRuntime.load(policyDir(name), { executor: 'worker' });
    try {
      const a = await inProcess.step(goldenObservation(name, c), { returnLogits: true });
      const b = await worker.step(goldenObservation(name, c), { returnLogits: true });
      expect(b.chunk.tokens).toEqual(a.chunk.tokens);
      expect(Array.from(b.chunk.actions)).toEqual(Array.from(a.chunk.actions));
      expect(b.logits?.map((l) => Array.from(l))).toEqual(a.logits?.map((l) => Array.from(l)));
    } finally {
      await inProcess.close();
      await worker.close();
    }
  });
});

describe('the action space a policy declares', () => {
  test.each([
    [
      'tiny_openvla',
      { kind: 'delta', deltaConvention: 'relative_to_observation', frame: 'end_effector', gripperIndex: 6, gripperConvention: 'open_is_1' },
    ],
    ['tiny_oft', { kind: 'delta', deltaConvention: 'cumulative', frame: 'end_effector', gripperIndex: 6 }],
    ['tiny_act', { kind: 'absolute', deltaConvention: undefined, frame: 'joint', gripperIndex: 7 }],
  ] as [PolicyName, object][])('%s', async (name, expected) => {
    const runtime = await PolicyRuntime.load(policyDir(name));
    try {
      expect(runtime.space).toMatchObject(expected);
    } finally {
      await runtime.close();
    }
  });
});
