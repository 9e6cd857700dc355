import { Rng } from './Rng';

describe('Rng', () => {
  it('gives the same sequence for the same seed and episode, different ones otherwise', () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.next()
      )(Rng.forEpisode(3, 1)),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.next()
      )(Rng.forEpisode(3, 1)),
    );
    const c = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.next()
      )(Rng.forEpisode(3, 2)),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws uniformly enough for scenes (mean of 10000 draws near 0.5, ints cover their range)', () => {
    const r = new Rng(42);
    let sum = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 10000; i++) {
      sum += r.next();
      seen.add(r.int(3));
    }
    expect(sum / 10000).toBeCloseTo(0.5, 1);
    expect([...seen].sort()).toEqual([0, 1, 2]);
    expect(r.permutation(5).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
