import { type FileHandle, open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { FileHandleReadable } from '@mcap/nodejs';
import { describeError, VlaError } from '../../errors';
import {
  type DecompressHandlers,
  loadDecompressHandlers,
  McapIndexedReader,
  type McapRecords,
  McapStreamReader,
  type McapTypedRecord,
} from '../mcapModules';
import { normalizeTypeName } from '../rosTypeName';
import { openFailure } from './openFailure';
import {
  inRange,
  type RawMessage,
  type ReadFilter,
  type StorageFile,
  type StorageSummary,
  type StorageTopic,
  type SummaryOptions,
} from './StorageFile';

type Schema = McapRecords['Schema'];
type Channel = McapRecords['Channel'];

const STREAM_BLOCK_BYTES = 4 * 1024 * 1024;
const RECOVER_HINT =
  'the recording was probably interrupted; recover what it holds with `mcap recover FILE -o fixed.mcap` (mcap CLI) and read the fixed file';

/** What a full sequential read of an MCAP file found (for files without a usable index). */
interface StreamScan {
  schemas: Map<number, Schema>;
  channels: Map<number, Channel>;
  summary: StorageSummary;
  /** True when every message's log time is >= the previous one's, so a stream read is already in order. */
  ordered: boolean;
}

function channelTopic(channel: Channel, schemas: ReadonlyMap<number, Schema>): StorageTopic {
  const schema = schemas.get(channel.schemaId);
  const topic: StorageTopic = {
    name: channel.topic,
    type: normalizeTypeName(schema?.name ?? ''),
    serializationFormat: channel.messageEncoding,
  };
  const qos = channel.metadata.get('offered_qos_profiles');
  if (qos !== undefined) topic.offeredQosProfiles = qos;
  if (schema !== undefined) topic.definition = { encoding: schema.encoding, text: new TextDecoder().decode(schema.data) };
  return topic;
}

/** Topics of a set of channels: one per topic name, the first channel's declaration wins. */
function topicsOf(channels: ReadonlyMap<number, Channel>, schemas: ReadonlyMap<number, Schema>): StorageTopic[] {
  const byName = new Map<string, StorageTopic>();
  for (const channel of channels.values()) if (!byName.has(channel.topic)) byName.set(channel.topic, channelTopic(channel, schemas));
  return [...byName.values()];
}

class SummaryBuilder {
  private readonly counts = new Map<string, number>();
  private count = 0;
  private startNs: bigint | undefined;
  private endNs: bigint | undefined;
  private lastNs: bigint | undefined;
  ordered = true;

  add(topic: string, logTimeNs: bigint): void {
    this.count++;
    this.counts.set(topic, (this.counts.get(topic) ?? 0) + 1);
    if (this.startNs === undefined || logTimeNs < this.startNs) this.startNs = logTimeNs;
    if (this.endNs === undefined || logTimeNs > this.endNs) this.endNs = logTimeNs;
    if (this.lastNs !== undefined && logTimeNs < this.lastNs) this.ordered = false;
    this.lastNs = logTimeNs;
  }

  build(warnings: string[] = []): StorageSummary {
    const summary: StorageSummary = { messageCount: this.count, countsByTopic: this.counts, warnings };
    if (this.startNs !== undefined) summary.startNs = this.startNs;
    if (this.endNs !== undefined) summary.endNs = this.endNs;
    return summary;
  }
}

/**
 * An MCAP file written by rosbag2 (or any MCAP writer with ros2msg schemas and CDR messages). Reads through the
 * summary and chunk indexes when the file has them (@mcap/core McapIndexedReader), and falls back to one
 * sequential read for files without a usable index (unindexed or unchunked writers). A file that ends before
 * its footer is truncated and refused with a hint to recover it.
 */
export class McapStorageFile implements StorageFile {
  readonly storage = 'mcap' as const;
  readonly topics: readonly StorageTopic[];

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly decompressHandlers: DecompressHandlers,
    private readonly indexed: McapIndexedReader | undefined,
    private readonly scan: StreamScan | undefined,
  ) {
    this.topics = indexed !== undefined ? topicsOf(indexed.channelsById, indexed.schemasById) : topicsOf(scan!.channels, scan!.schemas);
  }

  /** `path` names the file in errors and info; `source` is the file read, when that is another (a decompressed copy). */
  static async open(path: string, source = path): Promise<McapStorageFile> {
    let handle: FileHandle;
    try {
      handle = await open(source, 'r');
    } catch (err) {
      throw openFailure(path, err);
    }
    try {
      const decompressHandlers = await loadDecompressHandlers();
      const indexed = await tryIndexed(handle, decompressHandlers);
      if (indexed !== undefined) return new McapStorageFile(path, handle, decompressHandlers, indexed, undefined);
      const scan = await scanStream(path, handle, decompressHandlers);
      return new McapStorageFile(path, handle, decompressHandlers, undefined, scan);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async summary(options: SummaryOptions): Promise<StorageSummary> {
    if (this.scan !== undefined) return this.scan.summary;
    const indexed = this.indexed!;
    const stats = indexed.statistics;
    if (!options.verify && stats !== undefined) {
      const counts = new Map<string, number>();
      for (const [channelId, count] of stats.channelMessageCounts) {
        const topic = indexed.channelsById.get(channelId)?.topic;
        if (topic !== undefined) counts.set(topic, (counts.get(topic) ?? 0) + Number(count));
      }
      const summary: StorageSummary = { messageCount: Number(stats.messageCount), countsByTopic: counts, warnings: [] };
      if (stats.messageCount > 0n) {
        summary.startNs = stats.messageStartTime;
        summary.endNs = stats.messageEndTime;
      }
      return summary;
    }
    const scan = await scanStream(this.path, this.handle, this.decompressHandlers);
    const summary = scan.summary;
    if (stats !== undefined && BigInt(summary.messageCount) !== stats.messageCount) {
      summary.warnings.push(`the MCAP summary counts ${stats.messageCount} messages but the file holds ${summary.messageCount}`);
    }
    return summary;
  }

  read(filter: ReadFilter = {}): AsyncIterable<RawMessage> {
    return this.indexed !== undefined ? this.readIndexed(this.indexed, filter) : this.readStream(this.scan!, filter);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async *readIndexed(indexed: McapIndexedReader, filter: ReadFilter): AsyncGenerator<RawMessage> {
    const topicOf = new Map<number, string>();
    for (const [id, channel] of indexed.channelsById) topicOf.set(id, channel.topic);
    const args: Parameters<McapIndexedReader['readMessages']>[0] = { validateCrcs: true };
    if (filter.topics !== undefined) args.topics = [...filter.topics];
    if (filter.startNs !== undefined) args.startTime = filter.startNs;
    if (filter.endNs !== undefined) args.endTime = filter.endNs;
    const messages = indexed.readMessages(args);
    for (;;) {
      let next: IteratorResult<McapRecords['Message']>;
      try {
        next = await messages.next();
      } catch (err) {
        throw corrupt(this.path, err);
      }
      if (next.done === true) return;
      const message = next.value;
      const topic = topicOf.get(message.channelId);
      if (topic === undefined)
        throw corrupt(this.path, new Error(`message on channel ${message.channelId}, which the file never declares`));
      yield { topic, logTimeNs: message.logTime, data: message.data };
    }
  }

  private async *readStream(scan: StreamScan, filter: ReadFilter): AsyncGenerator<RawMessage> {
    const wanted = (m: RawMessage): boolean => (filter.topics === undefined || filter.topics.has(m.topic)) && inRange(m.logTimeNs, filter);
    if (scan.ordered) {
      for await (const message of streamMessages(this.path, this.handle, this.decompressHandlers, scan.channels))
        if (wanted(message)) yield message;
      return;
    }
    // Out-of-order records in an unindexed file: sort them (stable, so equal times keep file order).
    const all: RawMessage[] = [];
    for await (const message of streamMessages(this.path, this.handle, this.decompressHandlers, scan.channels))
      if (wanted(message)) all.push(message);
    all.sort((a, b) => (a.logTimeNs < b.logTimeNs ? -1 : a.logTimeNs > b.logTimeNs ? 1 : 0));
    yield* all;
  }
}

async function tryIndexed(handle: FileHandle, decompressHandlers: DecompressHandlers): Promise<McapIndexedReader | undefined> {
  let reader: McapIndexedReader;
  try {
    reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers });
  } catch {
    return undefined;
  }
  // Messages outside chunks are invisible to the index: such a file is read sequentially.
  const statsSayEmpty = reader.statistics !== undefined && reader.statistics.messageCount === 0n;
  if (reader.chunkIndexes.length === 0 && !statsSayEmpty) return undefined;
  for (const chunk of reader.chunkIndexes) {
    if (chunk.compression !== '' && decompressHandlers[chunk.compression] === undefined) {
      throw new VlaError('BAG_UNSUPPORTED', `MCAP chunks compressed with "${chunk.compression}", which vla-bridge cannot decompress`, {
        hint: 'convert the file with `mcap convert` or re-record it with zstd or lz4 chunk compression',
      });
    }
  }
  return reader;
}

const DATA_END_RECORD_BYTES = 1 + 8 + 4;

/**
 * Every record of the file, in file order, from one sequential read. Checks chunk CRCs (in the stream reader)
 * and the data section CRC of the DataEnd record (which @mcap/core's readers do not check), so a damaged byte
 * anywhere in the data section is found.
 */
async function* streamRecords(path: string, handle: FileHandle, decompressHandlers: DecompressHandlers): AsyncGenerator<McapTypedRecord> {
  const reader = new McapStreamReader({ decompressHandlers, validateCrcs: true });
  const block = Buffer.allocUnsafe(STREAM_BLOCK_BYTES);
  let position = 0;
  // The data section CRC runs over the bytes before DataEnd. The last 13 bytes read stay out of the running
  // CRC (in `tail`) until the next block shows that DataEnd does not start among them.
  let crcBeforeTail = 0;
  let tail = Buffer.alloc(0);
  for (;;) {
    const { bytesRead } = await handle.read(block, 0, block.length, position);
    if (bytesRead === 0) break;
    const current = block.subarray(0, bytesRead);
    const pendingStart = position - tail.length;
    position += bytesRead;
    reader.append(current);
    for (;;) {
      let record: McapTypedRecord | undefined;
      try {
        record = reader.nextRecord();
      } catch (err) {
        throw corrupt(path, err);
      }
      if (record === undefined) break;
      if (record.type === 'DataEnd' && record.dataSectionCrc !== 0) {
        const upTo = position - reader.bytesRemaining() - DATA_END_RECORD_BYTES - pendingStart;
        let crc = crc32(tail.subarray(0, Math.min(upTo, tail.length)), crcBeforeTail);
        if (upTo > tail.length) crc = crc32(current.subarray(0, upTo - tail.length), crc);
        if (crc !== record.dataSectionCrc)
          throw corrupt(path, new Error(`data section CRC ${crc} does not match the recorded ${record.dataSectionCrc}`));
      }
      yield record;
    }
    if (reader.done()) return;
    if (current.length >= DATA_END_RECORD_BYTES) {
      crcBeforeTail = crc32(current.subarray(0, current.length - DATA_END_RECORD_BYTES), crc32(tail, crcBeforeTail));
      tail = Buffer.from(current.subarray(current.length - DATA_END_RECORD_BYTES));
    } else {
      const joined = Buffer.concat([tail, current]);
      const keep = Math.min(DATA_END_RECORD_BYTES, joined.length);
      crcBeforeTail = crc32(joined.subarray(0, joined.length - keep), crcBeforeTail);
      tail = joined.subarray(joined.length - keep);
    }
  }
  if (position === 0) {
    throw new VlaError('BAG_INVALID', 'the MCAP file is empty (0 bytes)', { file: path, hint: RECOVER_HINT });
  }
  if (!reader.done()) {
    throw new VlaError('BAG_INVALID', `the MCAP file is truncated: it ends after ${position} bytes without its footer`, {
      file: path,
      hint: RECOVER_HINT,
    });
  }
}

async function* streamMessages(
  path: string,
  handle: FileHandle,
  decompressHandlers: DecompressHandlers,
  channels: ReadonlyMap<number, Channel>,
): AsyncGenerator<RawMessage> {
  for await (const record of streamRecords(path, handle, decompressHandlers)) {
    if (record.type !== 'Message') continue;
    const topic = channels.get(record.channelId)?.topic;
    if (topic !== undefined) yield { topic, logTimeNs: record.logTime, data: record.data };
  }
}

async function scanStream(path: string, handle: FileHandle, decompressHandlers: DecompressHandlers): Promise<StreamScan> {
  const schemas = new Map<number, Schema>();
  const channels = new Map<number, Channel>();
  const builder = new SummaryBuilder();
  for await (const record of streamRecords(path, handle, decompressHandlers)) {
    if (record.type === 'Schema') schemas.set(record.id, record);
    else if (record.type === 'Channel') channels.set(record.id, record);
    else if (record.type === 'Message') builder.add(channels.get(record.channelId)!.topic, record.logTime);
  }
  return { schemas, channels, summary: builder.build(), ordered: builder.ordered };
}

function corrupt(path: string, err: unknown): VlaError {
  if (err instanceof VlaError) return err;
  const detail = describeError(err);
  return new VlaError('BAG_INVALID', `the MCAP file is corrupt: ${detail}`, {
    file: path,
    cause: err,
    hint: 'the file was damaged after recording (copy, disk); `mcap doctor FILE` shows where, `mcap recover FILE -o fixed.mcap` keeps what is readable',
  });
}
