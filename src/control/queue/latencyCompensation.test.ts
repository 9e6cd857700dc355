import fc from 'fast-check';
import { delayChunk, delayToCoverS } from './latencyCompensation';
import { chunkEndS, type TargetChunk } from './TargetChunk';

function chunk(startS: number, horizon = 10, stepDtS = 0.1): TargetChunk {
  return { startS, stepDtS, horizon, stepsToExecute: 5, width: 1, anchor: Float64Array.of(0), points: new Float64Array(horizon) };
}

describe('delayToCoverS', () => {
  it('is 0 when the chunk already lasts until the next one is due', () => {
    expect(delayToCoverS(chunk(10), 10.3, 10.61)).toBe(0);
    expect(delayToCoverS(chunk(10), 10.3, 11)).toBe(0);
  });

  it('delays the chunk just enough that its horizon reaches the next chunk', () => {
    // Observed at 10, arrived at 10.7, the next is due at 11.41: the chunk must end there, 0.41 s late.
    expect(delayToCoverS(chunk(10), 10.7, 11.41)).toBeCloseTo(0.41, 12);
  });

  it('never starts a chunk later than its arrival', () => {
    expect(delayToCoverS(chunk(10), 10.7, 12.5)).toBeCloseTo(0.7, 12);
    expect(delayToCoverS(chunk(10), 9, 12.5)).toBe(0);
  });

  it('for any timing: a delay within [0, arrival - start], covering the next chunk whenever that is possible', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        (startS, latencyS, untilAfterArrivalS, horizon) => {
          const c = chunk(startS, horizon, 0.05);
          const arrivalS = startS + latencyS;
          const coverUntilS = arrivalS + untilAfterArrivalS;
          const d = delayToCoverS(c, arrivalS, coverUntilS);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(latencyS + 1e-12);
          const endS = chunkEndS(delayChunk(c, d));
          if (untilAfterArrivalS <= horizon * 0.05) expect(endS).toBeGreaterThanOrEqual(coverUntilS - 1e-9);
          // Never later than needed.
          if (d > 0) expect(endS).toBeLessThanOrEqual(Math.max(coverUntilS, chunkEndS(c)) + 1e-9);
        },
      ),
    );
  });
});

describe('delayChunk', () => {
  it('moves the timeline and keeps the waypoints', () => {
    const c = chunk(10);
    const d = delayChunk(c, 0.25);
    expect(d.startS).toBe(10.25);
    expect(d.points).toBe(c.points);
    expect(c.startS).toBe(10);
    expect(delayChunk(c, 0)).toBe(c);
  });
});
