import { readFileSync } from 'node:fs';
import { VlaError } from '../errors';
import type { NpyDtype } from './NpyWriter';

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Uint8Array | Int32Array | Float32Array;
}

const DTYPES: Record<string, NpyDtype> = { '|u1': 'uint8', '<i4': 'int32', '<f4': 'float32' };

/** Reads a C-order .npy file of uint8, int32 or float32 (what NpyWriter and numpy write for those types). */
export function readNpy(file: string): NpyArray {
  const bytes = readFileSync(file);
  const bad = (what: string) => new VlaError('FILE_UNREADABLE', `${file} is not a readable .npy file: ${what}`, { file, hint: 'write it with numpy.save or record-demos' });
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== '\x93NUMPY') throw bad('no NUMPY magic');
  const major = bytes[6]!;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', start, start + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const dtype = descr === undefined ? undefined : DTYPES[descr];
  if (dtype === undefined) throw bad(`dtype ${descr ?? '?'} (uint8, <i4 and <f4 are read)`);
  if (/'fortran_order':\s*True/.test(header)) throw bad('Fortran order');
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw bad('no shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  const byteLength = count * (dtype === 'uint8' ? 1 : 4);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`shape (${shapeText})`);
  if (bytes.length - offset < byteLength) throw bad(`shape (${shape.join(', ')}) needs ${byteLength} bytes of data, the file holds ${bytes.length - offset}`);
  // A copy: aligned for the typed views whatever the header length.
  const copy = new Uint8Array(byteLength);
  copy.set(bytes.subarray(offset, offset + byteLength));
  const data = dtype === 'uint8' ? copy : dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
  return { dtype, shape, data };
}
