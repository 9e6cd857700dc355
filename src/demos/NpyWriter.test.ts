import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpyWriter, npyHeader } from './NpyWriter';
import { readNpy } from './readNpy';

describe('NpyWriter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'npy-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a v1.0 header numpy accepts: magic, 64-byte aligned, newline-terminated dict', () => {
    const h = npyHeader('float32', [3, 2]);
    expect(h.length % 64).toBe(0);
    expect(h.toString('latin1', 0, 8)).toBe('\x93NUMPY\x01\x00');
    expect(h.readUInt16LE(8)).toBe(h.length - 10);
    const dict = h.toString('latin1', 10);
    expect(dict.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }");
    expect(dict.endsWith('\n')).toBe(true);
    expect(npyHeader('uint8', [5]).toString('latin1', 10).trimEnd()).toContain("'shape': (5,)");
  });

  it('streams rows and records the final row count at close', () => {
    const file = join(dir, 'a.npy');
    const w = new NpyWriter(file, 'float32', [2, 3]);
    w.append([1, 2, 3, 4, 5, 6]);
    w.append(Float64Array.from([0.5, -1, 2, 3, 4, 1e-3]));
    w.close();
    const a = readNpy(file);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6, 0.5, -1, 2, 3, 4, Math.fround(1e-3)]);
    expect(readFileSync(file).length).toBe(128 + 12 * 4);
  });

  it('converts to uint8 and int32, and refuses a row of the wrong length', () => {
    const u = new NpyWriter(join(dir, 'u.npy'), 'uint8', [4]);
    u.append([0, 7, 255, 128]);
    expect(() => u.append([1, 2, 3])).toThrow(/4 values, got 3/);
    u.close();
    expect(Array.from(readNpy(join(dir, 'u.npy')).data)).toEqual([0, 7, 255, 128]);
    const i = new NpyWriter(join(dir, 'i.npy'), 'int32', []);
    i.append([-3]);
    i.append([70000]);
    i.close();
    const ia = readNpy(join(dir, 'i.npy'));
    expect(ia.shape).toEqual([2]);
    expect(Array.from(ia.data)).toEqual([-3, 70000]);
  });

  it('an empty recording is a valid array of zero rows', () => {
    const w = new NpyWriter(join(dir, 'e.npy'), 'float32', [7]);
    w.close();
    expect(readNpy(join(dir, 'e.npy')).shape).toEqual([0, 7]);
  });
});
