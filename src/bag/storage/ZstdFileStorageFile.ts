import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describeError, VlaError } from '../../errors';
import { ZstdStreamDecompressor } from '../compression/zstd';
import { openFailure, zstdFileFailure } from './openFailure';
import type { StorageFile } from './StorageFile';
import { StorageFileWrapper } from './StorageFileWrapper';

const READ_BLOCK_BYTES = 1024 * 1024;

/**
 * Decompresses `source` into `target` one block at a time, so a multi-gigabyte file never sits in memory.
 * Corrupt or truncated data: BAG_INVALID naming `source`.
 */
async function decompressInto(source: string, target: string): Promise<void> {
  let input: FileHandle;
  try {
    input = await open(source, 'r');
  } catch (err) {
    throw openFailure(source, err);
  }
  let output: number;
  try {
    output = openSync(target, 'wx');
  } catch (err) {
    await input.close();
    throw writeFailure(source, target, err);
  }
  let position = 0;
  try {
    let writeError: unknown;
    const decompressor = new ZstdStreamDecompressor((block) => {
      try {
        writeSync(output, block);
      } catch (err) {
        writeError ??= err;
      }
    });
    for (;;) {
      // A fresh buffer per read: the decompressor keeps unfinished input by reference.
      const block = Buffer.allocUnsafe(READ_BLOCK_BYTES);
      const { bytesRead } = await input.read(block, 0, block.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      decompressor.push(block.subarray(0, bytesRead));
      if (writeError !== undefined) throw writeFailure(source, target, writeError);
    }
    decompressor.end();
  } catch (err) {
    if (err instanceof VlaError) throw err;
    if (typeof (err as NodeJS.ErrnoException).code === 'string') throw openFailure(source, err);
    throw zstdFileFailure(source, err);
  } finally {
    closeSync(output);
    await input.close();
  }
}

function writeFailure(source: string, target: string, err: unknown): VlaError {
  const code = (err as NodeJS.ErrnoException).code ?? describeError(err);
  return new VlaError('RUN_FAILED', `cannot write the decompressed copy of the bag file to ${target} (${code})`, {
    file: source,
    cause: err,
    hint: 'free space in the temporary folder, or point TMPDIR at a disk with room for the decompressed file',
  });
}

/**
 * A storage file rosbag2 compressed as a whole (`--compression-mode file`: `NAME.db3.zstd`, `NAME.mcap.zstd`). It
 * is decompressed into a private folder under the system temporary folder and read from there, under its own
 * name in errors and info; closing removes the copy, and so does a failure to open it.
 */
export class ZstdFileStorageFile extends StorageFileWrapper {
  private constructor(
    copy: StorageFile,
    private readonly tempDir: string,
  ) {
    super(copy);
  }

  /** `openCopy` opens the decompressed file (named after `path` in errors). */
  static async open(path: string, openCopy: (copyPath: string) => Promise<StorageFile>): Promise<ZstdFileStorageFile> {
    const tempDir = mkdtempSync(join(tmpdir(), 'vla-bridge-zstd-'));
    try {
      const copyPath = join(tempDir, basename(path).replace(/\.zstd$/i, '') || 'bag');
      await decompressInto(path, copyPath);
      return new ZstdFileStorageFile(await openCopy(copyPath), tempDir);
    } catch (err) {
      rmSync(tempDir, { recursive: true, force: true });
      throw err;
    }
  }

  override async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      rmSync(this.tempDir, { recursive: true, force: true });
    }
  }
}
