import { Packr, RESET_BUFFER_MODE, Unpackr } from 'msgpackr';
import { VlaError } from '../../errors';

/**
 * openpi's wire encoding (openpi_client/msgpack_numpy.py): msgpack maps in which a numpy array is a map with
 * the *bytes* keys `__ndarray__` (true), `data` (raw C-order bytes), `dtype` (numpy's dtype string, e.g. `<f4`)
 * and `shape`, and a numpy scalar a map with `__npgeneric__` (true), `data` (the value) and `dtype`.
 * Everything else is plain msgpack (strings as str, bytes as bin).
 */

export type NdDtype = '|u1' | '|i1' | '<u2' | '<i2' | '<i4' | '<u4' | '<i8' | '<u8' | '<f4' | '<f8' | '|b1';
type NdData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** A numpy array on the wire. */
export interface NdArray {
  readonly kind: 'ndarray';
  dtype: NdDtype;
  shape: number[];
  data: NdData;
}

/** A numpy scalar (np.float32(1.5)...). */
export interface NpScalar {
  readonly kind: 'npgeneric';
  dtype: string;
  value: number | bigint | boolean;
}

const BYTES_PER: Record<NdDtype, number> = {
  '|u1': 1,
  '|i1': 1,
  '|b1': 1,
  '<u2': 2,
  '<i2': 2,
  '<i4': 4,
  '<u4': 4,
  '<i8': 8,
  '<u8': 8,
  '<f4': 4,
  '<f8': 8,
};
const te = new TextEncoder();
const KEY = {
  ndarray: te.encode('__ndarray__'),
  npgeneric: te.encode('__npgeneric__'),
  data: te.encode('data'),
  dtype: te.encode('dtype'),
  shape: te.encode('shape'),
};

export function ndarray(data: NdData, shape: readonly number[]): NdArray {
  return { kind: 'ndarray', dtype: dtypeOf(data), shape: [...shape], data };
}

function dtypeOf(data: NdData): NdDtype {
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof BigInt64Array) return '<i8';
  if (data instanceof BigUint64Array) return '<u8';
  if (data instanceof Float32Array) return '<f4';
  return '<f8';
}

const packr = new Packr({ useRecords: false, variableMapSize: true, useFloat32: 0 });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: 'bigint' });

/** Encodes a message (string-keyed object tree, NdArray and NpScalar leaves) as one msgpack frame of its own. */
export function packMessage(message: Record<string, unknown>): Uint8Array {
  return packr.pack(toWire(message));
}

/**
 * packMessage for a frame the caller is done with before anything else is packed (a masked WebSocket send with
 * compression off, which copies it before send() returns): msgpackr's packers write into one shared buffer, and
 * this rewinds it to the frame's start afterwards, so a ~150 KB observation per request reuses the same memory
 * instead of a fresh allocation every few frames (page faults and garbage collection at the policy rate).
 */
export function packTransient(message: Record<string, unknown>): Uint8Array {
  return packr.pack(toWire(message), RESET_BUFFER_MODE);
}

function toWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return value;
  const tagged = value as Partial<NdArray | NpScalar>;
  if (tagged.kind === 'ndarray') {
    const a = value as NdArray;
    const bytes = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
    return new Map<unknown, unknown>([
      [KEY.ndarray, true],
      [KEY.data, bytes],
      [KEY.dtype, a.dtype],
      [KEY.shape, a.shape],
    ]);
  }
  if (tagged.kind === 'npgeneric') {
    const s = value as NpScalar;
    return new Map<unknown, unknown>([
      [KEY.npgeneric, true],
      [KEY.data, s.value],
      [KEY.dtype, s.dtype],
    ]);
  }
  if (Array.isArray(value)) return value.map(toWire);
  return new Map(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
}

/** Decodes one frame. Throws POLICY_SERVER_REPLY_INVALID (never a raw msgpack error) for anything that is not msgpack. */
export function unpackMessage(frame: Uint8Array): unknown {
  let raw: unknown;
  try {
    raw = unpackr.unpack(frame);
  } catch (err) {
    throw new VlaError(
      'POLICY_SERVER_REPLY_INVALID',
      `the frame (${frame.length} bytes) is not msgpack: ${err instanceof Error ? err.message : String(err)}`,
      { hint: 'is the server speaking the openpi policy protocol?' },
    );
  }
  return fromWire(raw, '');
}

const utf8 = new TextDecoder();

/** A map key as text: openpi's keys are short ASCII bytes, read without allocating a Buffer per key. */
function keyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (!(key instanceof Uint8Array)) return String(key);
  if (key.length > 64) return utf8.decode(key);
  let text = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (c >= 0x80) return utf8.decode(key);
    text += String.fromCharCode(c);
  }
  return text;
}

function fromWire(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => fromWire(v, `${path}[${i}]`));
  if (!(value instanceof Map)) return value;
  // One pass over the map: its keys as text, values still raw (an array's data stays a view of the frame).
  // No prototype: a "__proto__" key from the wire stays a plain key.
  const entries: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of value as Map<unknown, unknown>) entries[keyText(k)] = v;
  if (entries['__ndarray__'] === true) return decodeArray(entries, path);
  if (entries['__npgeneric__'] === true) {
    const data = entries['data'];
    if (typeof data !== 'number' && typeof data !== 'bigint' && typeof data !== 'boolean')
      throw invalid(path, `a numpy scalar holds ${typeof data}`);
    return { kind: 'npgeneric', dtype: String(entries['dtype']), value: data } satisfies NpScalar;
  }
  for (const k in entries) {
    const v = entries[k];
    if (typeof v === 'object' && v !== null) entries[k] = fromWire(v, path === '' ? k : `${path}.${k}`);
  }
  return entries;
}

function invalid(path: string, message: string): VlaError {
  return new VlaError('POLICY_SERVER_REPLY_INVALID', `${path || 'the reply'}: ${message}`, { path: path || undefined });
}

function decodeArray(entries: Record<string, unknown>, path: string): NdArray {
  const dtype = entries['dtype'];
  const shape = entries['shape'];
  const data = entries['data'];
  if (typeof dtype !== 'string' || !(dtype in BYTES_PER))
    throw invalid(path, `unsupported numpy dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(BYTES_PER).join(' ')})`);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0))
    throw invalid(path, `shape ${JSON.stringify(shape)} is not a list of sizes`);
  if (!(data instanceof Uint8Array)) throw invalid(path, 'data is not bytes');
  const dt = dtype as NdDtype;
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (count * BYTES_PER[dt] !== data.byteLength)
    throw invalid(path, `shape ${JSON.stringify(shape)} of ${dt} needs ${count * BYTES_PER[dt]} bytes, data has ${data.byteLength}`);
  // A view of the frame's bytes when they are aligned for the type, else a copy into an aligned buffer.
  if (data.byteOffset % BYTES_PER[dt] === 0)
    return {
      kind: 'ndarray',
      dtype: dt,
      shape: shape as number[],
      data: typedView(dt, data.buffer as ArrayBuffer, data.byteOffset, count),
    };
  const buf = new ArrayBuffer(data.byteLength);
  new Uint8Array(buf).set(data);
  return { kind: 'ndarray', dtype: dt, shape: shape as number[], data: typedView(dt, buf, 0, count) };
}

function typedView(dtype: NdDtype, buf: ArrayBuffer, offset: number, length: number): NdData {
  switch (dtype) {
    case '|u1':
    case '|b1':
      return new Uint8Array(buf, offset, length);
    case '|i1':
      return new Int8Array(buf, offset, length);
    case '<u2':
      return new Uint16Array(buf, offset, length);
    case '<i2':
      return new Int16Array(buf, offset, length);
    case '<i4':
      return new Int32Array(buf, offset, length);
    case '<u4':
      return new Uint32Array(buf, offset, length);
    case '<i8':
      return new BigInt64Array(buf, offset, length);
    case '<u8':
      return new BigUint64Array(buf, offset, length);
    case '<f4':
      return new Float32Array(buf, offset, length);
    case '<f8':
      return new Float64Array(buf, offset, length);
  }
}

export function isNdArray(value: unknown): value is NdArray {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'ndarray';
}

/** An array's values as float64 (integer types converted; 64-bit integers through Number). */
export function ndToFloat64(a: NdArray): Float64Array {
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) return Float64Array.from(a.data, (v) => Number(v));
  return Float64Array.from(a.data as ArrayLike<number>);
}
