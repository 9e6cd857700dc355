import fc from 'fast-check';
import { compressBlock, compressLz4Frame } from './lz4Frame';
import { xxhash32 } from './xxhash32';

// The decompressor the MCAP reader uses (@mcap/support loads it for lz4 chunks).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const decompress = require('@foxglove/wasm-lz4') as ((src: Uint8Array, size: number) => Buffer) & { isLoaded: Promise<unknown> };

beforeAll(async () => {
  await decompress.isLoaded;
});

describe('xxhash32', () => {
  it('matches the reference vectors', () => {
    expect(xxhash32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxhash32(new TextEncoder().encode('a'))).toBe(0x550d7456);
    expect(xxhash32(new TextEncoder().encode('abc'))).toBe(0x32d153ff);
    expect(xxhash32(new TextEncoder().encode('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
    expect(xxhash32(new TextEncoder().encode('abc'), 1)).not.toBe(0x32d153ff);
  });
});

describe('compressLz4Frame', () => {
  it('round-trips any bytes through the LZ4 frame decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const out = decompress(compressLz4Frame(bytes), bytes.length);
        expect(Buffer.compare(out, Buffer.from(bytes))).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips repetitive data with long matches and long literal runs, and shrinks it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 400 })), { maxLength: 30 }),
        (runs) => {
          const bytes = Uint8Array.from(
            runs.flatMap(([pattern, times]) => Array.from({ length: times }, () => Array.from(pattern)).flat()),
          );
          const frame = compressLz4Frame(bytes);
          expect(Buffer.compare(decompress(frame, bytes.length), Buffer.from(bytes))).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
    const joints = new Float64Array(70_000).map((_, i) => Math.round(Math.sin(i / 50) * 100) / 100);
    const bytes = new Uint8Array(joints.buffer);
    const frame = compressLz4Frame(bytes);
    expect(frame.length).toBeLessThan(bytes.length / 2);
    expect(Buffer.compare(decompress(frame, bytes.length), Buffer.from(bytes))).toBe(0);
  });

  it('splits input larger than the 4 MiB block size into several blocks', () => {
    const bytes = new Uint8Array(9 * 1024 * 1024).map((_, i) => (i * 7) ^ (i >> 12));
    const frame = compressLz4Frame(bytes);
    expect(Buffer.compare(decompress(frame, bytes.length), Buffer.from(bytes))).toBe(0);
  });

  it('keeps the format rules: the last five bytes are literals', () => {
    const block = compressBlock(new Uint8Array(64).fill(7));
    // The final sequence is a literal-only token (low nibble 0) carrying the last bytes.
    const lastToken = block[block.length - 6]!;
    expect(lastToken & 0x0f).toBe(0);
    expect(lastToken >> 4).toBeGreaterThanOrEqual(5);
  });
});
