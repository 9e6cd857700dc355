import { closeSync, openSync, writeSync } from 'node:fs';
import { describeError, VlaError } from '../errors';

export type NpyDtype = 'uint8' | 'int32' | 'float32';

const DESCR: Record<NpyDtype, string> = { uint8: '|u1', int32: '<i4', float32: '<f4' };
const BYTES: Record<NpyDtype, number> = { uint8: 1, int32: 4, float32: 4 };

/** Magic, version 1.0, header length (uint16 LE), then the header dict padded with spaces to this many bytes in all. */
const HEADER_BYTES = 128;

/** The .npy v1.0 header for a C-order array of `shape`, padded to HEADER_BYTES (numpy's 64-byte alignment). */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${dims}, }`;
  const bodyBytes = HEADER_BYTES - 10;
  if (dict.length + 1 > bodyBytes) throw new RangeError(`npy header for shape (${shape.join(', ')}) is longer than ${bodyBytes} bytes`);
  const header = Buffer.alloc(HEADER_BYTES, 0x20);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(bodyBytes, 8);
  header.write(dict, 10, 'latin1');
  header[HEADER_BYTES - 1] = 0x0a;
  return header;
}

/**
 * Appends rows of a fixed shape to a .npy file that numpy reads directly (`np.load(path, mmap_mode='r')`).
 * The header is reserved at open and rewritten with the final row count at close, so rows stream to disk
 * without being held in memory.
 */
export class NpyWriter {
  readonly file: string;
  readonly dtype: NpyDtype;
  /** Shape of one row (the array's shape after its first dimension). */
  readonly rowShape: readonly number[];
  private readonly rowLength: number;
  private readonly fd: number;
  private rowCount = 0;
  private closed = false;

  constructor(file: string, dtype: NpyDtype, rowShape: readonly number[]) {
    this.file = file;
    this.dtype = dtype;
    this.rowShape = [...rowShape];
    this.rowLength = rowShape.reduce((a, b) => a * b, 1);
    try {
      this.fd = openSync(file, 'w');
    } catch (err) {
      throw new VlaError('FILE_UNREADABLE', `cannot create ${file} (${(err as NodeJS.ErrnoException).code ?? describeError(err)})`, { file, cause: err, hint: 'check that the output folder is writable' });
    }
    writeSync(this.fd, npyHeader(dtype, [0, ...rowShape]));
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Writes one row: exactly `product(rowShape)` values, converted to the file's dtype. */
  append(values: ArrayLike<number>): void {
    if (this.closed) throw new VlaError('RUN_FAILED', `write after close of ${this.file}`);
    if (values.length !== this.rowLength) throw new RangeError(`${this.file}: a row has ${this.rowLength} values, got ${values.length}`);
    const typed = this.dtype === 'uint8' ? Uint8Array.from(values) : this.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    writeSync(this.fd, new Uint8Array(typed.buffer, typed.byteOffset, typed.length * BYTES[this.dtype]));
    this.rowCount++;
  }

  /** Writes the final shape into the header and closes the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    writeSync(this.fd, npyHeader(this.dtype, [this.rowCount, ...this.rowShape]), 0, HEADER_BYTES, 0);
    closeSync(this.fd);
  }
}
