import { Packr } from 'msgpackr';
import { VlaError } from '../../errors';
import { ndarray, packMessage, packTransient, unpackMessage } from './numpyMsgpack';

const hex = (s: string) => Buffer.from(s).toString('hex');

describe('openpi numpy msgpack', () => {
  it('writes arrays as maps with bytes keys, raw C-order data, the numpy dtype string and the shape', () => {
    const frame = Buffer.from(packMessage({ actions: ndarray(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]) }));
    const text = frame.toString('hex');
    // bin 8 keys (0xc4 + length), not str keys: numpy's msgpack hook looks them up as bytes.
    expect(text).toContain(`c40b${hex('__ndarray__')}c3`);
    expect(text).toContain(`c404${hex('data')}c418${Buffer.from(Float32Array.of(1, 2, 3, 4, 5, 6).buffer).toString('hex')}`);
    expect(text).toContain(`c405${hex('dtype')}a3${hex('<f4')}`);
    expect(text).toContain(`c405${hex('shape')}920203`);
  });

  it('reads back every dtype with its shape, and scalars', () => {
    const message = {
      image: ndarray(Uint8Array.of(0, 128, 255), [1, 1, 3]),
      state: ndarray(Float64Array.of(-1.5, 2.25), [2]),
      ids: ndarray(BigInt64Array.of(-3n, 9007199254740993n), [2]),
      nested: { list: [1, 'two', ndarray(Int16Array.of(-7), [1])] },
      scalar: { kind: 'npgeneric', dtype: '<f8', value: 0.5 },
      prompt: 'reach the red cube',
    };
    const back = unpackMessage(packMessage(message)) as Record<string, unknown>;
    expect(back['image']).toEqual({ kind: 'ndarray', dtype: '|u1', shape: [1, 1, 3], data: Uint8Array.of(0, 128, 255) });
    expect(back['state']).toEqual({ kind: 'ndarray', dtype: '<f8', shape: [2], data: Float64Array.of(-1.5, 2.25) });
    expect((back['ids'] as { data: BigInt64Array }).data).toEqual(BigInt64Array.of(-3n, 9007199254740993n));
    expect((back['nested'] as { list: unknown[] }).list[2]).toEqual({ kind: 'ndarray', dtype: '<i2', shape: [1], data: Int16Array.of(-7) });
    expect(back['scalar']).toEqual({ kind: 'npgeneric', dtype: '<f8', value: 0.5 });
    expect(back['prompt']).toBe('reach the red cube');
  });

  it('reads an array whose bytes start at an odd offset of the frame', () => {
    const frame = packMessage({ a: 'x', b: ndarray(Float64Array.of(Math.PI), [1]) });
    const shifted = new Uint8Array(frame.length + 1);
    shifted.set(frame, 1);
    const back = unpackMessage(shifted.subarray(1)) as { b: { data: Float64Array } };
    expect(back.b.data[0]).toBe(Math.PI);
  });

  it('refuses what is not msgpack, and arrays whose data, dtype or shape do not fit', () => {
    expect(() => unpackMessage(Uint8Array.of(0xc1, 0xc1))).toThrow(/is not msgpack/);
    const te = new TextEncoder();
    const arrayMap = (data: Uint8Array, dtype: string, shape: unknown) =>
      new Map<unknown, unknown>([
        [te.encode('__ndarray__'), true],
        [te.encode('data'), data],
        [te.encode('dtype'), dtype],
        [te.encode('shape'), shape],
      ]);
    const packr = new Packr({ useRecords: false, variableMapSize: true });
    const cases: [Map<unknown, unknown>, RegExp][] = [
      [arrayMap(new Uint8Array(7), '<f4', [2]), /shape \[2\] of <f4 needs 8 bytes, data has 7/],
      [arrayMap(new Uint8Array(8), '>f4', [2]), /unsupported numpy dtype ">f4"/],
      [arrayMap(new Uint8Array(8), '<f4', 'two'), /shape "two" is not a list of sizes/],
    ];
    for (const [map, message] of cases) {
      let err: unknown;
      try {
        unpackMessage(packr.pack(new Map([['actions', map]])));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VlaError);
      expect((err as VlaError).code).toBe('POLICY_SERVER_REPLY_INVALID');
      expect((err as VlaError).message).toMatch(message);
      expect((err as VlaError).message).toContain('actions');
    }
  });

  it('reads bytes keys as text (UTF-8 included), and a "__proto__" key stays a key, not a prototype', () => {
    const te = new TextEncoder();
    const packr = new Packr({ useRecords: false, variableMapSize: true });
    const frame = packr.pack(
      new Map<unknown, unknown>([
        [te.encode('caméra'), 1],
        ['__proto__', new Map([['polluted', true]])],
        [te.encode('plain'), 'x'],
      ]),
    );
    const back = unpackMessage(frame) as Record<string, unknown>;
    expect(back['caméra']).toBe(1);
    expect(back['plain']).toBe('x');
    expect(Object.keys(back)).toEqual(['caméra', '__proto__', 'plain']);
    expect(Object.getPrototypeOf(back)).toBeNull();
    expect((back as { polluted?: unknown }).polluted).toBeUndefined();
    expect({ ...(back['__proto__'] as object) }).toEqual({ polluted: true });
  });

  it('packTransient writes the same bytes as packMessage, and the next frame reuses its memory', () => {
    const message = (v: number) => ({ image: ndarray(new Uint8Array(200_000).fill(v), [200_000]), prompt: `step ${v}` });
    const expected = [1, 2].map((v) => Buffer.from(packMessage(message(v))));
    const first = packTransient(message(1));
    expect(Buffer.from(first).equals(expected[0]!)).toBe(true);
    const [buffer, offset] = [first.buffer, first.byteOffset];
    const second = packTransient(message(2));
    expect(Buffer.from(second).equals(expected[1]!)).toBe(true);
    expect(second.buffer).toBe(buffer);
    expect(second.byteOffset).toBe(offset);
    // packMessage frames are not rewound: the next frame comes after them.
    const kept = packMessage(message(3));
    expect(packTransient(message(4)).byteOffset).toBeGreaterThanOrEqual(kept.byteOffset + kept.length);
  });
});
