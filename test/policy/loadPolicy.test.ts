/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy } from '../../src/policy/loadPolicy';
import { PolicyRuntime } from '../../src/policy/runtime/PolicyRuntime';
import { editedPolicy, goldenObservation, policyDir, readGolden } from './policyFixtures';

describe('loadPolicy (sessions in a worker thread)', () => {
  const golden = readGolden('tiny_fast');

  test('gives a Policy with the manifest contract and golden actions', async () => {
    const policy = await loadPolicy(policyDir('tiny_fast'), { deadlineS: 30 });
    try {
      expect(policy.name).toBe('tiny_fast');
      expect(policy.cameras).toEqual(['base', 'wrist']);
      expect([policy.horizon, policy.stepsToExecute, policy.stepDtS]).toEqual([10, 8, 0.05]);
      expect(policy.space).toEqual({
        names: ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'wrist_yaw', 'gripper'],
        kind: 'absolute',
        frame: 'joint',
        gripperIndex: 6,
        gripperConvention: 'open_is_1',
      });
      for (const c of golden.cases) {
        const chunk = await policy.infer(goldenObservation('tiny_fast', c, 'compressed', 7.25));
        expect(chunk.tokens).toEqual(c.tokens);
        expect(chunk.observationStampS).toBe(7.25);
        expect(chunk.inferenceS).toBeGreaterThan(0);
        expect(chunk.actions).toHaveLength(70);
      }
    } finally {
      await policy.close();
    }
  });

  test('a cancelled decoding in the worker stops with INFERENCE_TIMEOUT', async () => {
    const runtime = await PolicyRuntime.load(policyDir('tiny_fast'), { executor: 'worker' });
    try {
      const obs = goldenObservation('tiny_fast', golden.cases[0]!);
      const pending = runtime.step(obs);
      runtime.cancel();
      await expect(pending).rejects.toMatchObject({ code: 'INFERENCE_TIMEOUT' });
      // The next inference starts uncancelled.
      await expect(runtime.step(obs)).resolves.toMatchObject({ chunk: { tokens: golden.cases[0]!.tokens } });
    } finally {
      await runtime.close();
    }
  });

  test('a cancelled decoding in process stops after its current token', async () => {
    const runtime = await PolicyRuntime.load(policyDir('tiny_fast'));
    try {
      const pending = runtime.step(goldenObservation('tiny_fast', golden.cases[0]!));
      runtime.cancel();
      await expect(pending).rejects.toThrow('decoding cancelled after 1 tokens');
    } finally {
      await runtime.close();
    }
  });

  test('a model the worker cannot open rejects with the error it raised there', async () => {
    const copy = editedPolicy(
      'tiny_oft',
      (m) => m,
      (dir) => writeFileSync(join(dir, 'model.onnx'), 'not a model'),
    );
    try {
      await expect(loadPolicy(copy.dir)).rejects.toMatchObject({
        code: 'POLICY_INVALID',
        message: expect.stringContaining('cannot load model.onnx'),
      });
    } finally {
      copy.cleanup();
    }
  });
});
