import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { VlaError } from '../errors';
import { type BagMetadata, readBagMetadata } from './BagMetadata';
import { isZstd, ZstdStreamDecompressor } from './compression/zstd';
import { zstdFileFailure } from './storage/openFailure';
import type { StorageFileLocation, StorageId } from './storage/StorageFile';

/** rosbag2 compression of a bag (`compression_format`, `compression_mode`); zstd is the one vla-bridge reads. */
export interface BagCompression {
  format: 'zstd';
  /** `file`: each storage file compressed as a whole (`NAME.db3.zstd`); `message`: each message's payload. */
  mode: 'file' | 'message';
}

/** Where a bag's data is: its storage files in order, and its metadata.yaml if it has one. */
export interface BagLocation {
  /** The path the user gave. */
  path: string;
  files: StorageFileLocation[];
  /** As metadata.yaml declares it, or `file` when a bag without one has .zstd files; absent for none. */
  compression?: BagCompression;
  metadata?: BagMetadata;
  metadataFile?: string;
}

const MCAP_MAGIC = Buffer.from([0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a]);
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const LZ4_FRAME_MAGIC = Buffer.from([0x04, 0x22, 0x4d, 0x18]);
const ROS1_MAGIC = Buffer.from('#ROSBAG', 'latin1');
const STORAGE_BY_EXTENSION: Readonly<Record<string, StorageId>> = { '.mcap': 'mcap', '.db3': 'sqlite3' };
const ZSTD_EXTENSION = /\.zstd$/i;
const READ_HINT = 'give a rosbag2 bag: a folder with metadata.yaml and its .mcap/.db3 files (.zstd too), or one such file';
const HEAD_BYTES = 16;

function head(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const n = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The first bytes of the file a zstd-compressed file holds, decompressing no more than that needs. */
function zstdHead(path: string, bytes: number): Buffer {
  const out: Uint8Array[] = [];
  let outBytes = 0;
  const decompressor = new ZstdStreamDecompressor((block) => {
    out.push(block);
    outBytes += block.length;
  });
  const fd = openSync(path, 'r');
  try {
    for (let position = 0; outBytes < bytes; ) {
      const block = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, block, 0, block.length, position);
      if (n === 0) {
        decompressor.end();
        break;
      }
      position += n;
      decompressor.push(block.subarray(0, n));
    }
  } catch (err) {
    throw zstdFileFailure(path, err);
  } finally {
    closeSync(fd);
  }
  return Buffer.concat(out).subarray(0, bytes);
}

/** A storage file by its first bytes (by extension when it is too short to tell); a zstd file by what it holds. */
export function describeStorageFile(path: string): StorageFileLocation {
  const start = head(path, HEAD_BYTES);
  if (isZstd(start))
    return {
      path,
      storage: storageOf(path, zstdHead(path, HEAD_BYTES), path.replace(ZSTD_EXTENSION, ''), ' once decompressed'),
      zstdFile: true,
    };
  return { path, storage: storageOf(path, start, path, ''), zstdFile: false };
}

/** `name` is the file name that tells the storage by its extension; `when` qualifies "its contents". */
function storageOf(path: string, start: Buffer, name: string, when: string): StorageId {
  if (start.subarray(0, 8).equals(MCAP_MAGIC)) return 'mcap';
  if (start.equals(SQLITE_MAGIC)) return 'sqlite3';
  if (start.subarray(0, 4).equals(LZ4_FRAME_MAGIC)) {
    throw new VlaError(
      'BAG_UNSUPPORTED',
      'this bag file is compressed with lz4 as a whole; vla-bridge reads rosbag2 zstd compression only',
      {
        file: path,
        hint: `decompress it first (\`lz4 -d ${basename(path)}\`) and fix the file name in metadata.yaml`,
      },
    );
  }
  if (start.subarray(0, 7).equals(ROS1_MAGIC)) {
    throw new VlaError('BAG_UNSUPPORTED', 'this is a ROS 1 bag, not a rosbag2 bag', {
      file: path,
      hint: 'convert it to rosbag2 (for example `rosbags-convert --src FILE.bag --dst DIR`)',
    });
  }
  const byExtension = STORAGE_BY_EXTENSION[extname(name).toLowerCase()];
  if (byExtension !== undefined) {
    if (start.length < HEAD_BYTES) return byExtension;
    throw new VlaError(
      'BAG_INVALID',
      `the file is named like ${byExtension === 'mcap' ? 'an MCAP' : 'a sqlite3'} bag but its ` +
        `contents${when} are not (they do not start with the ` +
        `${byExtension === 'mcap' ? 'MCAP' : 'SQLite'} magic bytes)`,
      {
        file: path,
        hint: 'the file is corrupt or not a bag; re-copy or re-record it',
      },
    );
  }
  throw new VlaError('BAG_INVALID', `not a rosbag2 storage file (neither MCAP nor sqlite3${when})`, { file: path, hint: READ_HINT });
}

/** Orders split files by their index (`bag_2.mcap` before `bag_10.mcap`), then by name. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** .mcap/.db3 files and their .zstd forms; `X.db3.zstd` is left out when `X.db3` (its decompressed copy) is there. */
function storageFilesIn(dir: string): string[] {
  const names = new Set(
    readdirSync(dir).filter(
      (name) =>
        STORAGE_BY_EXTENSION[extname(name.replace(ZSTD_EXTENSION, '')).toLowerCase()] !== undefined && statSync(join(dir, name)).isFile(),
    ),
  );
  return [...names]
    .filter((name) => !ZSTD_EXTENSION.test(name) || !names.has(name.replace(ZSTD_EXTENSION, '')))
    .sort(naturalCompare)
    .map((name) => join(dir, name));
}

/** The compression metadata.yaml declares; BAG_UNSUPPORTED for any but zstd. */
function declaredCompression(metadata: BagMetadata, metadataFile: string): BagCompression | undefined {
  const mode = (metadata.compression_mode ?? '').toUpperCase();
  if (mode === '' || mode === 'NONE') return undefined;
  const format = (metadata.compression_format ?? '').toLowerCase();
  const supported = format === 'zstd' && (mode === 'FILE' || mode === 'MESSAGE');
  if (!supported) {
    throw new VlaError(
      'BAG_UNSUPPORTED',
      `the bag was recorded with rosbag2 ${mode.toLowerCase()} compression ` +
        `(${format || 'no format named'}), which vla-bridge does not read (it reads zstd file and ` +
        `message compression)`,
      {
        file: metadataFile,
        path: `rosbag2_bagfile_information.${format === 'zstd' ? 'compression_mode' : 'compression_format'}`,
        hint: 'write an uncompressed copy with `ros2 bag convert`; MCAP chunk compression (the MCAP default) needs no conversion',
      },
    );
  }
  return { format: 'zstd', mode: mode === 'FILE' ? 'file' : 'message' };
}

/** What metadata.yaml declares, else file compression when some files are .zstd. */
function compressionOf(declared: BagCompression | undefined, files: readonly StorageFileLocation[]): { compression?: BagCompression } {
  if (declared !== undefined) return { compression: declared };
  return files.some((f) => f.zstdFile) ? { compression: { format: 'zstd', mode: 'file' } } : {};
}

/** metadata.yaml paths are relative to the bag folder; very old bags wrote them relative to its parent. */
function locateListed(dir: string, listed: string, storage: string, metadataFile: string): string {
  const extension = storage === 'mcap' ? '.mcap' : storage === 'sqlite3' ? '.db3' : '';
  const candidates = [join(dir, listed), join(dirname(dir), listed), join(dir, basename(listed))];
  // A listed `X.db3.zstd` may have been decompressed in place (`zstd -d --rm`).
  const decompressed = candidates.filter((c) => ZSTD_EXTENSION.test(c)).map((c) => c.replace(ZSTD_EXTENSION, ''));
  for (const candidate of [...candidates, ...candidates.map((c) => c + extension), ...decompressed]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new VlaError('FILE_NOT_FOUND', `metadata.yaml lists "${listed}" but the file is not in the bag folder`, {
    file: metadataFile,
    path: 'relative_file_paths',
    hint: 'copy the missing split file into the folder, or delete metadata.yaml to read the files that are there',
  });
}

function fromFolder(path: string): BagLocation {
  const metadataFile = join(path, 'metadata.yaml');
  if (!existsSync(metadataFile)) {
    const files = storageFilesIn(path);
    if (files.length === 0) {
      throw new VlaError('BAG_INVALID', 'the folder has no metadata.yaml and no .mcap or .db3 file', { file: path, hint: READ_HINT });
    }
    const located = files.map(describeStorageFile);
    if (new Set(located.map((f) => f.storage)).size > 1) {
      throw new VlaError('BAG_INVALID', 'the folder holds both .mcap and .db3 files and no metadata.yaml to say which belong to the bag', {
        file: path,
        hint: 'give one of the files, or move the other bag out of the folder',
      });
    }
    // Split files of one bag share a name (`rec_0.mcap`, `rec_1.mcap`); differently named files may be separate
    // recordings, and summing them silently would make one long "bag" of unrelated runs.
    const stems = new Set(files.map((f) => basename(f).replace(/(_\d+)?\.(mcap|db3)(\.zstd)?$/i, '')));
    if (stems.size > 1) {
      throw new VlaError(
        'BAG_INVALID',
        `the folder holds ${files.length} storage files with different names ` +
          `(${[...stems].slice(0, 4).join(', ')}${stems.size > 4 ? ', ...' : ''}) and no ` +
          `metadata.yaml to say they form one bag`,
        {
          file: path,
          hint: 'give one of the files, or the folder of one bag (with its metadata.yaml)',
        },
      );
    }
    return { path, files: located, ...compressionOf(undefined, located) };
  }
  const metadata = readBagMetadata(metadataFile);
  const declared = declaredCompression(metadata, metadataFile);
  if (metadata.storage_identifier !== 'mcap' && metadata.storage_identifier !== 'sqlite3') {
    throw new VlaError('BAG_UNSUPPORTED', `storage "${metadata.storage_identifier}" is not one vla-bridge reads (mcap, sqlite3)`, {
      file: metadataFile,
      path: 'rosbag2_bagfile_information.storage_identifier',
      hint: 'convert the bag to MCAP with `ros2 bag convert`',
    });
  }
  const listed = metadata.relative_file_paths.length > 0 ? metadata.relative_file_paths : (metadata.files ?? []).map((f) => f.path);
  const paths =
    listed.length > 0 ? listed.map((p) => locateListed(path, p, metadata.storage_identifier, metadataFile)) : storageFilesIn(path);
  if (paths.length === 0) {
    throw new VlaError('BAG_INVALID', 'metadata.yaml lists no files and the folder has no .mcap or .db3 file', {
      file: metadataFile,
      path: 'relative_file_paths',
      hint: READ_HINT,
    });
  }
  const files = paths.map(describeStorageFile);
  return { path, metadata, metadataFile, files, ...compressionOf(declared, files) };
}

/** Finds the storage files of a bag given as a folder, a metadata.yaml, or one storage file. */
export function resolveBagFiles(path: string): BagLocation {
  if (!existsSync(path)) throw new VlaError('FILE_NOT_FOUND', 'bag not found', { file: path, hint: READ_HINT });
  const stat = statSync(path);
  if (stat.isDirectory()) return fromFolder(path);
  if (basename(path) === 'metadata.yaml') return { ...fromFolder(dirname(path)), path };
  const file = describeStorageFile(path);
  return { path, files: [file], ...compressionOf(undefined, [file]) };
}
