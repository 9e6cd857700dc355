/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { demoBenchmark } from './demoBenchmark';

describe('demoBenchmark', () => {
  it('times the shipped demo policy in process and through the worker, with stable figure names', async () => {
    const figures = await demoBenchmark.run({ quick: true });
    expect(figures.map((f) => f.name)).toEqual(['demo.reach_demo_step', 'demo.reach_demo_step_worker']);
    for (const f of figures) {
      expect(f.unit).toBe('us');
      expect(f.median).toBeGreaterThan(0);
      expect(f.p99).toBeGreaterThanOrEqual(f.median);
      expect(Number.isFinite(f.ratio)).toBe(true);
    }
  });
});
