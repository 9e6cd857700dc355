import { describeError } from '../../errors';
import { Decompress, decompress } from 'fzstd';

/**
 * zstd decompression for rosbag2's zstd compression plugin, with fzstd (pure JavaScript): frames with or
 * without the content size in their header (one-shot ZSTD_compress, or streaming compression), one or several
 * frames in a row. Content checksums, where a frame has one, are skipped, not checked: the storage readers
 * check the decompressed file (MCAP CRCs, sqlite3 `quick_check`) and the CDR decoder each message.
 */

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;
/** fzstd's ZstdErrorCode.UnexpectedEOF. */
const UNEXPECTED_EOF = 5;

/** True when the bytes start with a zstd frame's magic number. */
export function isZstd(bytes: Uint8Array): boolean {
  return ZSTD_MAGIC.every((b, i) => bytes[i] === b);
}

/** fzstd's terse errors ("unexpected EOF") as a sentence about the data. */
function zstdFailure(err: unknown): Error {
  const code = (err as { code?: unknown }).code;
  const detail = describeError(err);
  const message = code === UNEXPECTED_EOF ? 'the zstd data ends in the middle of a frame (truncated)' : `invalid zstd data (${detail})`;
  return new Error(message, { cause: err });
}

/** Decompresses zstd frames held in memory. Throws an Error saying what is wrong with corrupt or truncated data. */
export function decompressZstd(data: Uint8Array): Uint8Array {
  if (!isZstd(data)) throw new Error('not zstd data (it does not start with the zstd magic number)');
  try {
    return decompress(data);
  } catch (err) {
    throw zstdFailure(err);
  }
}

/**
 * Streaming zstd decompression: `push` compressed bytes in pieces, decompressed blocks (up to 128 KiB) arrive in
 * `onData` as they complete, and `end` says the input is over. Memory stays at one window (what the frame
 * header asks for, 512 KiB to 8 MiB for rosbag2's levels) whatever the file size. Pushed buffers are kept by
 * reference until decoded: push a fresh buffer each time, never one that is reused.
 */
export class ZstdStreamDecompressor {
  private readonly stream: Decompress;
  private bytesIn = 0;

  constructor(onData: (block: Uint8Array) => void) {
    this.stream = new Decompress((block) => {
      if (block.length > 0) onData(block);
    });
  }

  push(chunk: Uint8Array): void {
    if (this.bytesIn === 0 && chunk.length >= ZSTD_MAGIC.length && !isZstd(chunk))
      throw new Error('not zstd data (it does not start with the zstd magic number)');
    this.bytesIn += chunk.length;
    try {
      this.stream.push(chunk);
    } catch (err) {
      throw zstdFailure(err);
    }
  }

  /** Throws when the input stopped in the middle of a frame. */
  end(): void {
    if (this.bytesIn === 0) throw new Error('the zstd data is empty (0 bytes)');
    try {
      this.stream.push(new Uint8Array(0), true);
    } catch (err) {
      throw zstdFailure(err);
    }
  }
}
