import type { RawMessage, ReadFilter, StorageFile, StorageSummary, SummaryOptions } from './StorageFile';

/** A storage file that passes everything to another: the base of wrappers that change one thing (read, close). */
export abstract class StorageFileWrapper implements StorageFile {
  constructor(protected readonly inner: StorageFile) {}

  get path(): string {
    return this.inner.path;
  }

  get storage(): StorageFile['storage'] {
    return this.inner.storage;
  }

  get topics(): StorageFile['topics'] {
    return this.inner.topics;
  }

  summary(options: SummaryOptions): Promise<StorageSummary> {
    return this.inner.summary(options);
  }

  read(filter?: ReadFilter): AsyncIterable<RawMessage> {
    return this.inner.read(filter);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
