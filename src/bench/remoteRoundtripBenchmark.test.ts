import { remoteRoundtripBenchmark } from './remoteRoundtripBenchmark';

test('policy.remote_roundtrip runs against its bare ws baseline and reports bytes per observation (timings are not checked here)', async () => {
  const figures = await remoteRoundtripBenchmark.run({ quick: true });
  expect(figures.map((f) => f.name)).toEqual(['policy.remote_roundtrip']);
  const f = figures[0]!;
  expect(f.unit).toBe('us');
  expect(Number.isFinite(f.median) && Number.isFinite(f.ratio) && f.ratio > 0).toBe(true);
  // 224 x 224 x 3 image bytes, the float32 state, the prompt and the map around them.
  expect(f.extra?.['bytes_per_observation']).toBeGreaterThan(224 * 224 * 3 + 32);
  expect(f.extra?.['bytes_per_observation']).toBeLessThan(224 * 224 * 3 + 400);
});
