import { describeError } from '../src/errors';
/**
 * Export-time check of the demo policy (run by tools/train_demo_policy.py): every golden observation goes
 * through the real policy runtime (onnxruntime, KV cache) and must give PyTorch's prompt ids and tokens exactly,
 * and its logits to 1e-4.
 *
 *     npx tsx tools/check_demo_export.ts policies/reach_demo test/fixtures/demo/reach_demo_golden.json
 */
import { checkPolicyGolden } from '../src/demos/checkPolicyGolden';

const LOGIT_TOLERANCE = 1e-4;

async function main(): Promise<number> {
  const [policyDir, goldenFile] = process.argv.slice(2);
  if (policyDir === undefined || goldenFile === undefined) {
    process.stderr.write('usage: check_demo_export.ts POLICY_DIR GOLDEN_JSON\n');
    return 2;
  }
  const results = await checkPolicyGolden(policyDir, goldenFile);
  let ok = results.length > 0;
  for (const r of results) {
    const pass = r.promptMatches && r.tokensMatch && r.maxLogitError <= LOGIT_TOLERANCE;
    ok &&= pass;
    process.stdout.write(
      `${pass ? 'ok  ' : 'FAIL'} "${r.instruction}": prompt ${r.promptMatches ? 'same' : 'differs'}, ` +
        `tokens ${r.tokensMatch ? 'same' : 'differ'}, max logit error ` +
        `${r.maxLogitError.toExponential(2)}, max action error ${r.maxActionError.toExponential(2)}\n`,
    );
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`check_demo_export: ${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
