import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { VlaError } from '../errors';
import { type BagMetadata, readBagMetadata } from './BagMetadata';
import type { StorageId } from './storage/StorageFile';

/** Where a bag's data is: its storage files in order, and its metadata.yaml if it has one. */
export interface BagLocation {
  /** The path the user gave. */
  path: string;
  files: { path: string; storage: StorageId }[];
  metadata?: BagMetadata;
  metadataFile?: string;
}

const MCAP_MAGIC = Buffer.from([0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a]);
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const ROS1_MAGIC = Buffer.from('#ROSBAG', 'latin1');
const STORAGE_BY_EXTENSION: Readonly<Record<string, StorageId>> = { '.mcap': 'mcap', '.db3': 'sqlite3' };
const READ_HINT = 'give a rosbag2 bag: a folder with metadata.yaml and its .mcap/.db3 files, or one .mcap or .db3 file';

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

/** The storage of one file, by its first bytes (by extension when it is too short to tell). */
export function detectStorage(path: string): StorageId {
  const start = head(path, 16);
  if (start.subarray(0, 8).equals(MCAP_MAGIC)) return 'mcap';
  if (start.equals(SQLITE_MAGIC)) return 'sqlite3';
  if (start.subarray(0, 4).equals(ZSTD_MAGIC)) {
    throw new VlaError('BAG_UNSUPPORTED', 'this bag file is compressed as a whole (rosbag2 file compression)', {
      file: path,
      hint: `decompress it first (\`zstd -d ${basename(path)}\`) and fix the file name in metadata.yaml`,
    });
  }
  if (start.subarray(0, 7).equals(ROS1_MAGIC)) {
    throw new VlaError('BAG_UNSUPPORTED', 'this is a ROS 1 bag, not a rosbag2 bag', {
      file: path,
      hint: 'convert it to rosbag2 (for example `rosbags-convert --src FILE.bag --dst DIR`)',
    });
  }
  const byExtension = STORAGE_BY_EXTENSION[extname(path).toLowerCase()];
  if (byExtension !== undefined) {
    if (start.length < 16) return byExtension;
    throw new VlaError('BAG_INVALID', `the file is named like ${byExtension === 'mcap' ? 'an MCAP' : 'a sqlite3'} bag but its contents are not (it does not start with the ${byExtension === 'mcap' ? 'MCAP' : 'SQLite'} magic bytes)`, {
      file: path,
      hint: 'the file is corrupt or not a bag; re-copy or re-record it',
    });
  }
  throw new VlaError('BAG_INVALID', 'not a rosbag2 storage file (neither MCAP nor sqlite3)', { file: path, hint: READ_HINT });
}

/** Orders split files by their index (`bag_2.mcap` before `bag_10.mcap`), then by name. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function storageFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => STORAGE_BY_EXTENSION[extname(name).toLowerCase()] !== undefined && statSync(join(dir, name)).isFile())
    .sort(naturalCompare)
    .map((name) => join(dir, name));
}

/** metadata.yaml paths are relative to the bag folder; very old bags wrote them relative to its parent. */
function locateListed(dir: string, listed: string, storage: string, metadataFile: string): string {
  const extension = storage === 'mcap' ? '.mcap' : storage === 'sqlite3' ? '.db3' : '';
  const candidates = [join(dir, listed), join(dirname(dir), listed), join(dir, basename(listed))];
  for (const candidate of [...candidates, ...candidates.map((c) => c + extension)]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  if (/\.(zstd|lz4)$/.test(listed)) {
    throw new VlaError('BAG_UNSUPPORTED', `the bag file "${listed}" is compressed as a whole (rosbag2 file compression) and is missing or unreadable`, {
      file: metadataFile,
      path: 'relative_file_paths',
      hint: 'decompress the bag first (`ros2 bag convert` or `zstd -d`) and list the decompressed files',
    });
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
      const compressed = readdirSync(path).some((n) => /\.(mcap|db3)\.(zstd|lz4)$/.test(n));
      throw new VlaError(compressed ? 'BAG_UNSUPPORTED' : 'BAG_INVALID', compressed ? 'the bag folder holds only compressed files (rosbag2 file compression)' : 'the folder has no metadata.yaml and no .mcap or .db3 file', {
        file: path,
        hint: compressed ? 'decompress the files first (`zstd -d FILE`)' : READ_HINT,
      });
    }
    const located = files.map((f) => ({ path: f, storage: detectStorage(f) }));
    if (new Set(located.map((f) => f.storage)).size > 1) {
      throw new VlaError('BAG_INVALID', 'the folder holds both .mcap and .db3 files and no metadata.yaml to say which belong to the bag', {
        file: path,
        hint: 'give one of the files, or move the other bag out of the folder',
      });
    }
    return { path, files: located };
  }
  const metadata = readBagMetadata(metadataFile);
  const mode = (metadata.compression_mode ?? '').toUpperCase();
  if (mode !== '' && mode !== 'NONE') {
    throw new VlaError('BAG_UNSUPPORTED', `the bag was recorded with rosbag2 ${mode.toLowerCase()} compression (${metadata.compression_format ?? '?'}), which vla-bridge does not read`, {
      file: metadataFile,
      path: 'rosbag2_bagfile_information.compression_mode',
      hint: 'write an uncompressed copy with `ros2 bag convert`; MCAP chunk compression (the MCAP default) needs no conversion',
    });
  }
  if (metadata.storage_identifier !== 'mcap' && metadata.storage_identifier !== 'sqlite3') {
    throw new VlaError('BAG_UNSUPPORTED', `storage "${metadata.storage_identifier}" is not one vla-bridge reads (mcap, sqlite3)`, {
      file: metadataFile,
      path: 'rosbag2_bagfile_information.storage_identifier',
      hint: 'convert the bag to MCAP with `ros2 bag convert`',
    });
  }
  const listed = metadata.relative_file_paths.length > 0 ? metadata.relative_file_paths : (metadata.files ?? []).map((f) => f.path);
  const paths = listed.length > 0 ? listed.map((p) => locateListed(path, p, metadata.storage_identifier, metadataFile)) : storageFilesIn(path);
  if (paths.length === 0) {
    throw new VlaError('BAG_INVALID', 'metadata.yaml lists no files and the folder has no .mcap or .db3 file', { file: metadataFile, path: 'relative_file_paths', hint: READ_HINT });
  }
  return { path, metadata, metadataFile, files: paths.map((f) => ({ path: f, storage: detectStorage(f) })) };
}

/** Finds the storage files of a bag given as a folder, a metadata.yaml, or one storage file. */
export function resolveBagFiles(path: string): BagLocation {
  if (!existsSync(path)) throw new VlaError('FILE_NOT_FOUND', 'bag not found', { file: path, hint: READ_HINT });
  const stat = statSync(path);
  if (stat.isDirectory()) return fromFolder(path);
  if (basename(path) === 'metadata.yaml') return { ...fromFolder(dirname(path)), path };
  return { path, files: [{ path, storage: detectStorage(path) }] };
}
