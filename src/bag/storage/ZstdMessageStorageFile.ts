import { describeError, VlaError } from '../../errors';
import { decompressZstd } from '../compression/zstd';
import type { RawMessage, ReadFilter } from './StorageFile';
import { StorageFileWrapper } from './StorageFileWrapper';

/**
 * A storage file of a bag recorded with rosbag2 message compression (`--compression-mode message`): the file is
 * plain .db3/.mcap, but every message's serialized payload is its own zstd frame. Messages come out decompressed;
 * counts and times (summary) need no decompression.
 */
export class ZstdMessageStorageFile extends StorageFileWrapper {
  override async *read(filter?: ReadFilter): AsyncGenerator<RawMessage> {
    // Per topic, the index of the message among those this read yields (from the first when unfiltered).
    const indexes = new Map<string, number>();
    for await (const m of this.inner.read(filter)) {
      const index = indexes.get(m.topic) ?? 0;
      indexes.set(m.topic, index + 1);
      let data: Uint8Array;
      try {
        data = decompressZstd(m.data);
      } catch (err) {
        throw new VlaError(
          'BAG_INVALID',
          `message ${index} on ${m.topic} (log time ${m.logTimeNs} ns) does not decompress: ` +
            `${describeError(err)}; metadata.yaml says every message is zstd-compressed ` +
            `(compression_mode MESSAGE)`,
          {
            file: this.path,
            path: m.topic,
            cause: err,
            hint: 'the bag file is damaged, or metadata.yaml does not belong to it; re-copy the bag, or check compression_mode in metadata.yaml',
          },
        );
      }
      yield { topic: m.topic, logTimeNs: m.logTimeNs, data };
    }
  }
}
