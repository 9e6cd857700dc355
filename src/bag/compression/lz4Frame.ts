import { xxhash32 } from './xxhash32';

/**
 * LZ4 frame compression (the format MCAP's `lz4` chunks use), greedy single-pass matching. The npm LZ4
 * packages at hand only decompress, so chunks are compressed here; @foxglove/wasm-lz4 (the reader's
 * decompressor) checks the output in the tests.
 */

const FRAME_MAGIC = 0x184d2204;
const BLOCK_MAX_BYTES = 4 * 1024 * 1024;
const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MATCH_FIND_LIMIT = 12;
const MAX_OFFSET = 65535;
const HASH_BITS = 16;

function read32(src: Uint8Array, i: number): number {
  return (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
}

function hash(sequence: number): number {
  return Math.imul(sequence, 2654435761) >>> (32 - HASH_BITS);
}

/** Writes a length beyond the token's 15 as a run of 255s and a remainder. */
function writeLength(out: Uint8Array, pos: number, length: number): number {
  let rest = length;
  while (rest >= 255) {
    out[pos++] = 255;
    rest -= 255;
  }
  out[pos++] = rest;
  return pos;
}

function writeSequence(
  out: Uint8Array,
  pos: number,
  src: Uint8Array,
  literalStart: number,
  literalLength: number,
  offset: number,
  matchLength: number,
): number {
  const matchCode = matchLength - MIN_MATCH;
  const token = pos++;
  out[token] = (Math.min(literalLength, 15) << 4) | (matchLength === 0 ? 0 : Math.min(matchCode, 15));
  if (literalLength >= 15) pos = writeLength(out, pos, literalLength - 15);
  out.set(src.subarray(literalStart, literalStart + literalLength), pos);
  pos += literalLength;
  if (matchLength === 0) return pos;
  out[pos++] = offset & 0xff;
  out[pos++] = offset >>> 8;
  if (matchCode >= 15) pos = writeLength(out, pos, matchCode - 15);
  return pos;
}

/** One LZ4 block (raw block format, no frame). */
export function compressBlock(src: Uint8Array, table: Int32Array = new Int32Array(1 << HASH_BITS)): Uint8Array {
  const n = src.length;
  const out = new Uint8Array(n + Math.ceil(n / 255) + 16);
  table.fill(0);
  let pos = 0;
  let anchor = 0;
  let ip = 0;
  const matchStartLimit = n - MATCH_FIND_LIMIT;
  const matchEndLimit = n - LAST_LITERALS;
  while (ip < matchStartLimit) {
    const sequence = read32(src, ip);
    const h = hash(sequence);
    const ref = table[h]! - 1;
    table[h] = ip + 1;
    if (ref < 0 || ip - ref > MAX_OFFSET || read32(src, ref) !== sequence) {
      // Skip faster through data that does not compress.
      ip += 1 + ((ip - anchor) >>> 6);
      continue;
    }
    let length = MIN_MATCH;
    while (ip + length < matchEndLimit && src[ref + length] === src[ip + length]) length++;
    pos = writeSequence(out, pos, src, anchor, ip - anchor, ip - ref, length);
    ip += length;
    anchor = ip;
  }
  pos = writeSequence(out, pos, src, anchor, n - anchor, 0, 0);
  return out.subarray(0, pos);
}

/** A complete LZ4 frame: independent 4 MiB blocks, content size in the header, blocks stored raw when they do not shrink. */
export function compressLz4Frame(src: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(15);
  const view = new DataView(header.buffer);
  view.setUint32(0, FRAME_MAGIC, true);
  header[4] = 0x68; // version 01, independent blocks, content size present
  header[5] = 0x70; // 4 MiB maximum block size
  view.setBigUint64(6, BigInt(src.length), true);
  header[14] = (xxhash32(header.subarray(4, 14)) >>> 8) & 0xff;
  parts.push(header);
  const table = new Int32Array(1 << HASH_BITS);
  for (let start = 0; start < src.length; start += BLOCK_MAX_BYTES) {
    const block = src.subarray(start, Math.min(src.length, start + BLOCK_MAX_BYTES));
    const compressed = compressBlock(block, table);
    const stored = compressed.length < block.length ? compressed : block;
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, stored === block ? (block.length | 0x80000000) >>> 0 : compressed.length, true);
    parts.push(size, stored);
  }
  parts.push(new Uint8Array(4)); // end mark
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
