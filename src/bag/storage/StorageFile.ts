import type { StoredDefinition } from '../definitions/TopicDecoder';

/** rosbag2 storage plugins vla-bridge reads. */
export type StorageId = 'mcap' | 'sqlite3';

/** Where one storage file of a bag is, and how to read it. */
export interface StorageFileLocation {
  path: string;
  storage: StorageId;
  /** rosbag2 file compression: the file (`NAME.db3.zstd`, `NAME.mcap.zstd`) is the storage file in zstd frames. */
  zstdFile: boolean;
}

/** A topic as one storage file declares it. */
export interface StorageTopic {
  name: string;
  /** Normalized `pkg/msg/Name` (legacy bags spell it `pkg/Name`). */
  type: string;
  /** rosbag2 `serialization_format` / MCAP message encoding (`cdr`). */
  serializationFormat: string;
  /** rosbag2's QoS profile YAML, where recorded. */
  offeredQosProfiles?: string;
  definition?: StoredDefinition;
}

/** Counts and time range of one file, from its index or a full read. */
export interface StorageSummary {
  messageCount: number;
  countsByTopic: ReadonlyMap<string, number>;
  /** Log time of the first and last message; undefined for a file without messages. */
  startNs?: bigint;
  endNs?: bigint;
  /** What a verifying read found odd but not fatal (an index that disagrees with the data). */
  warnings: string[];
}

/** A message as stored: CDR bytes, not decoded. */
export interface RawMessage {
  topic: string;
  logTimeNs: bigint;
  data: Uint8Array;
}

export interface ReadFilter {
  /** Only these topics (all when absent). */
  topics?: ReadonlySet<string>;
  /** Inclusive bounds on log time. */
  startNs?: bigint;
  endNs?: bigint;
}

export interface SummaryOptions {
  /**
   * Read every record and check its integrity (MCAP chunk CRCs, sqlite3 `quick_check`) instead of trusting the
   * index, so a corrupt file is reported before replay reaches the damage.
   */
  verify: boolean;
}

/** One rosbag2 storage file (a split bag has several). Messages come in log-time order. */
export interface StorageFile {
  readonly path: string;
  readonly storage: StorageId;
  readonly topics: readonly StorageTopic[];
  summary(options: SummaryOptions): Promise<StorageSummary>;
  read(filter?: ReadFilter): AsyncIterable<RawMessage>;
  close(): Promise<void>;
}

export function inRange(logTimeNs: bigint, filter: ReadFilter): boolean {
  return (filter.startNs === undefined || logTimeNs >= filter.startNs) && (filter.endNs === undefined || logTimeNs <= filter.endNs);
}
