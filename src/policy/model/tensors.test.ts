import { idsTensor, idsToRanges, logitsOver, restrictedArgmax } from './tensors';

describe('restricted greedy choice', () => {
  const logits = Float32Array.from([9, 1, 5, 5, 2, 8]);

  test('only the allowed ids compete; the first maximum wins, as torch.argmax', () => {
    expect(restrictedArgmax(logits, [[0, 6]])).toBe(0);
    expect(restrictedArgmax(logits, [[1, 4]])).toBe(2);
    expect(
      restrictedArgmax(logits, [
        [1, 2],
        [4, 6],
      ]),
    ).toBe(5);
  });

  test('a NaN logit among the allowed ids is an error, outside them it does not matter', () => {
    const withNaN = Float32Array.from([NaN, 1, 2]);
    expect(() => restrictedArgmax(withNaN, [[0, 3]])).toThrow('the logit of action token 0 is NaN');
    expect(restrictedArgmax(withNaN, [[1, 3]])).toBe(2);
  });

  test('-Infinity everywhere still picks an id (the first)', () => {
    expect(restrictedArgmax(Float32Array.from([-Infinity, -Infinity]), [[0, 2]])).toBe(0);
  });

  test('logits over the ranges are concatenated in range order', () => {
    expect(
      Array.from(
        logitsOver(logits, [
          [4, 6],
          [0, 1],
        ]),
      ),
    ).toEqual([2, 8, 9]);
  });

  test('ids merge into ranges', () => {
    expect(idsToRanges([9, 3, 4, 5, 3])).toEqual([
      [3, 6],
      [9, 10],
    ]);
  });

  test('token tensors are int64 (optimum) or int32, batch of one', () => {
    expect(idsTensor([1, 2], 'int64')).toEqual({ type: 'int64', dims: [1, 2], data: BigInt64Array.from([1n, 2n]) });
    expect(idsTensor([1, 2], 'int32').data).toEqual(Int32Array.from([1, 2]));
  });
});
