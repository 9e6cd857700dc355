import { McapStorageFile } from './McapStorageFile';
import { Sqlite3StorageFile } from './Sqlite3StorageFile';
import type { StorageFile, StorageFileLocation, StorageId } from './StorageFile';
import { ZstdFileStorageFile } from './ZstdFileStorageFile';
import { ZstdMessageStorageFile } from './ZstdMessageStorageFile';

export interface OpenStorageOptions {
  /** rosbag2 message compression: every payload is a zstd frame, decompressed as it is read. */
  zstdMessages: boolean;
}

function openUncompressed(storage: StorageId, path: string, source: string): Promise<StorageFile> {
  return storage === 'mcap' ? McapStorageFile.open(path, source) : Sqlite3StorageFile.open(path, source);
}

/** Opens one storage file of a bag, undoing rosbag2's zstd compression (of the whole file, or of each message). */
export async function openStorageFile(location: StorageFileLocation, options: OpenStorageOptions): Promise<StorageFile> {
  const { path, storage } = location;
  const file = location.zstdFile
    ? await ZstdFileStorageFile.open(path, (copy) => openUncompressed(storage, path, copy))
    : await openUncompressed(storage, path, path);
  return options.zstdMessages ? new ZstdMessageStorageFile(file) : file;
}
