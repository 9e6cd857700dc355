import { VlaError } from '../errors';
import type { BagMetadata } from './BagMetadata';
import { MessageDefinitionLibrary } from './definitions/MessageDefinitionLibrary';
import { TopicDecoder } from './definitions/TopicDecoder';
import { mergeByLogTime } from './mergeByLogTime';
import { normalizeTypeName } from './rosTypeName';
import { type BagCompression, resolveBagFiles } from './resolveBagFiles';
import { openStorageFile } from './storage/openStorageFile';
import type { StorageFile, StorageId, StorageTopic } from './storage/StorageFile';

/** A recorded message, not decoded. */
export interface RawBagMessage {
  topic: string;
  /** `pkg/msg/Name`, also for legacy bags that spell it `pkg/Name`. */
  type: string;
  logTimeNs: bigint;
  /** The serialized message (CDR) as stored; decompressed when the bag uses rosbag2 message compression. */
  data: Uint8Array;
}

/** A recorded message and its decoded object (.msg field names, typed numeric arrays: rclnodejs' shape). */
export interface BagMessage<T = unknown> extends RawBagMessage {
  message: T;
}

export interface BagTopicInfo {
  name: string;
  type: string;
  serializationFormat: string;
  count: number;
  offeredQosProfiles?: string;
}

export interface BagFileInfo {
  /** The file as it is in the bag folder (`NAME.db3.zstd` for a file-compressed bag). */
  path: string;
  storage: StorageId;
  messageCount: number;
  startNs?: bigint;
  endNs?: bigint;
}

export interface BagInfo {
  path: string;
  storage: StorageId;
  files: BagFileInfo[];
  /** Sorted by name. Topics without messages are listed with count 0. */
  topics: BagTopicInfo[];
  messageCount: number;
  startNs?: bigint;
  endNs?: bigint;
  /** endNs - startNs; 0 for a bag without messages. */
  durationNs: bigint;
  /** Version of metadata.yaml, when the bag has one. */
  metadataVersion?: number;
  /** rosbag2 compression; absent for an uncompressed bag. */
  compression?: BagCompression;
}

export interface BagReadFilter {
  topics?: Iterable<string>;
  /** Inclusive bounds on log time. */
  startNs?: bigint;
  endNs?: bigint;
}

export interface OpenBagOptions {
  /** Definitions for bags that carry none. Default: this package's msg/ and the common ROS 2 types. */
  library?: MessageDefinitionLibrary;
  /** Called once per distinct warning (a definition that did not match, metadata that disagrees with the data). */
  onWarning?: (message: string) => void;
}

export interface InfoOptions {
  /** Read every record to check integrity and count (default true); false trusts the file's index. */
  verify?: boolean;
}

function merged<T extends { logTimeNs: bigint }>(sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  return sources.length === 1 ? sources[0]! : mergeByLogTime(sources);
}

/**
 * A rosbag2 bag: a folder (metadata.yaml and one or more .mcap/.db3 files, split bags) or a single file, also
 * with rosbag2's zstd compression (file mode: a decompressed copy in the temporary folder until close; message
 * mode: each payload decompressed as it is read).
 * Messages come in log-time order across files, deterministically (equal times: earlier file first, then file
 * order). Decoding uses the definitions stored in the bag, or the library's for bags without them.
 */
export class BagReader {
  readonly warnings: string[] = [];
  private readonly warned = new Set<string>();
  private readonly decoders: Map<string, TopicDecoder>[];

  private constructor(
    readonly path: string,
    readonly files: readonly StorageFile[],
    readonly metadata: BagMetadata | undefined,
    readonly compression: BagCompression | undefined,
    private readonly library: MessageDefinitionLibrary,
    private readonly onWarning: ((message: string) => void) | undefined,
  ) {
    this.decoders = files.map(() => new Map());
  }

  static async open(path: string, options: OpenBagOptions = {}): Promise<BagReader> {
    const location = resolveBagFiles(path);
    const files: StorageFile[] = [];
    try {
      const zstdMessages = location.compression?.mode === 'message';
      for (const file of location.files) files.push(await openStorageFile(file, { zstdMessages }));
    } catch (err) {
      await Promise.all(files.map((f) => f.close()));
      throw err;
    }
    return new BagReader(
      path,
      files,
      location.metadata,
      location.compression,
      options.library ?? new MessageDefinitionLibrary(),
      options.onWarning,
    );
  }

  get storage(): StorageId {
    return this.files[0]!.storage;
  }

  /** Every topic any file declares (first declaration wins), sorted by name. */
  get topics(): StorageTopic[] {
    const byName = new Map<string, StorageTopic>();
    for (const file of this.files) for (const topic of file.topics) if (!byName.has(topic.name)) byName.set(topic.name, topic);
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  topic(name: string): StorageTopic | undefined {
    return this.topics.find((t) => t.name === name);
  }

  async info(options: InfoOptions = {}): Promise<BagInfo> {
    const verify = options.verify ?? true;
    const counts = new Map<string, number>();
    const files: BagFileInfo[] = [];
    for (const file of this.files) {
      const summary = await file.summary({ verify });
      for (const w of summary.warnings) this.warn(`${file.path}: ${w}`);
      for (const [topic, n] of summary.countsByTopic) counts.set(topic, (counts.get(topic) ?? 0) + n);
      const fileInfo: BagFileInfo = { path: file.path, storage: file.storage, messageCount: summary.messageCount };
      if (summary.startNs !== undefined) fileInfo.startNs = summary.startNs;
      if (summary.endNs !== undefined) fileInfo.endNs = summary.endNs;
      files.push(fileInfo);
    }
    const topics = this.topics.map((t) => {
      const info: BagTopicInfo = { name: t.name, type: t.type, serializationFormat: t.serializationFormat, count: counts.get(t.name) ?? 0 };
      if (t.offeredQosProfiles !== undefined) info.offeredQosProfiles = t.offeredQosProfiles;
      return info;
    });
    for (const t of topics) {
      if (t.serializationFormat !== 'cdr')
        this.warn(
          `topic ${t.name} uses message encoding "${t.serializationFormat}": its messages are counted but vla-bridge cannot decode them (CDR only)`,
        );
    }
    this.compareWithMetadata(topics);
    const starts = files.map((f) => f.startNs).filter((t): t is bigint => t !== undefined);
    const ends = files.map((f) => f.endNs).filter((t): t is bigint => t !== undefined);
    const info: BagInfo = {
      path: this.path,
      storage: this.storage,
      files,
      topics,
      messageCount: files.reduce((n, f) => n + f.messageCount, 0),
      durationNs: 0n,
    };
    if (starts.length > 0 && ends.length > 0) {
      info.startNs = starts.reduce((a, b) => (b < a ? b : a));
      info.endNs = ends.reduce((a, b) => (b > a ? b : a));
      info.durationNs = info.endNs - info.startNs;
    }
    if (this.metadata !== undefined) info.metadataVersion = this.metadata.version;
    if (this.compression !== undefined) info.compression = this.compression;
    return info;
  }

  /** Messages in log-time order, not decoded. */
  rawMessages(filter: BagReadFilter = {}): AsyncGenerator<RawBagMessage> {
    const topics = filter.topics === undefined ? undefined : new Set(filter.topics);
    return merged(this.files.map((file, i) => this.fromFile(i, file, topics, filter, false)));
  }

  /**
   * Messages in log-time order, decoded. Topics named in the filter are checked when this is called (present
   * in the bag, decodable), so a bad request fails before any message is read.
   */
  messages<T = unknown>(filter: BagReadFilter = {}): AsyncGenerator<BagMessage<T>> {
    const topics = filter.topics === undefined ? undefined : new Set(filter.topics);
    for (const name of topics ?? []) {
      if (this.topic(name) === undefined) {
        throw new VlaError(
          'BAG_INVALID',
          `the bag has no topic ${name} (it has: ${this.topics.map((t) => t.name).join(', ') || 'no topics'})`,
          {
            file: this.path,
            path: name,
            hint: 'check the topic names in the embodiment YAML against `vla-bridge bag-info`',
          },
        );
      }
      this.files.forEach((file, i) => {
        const topic = file.topics.find((t) => t.name === name);
        if (topic !== undefined) this.decoderFor(i, topic);
      });
    }
    return merged(this.files.map((file, i) => this.fromFile(i, file, topics, filter, true))) as AsyncGenerator<BagMessage<T>>;
  }

  async close(): Promise<void> {
    await Promise.all(this.files.map((f) => f.close()));
  }

  /** One generator per file (each layer of async iteration costs about a microsecond per message). */
  private async *fromFile(
    index: number,
    file: StorageFile,
    topics: ReadonlySet<string> | undefined,
    filter: BagReadFilter,
    decode: boolean,
  ): AsyncGenerator<RawBagMessage | BagMessage> {
    const byName = new Map(file.topics.map((t) => [t.name, t]));
    const readFilter = { topics, startNs: filter.startNs, endNs: filter.endNs };
    for await (const m of file.read(readFilter)) {
      const topic = byName.get(m.topic)!;
      if (!decode) {
        yield { topic: m.topic, type: topic.type, logTimeNs: m.logTimeNs, data: m.data };
        continue;
      }
      const message = this.decoderFor(index, topic).decode(m.data, m.logTimeNs);
      yield { topic: m.topic, type: topic.type, logTimeNs: m.logTimeNs, data: m.data, message };
    }
  }

  private decoderFor(fileIndex: number, topic: StorageTopic): TopicDecoder {
    const cache = this.decoders[fileIndex]!;
    let decoder = cache.get(topic.name);
    if (decoder === undefined) {
      const decodable = {
        name: topic.name,
        type: normalizeTypeName(topic.type),
        serializationFormat: topic.serializationFormat,
        file: this.files[fileIndex]!.path,
        definition: topic.definition,
      };
      decoder = TopicDecoder.create(decodable, this.library, (w) => this.warn(w));
      cache.set(topic.name, decoder);
    }
    return decoder;
  }

  private compareWithMetadata(topics: readonly BagTopicInfo[]): void {
    if (this.metadata === undefined) return;
    for (const entry of this.metadata.topics_with_message_count) {
      const name = entry.topic_metadata.name;
      const actual = topics.find((t) => t.name === name);
      if (actual !== undefined && BigInt(actual.count) !== entry.message_count) {
        this.warn(
          `metadata.yaml counts ${entry.message_count} messages on ${name} but the files hold ${actual.count} (counts shown are from the files)`,
        );
      }
    }
  }

  private warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.warnings.push(message);
    this.onWarning?.(message);
  }
}
