/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { policyBenchmark } from './policyBenchmark';

test('the policy benchmark runs and publishes its figures under stable names (timings are not checked here)', async () => {
  const figures = await policyBenchmark.run({ quick: true });
  expect(figures.map((f) => f.name)).toEqual([
    'policy.step_total',
    'policy.step_vs_session_run',
    'policy.preprocess',
    'policy.tokenize',
    'policy.inference',
    'policy.decode',
    'policy.step_worker',
    'policy.main_thread_cpu',
    'policy.preprocess_vs_loop',
  ]);
  for (const f of figures) {
    expect(f.unit).toBe('us');
    expect(Number.isFinite(f.median) && Number.isFinite(f.ratio)).toBe(true);
    expect(f.method.length).toBeGreaterThan(20);
  }
});
