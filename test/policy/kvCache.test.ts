/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { PolicyRuntime } from '../../src/policy/runtime/PolicyRuntime';
import { goldenObservation, type PolicyName, policyDir, readGolden } from './policyFixtures';

/**
 * Greedy decoding with the KV cache (present.* fed back as past_key_values.*) must equal full recomputation:
 * at every step, running the prefill on the prompt plus all tokens so far gives the same logits (1e-4) and the
 * same choice. Covers the two-file layout (tiny_openvla, tiny_fast: prefill.onnx + decode.onnx, the latter with
 * and without position_ids) and the one-file layout (tiny_rt2: past of length 0 at prefill).
 */
describe.each(['tiny_openvla', 'tiny_rt2', 'tiny_fast'] as PolicyName[])('%s', (name) => {
  let runtime: PolicyRuntime;
  beforeAll(async () => {
    runtime = await PolicyRuntime.load(policyDir(name));
  });
  afterAll(async () => {
    await runtime.close();
  });

  test.each(readGolden(name).cases.map((c) => [c.name, c] as const))(
    'case %s: cached steps equal full recomputation',
    async (_label, c) => {
      const obs = goldenObservation(name, c);
      const feeds = runtime.preprocess(obs);
      const promptIds = runtime.tokenize(obs.instruction);
      const decoder = runtime.decoder;
      if (decoder.kind !== 'tokens') throw new Error('token decoder expected');
      const request = { feeds, allowed: decoder.allowed, stopIds: decoder.stopIds, returnLogits: true };

      const cached = await runtime.executor.generate({ ...request, promptIds, maxNewTokens: decoder.maxNewTokens });
      expect(cached.tokens).toEqual(c.tokens);
      expect(cached.runs).toBe(cached.tokens.length);

      for (let i = 0; i < cached.tokens.length; i++) {
        const full = await runtime.executor.generate({
          ...request,
          feeds: runtime.preprocess(obs),
          promptIds: [...promptIds, ...cached.tokens.slice(0, i)],
          maxNewTokens: 1,
        });
        expect(full.runs).toBe(1);
        expect(full.tokens).toEqual([cached.tokens[i]]);
        const a = full.logits![0]!;
        const b = cached.logits![i]!;
        let maxDiff = 0;
        for (let k = 0; k < a.length; k++) maxDiff = Math.max(maxDiff, Math.abs(a[k]! - b[k]!));
        expect(maxDiff).toBeLessThan(1e-4);
      }
    },
  );
});
