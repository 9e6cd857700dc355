import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import * as zstd from '@foxglove/wasm-zstd';
import { FileHandleWritable } from '@mcap/nodejs';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { type ChunkCompression, chunkCompressor } from '../../../src/bag/compression/chunkCompressor';
import { MessageDefinitionLibrary } from '../../../src/bag/definitions/MessageDefinitionLibrary';
import { DEFAULT_OFFERED_QOS } from '../../../src/bag/McapRecorder';
import { McapWriter } from '../../../src/bag/mcapModules';

/**
 * Writers of real rosbag2 layouts for tests and benchmarks: sqlite3 files of every schema generation, MCAP
 * files with or without index, and metadata.yaml of any version. They write bytes the way rosbag2 does, so
 * the reader is tested against the formats, not against itself.
 */

const created: string[] = [];

/** A fresh temporary folder, removed by `removeTempDirs()` (call it in afterAll). */
export function tempDir(prefix = 'vla-bridge-bag-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

const library = new MessageDefinitionLibrary();

/** CDR bytes of a message of a common ROS 2 type. */
export function cdr(type: string, message: unknown): Uint8Array {
  const defs = library.parsed(type);
  if (defs === undefined) throw new Error(`no definition for ${type}`);
  return new MessageWriter(defs).writeMessage(message);
}

/** One zstd frame with the content size in its header (level 1), as rosbag2's one-shot ZSTD_compress writes. */
export async function zstdFrame(data: Uint8Array): Promise<Uint8Array> {
  await zstd.isLoaded;
  return zstd.compress(data, 1);
}

export interface TestTopic {
  name: string;
  /** As stored (legacy bags: `pkg/Name`). */
  type: string;
  serializationFormat?: string;
  /** Stored definition; by default the library's full text for types it knows (Iron and newer layouts). */
  definition?: { encoding: string; text: string };
}

export interface TestMessage {
  topic: string;
  logTimeNs: bigint;
  data: Uint8Array;
}

/**
 * sqlite3 schema generations: `dashing` (2019: topics and messages only), `foxy` (QoS profiles, timestamp
 * index), `humble` (schema version 3: schema and metadata tables), `iron` (schema version 4:
 * message_definitions, type_description_hash).
 */
export type SqliteLayout = 'dashing' | 'foxy' | 'humble' | 'iron';

export function writeSqliteBag(
  file: string,
  options: { layout: SqliteLayout; topics: readonly TestTopic[]; messages: readonly TestMessage[]; wal?: boolean },
): void {
  const { layout } = options;
  const db = new Database(file);
  if (options.wal === true) db.pragma('journal_mode = WAL');
  const qos = layout !== 'dashing';
  const hash = layout === 'iron';
  if (layout === 'humble' || layout === 'iron') {
    db.exec('CREATE TABLE schema(schema_version INTEGER PRIMARY KEY,ros_distro TEXT NOT NULL);');
    db.prepare('INSERT INTO schema VALUES (?, ?)').run(layout === 'iron' ? 4 : 3, layout);
    db.exec('CREATE TABLE metadata(id INTEGER PRIMARY KEY,metadata_version INTEGER NOT NULL,metadata TEXT NOT NULL);');
  }
  db.exec(
    `CREATE TABLE topics(id INTEGER PRIMARY KEY,name TEXT NOT NULL,type TEXT NOT ` +
      `NULL,serialization_format TEXT NOT NULL${qos ? ',offered_qos_profiles TEXT NOT NULL' : ''}${hash ? ',type_description_hash TEXT NOT NULL' : ''});`,
  );
  if (hash)
    db.exec(
      'CREATE TABLE message_definitions(id INTEGER PRIMARY KEY,topic_type TEXT NOT NULL,encoding ' +
        'TEXT NOT NULL,encoded_message_definition TEXT NOT NULL,type_description_hash TEXT NOT NULL);',
    );
  db.exec('CREATE TABLE messages(id INTEGER PRIMARY KEY,topic_id INTEGER NOT NULL,timestamp INTEGER NOT NULL, data BLOB NOT NULL);');
  if (layout !== 'dashing') db.exec('CREATE INDEX timestamp_idx ON messages (timestamp ASC);');
  const ids = new Map<string, number>();
  options.topics.forEach((t, i) => {
    ids.set(t.name, i + 1);
    const values: unknown[] = [i + 1, t.name, t.type, t.serializationFormat ?? 'cdr'];
    if (qos) values.push(DEFAULT_OFFERED_QOS);
    if (hash) values.push('');
    db.prepare(`INSERT INTO topics VALUES (${values.map(() => '?').join(',')})`).run(...values);
    if (hash) {
      const definition = t.definition ?? { encoding: 'ros2msg', text: library.fullText(t.type) ?? '' };
      db.prepare(
        'INSERT INTO message_definitions (topic_type, encoding, encoded_message_definition, type_description_hash) VALUES (?, ?, ?, ?)',
      ).run(t.type, definition.encoding, definition.text, '');
    }
  });
  const insert = db.prepare('INSERT INTO messages (topic_id, timestamp, data) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const m of options.messages)
      insert.run(ids.get(m.topic), m.logTimeNs, Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  })();
  db.close();
}

export interface McapTestOptions {
  topics: readonly TestTopic[];
  messages: readonly TestMessage[];
  compression?: ChunkCompression;
  /** false: no chunks (messages in the data section); default true. */
  chunked?: boolean;
  /** false: no summary, no indexes (the footer says so); default true. */
  indexed?: boolean;
  chunkSizeBytes?: number;
}

/** An MCAP file as rosbag2's MCAP plugin writes it (profile ros2, ros2msg schemas, cdr channels), in message order given. */
export async function writeMcapFile(file: string, options: McapTestOptions): Promise<void> {
  const handle = await open(file, 'w');
  const indexed = options.indexed ?? true;
  const writer = new McapWriter({
    writable: new FileHandleWritable(handle),
    useChunks: options.chunked ?? true,
    useStatistics: indexed,
    useSummaryOffsets: indexed,
    repeatSchemas: indexed,
    repeatChannels: indexed,
    useMessageIndex: indexed,
    useChunkIndex: indexed,
    useMetadataIndex: indexed,
    useAttachmentIndex: indexed,
    chunkSize: options.chunkSizeBytes ?? 768 * 1024,
    compressChunk: await chunkCompressor(options.compression ?? 'zstd'),
  });
  await writer.start({ profile: 'ros2', library: 'rosbag2 test writer' });
  const channels = new Map<string, number>();
  for (const t of options.topics) {
    const definition = t.definition ?? { encoding: 'ros2msg', text: library.fullText(t.type) ?? '' };
    const schemaId = await writer.registerSchema({
      name: t.type,
      encoding: definition.encoding,
      data: new TextEncoder().encode(definition.text),
    });
    channels.set(
      t.name,
      await writer.registerChannel({
        topic: t.name,
        messageEncoding: t.serializationFormat ?? 'cdr',
        schemaId,
        metadata: new Map([['offered_qos_profiles', DEFAULT_OFFERED_QOS]]),
      }),
    );
  }
  let sequence = 0;
  for (const m of options.messages) {
    await writer.addMessage({
      channelId: channels.get(m.topic)!,
      sequence: sequence++,
      logTime: m.logTimeNs,
      publishTime: m.logTimeNs,
      data: m.data,
    });
  }
  await writer.end();
  await handle.close();
}

export interface MetadataTestOptions {
  version: number;
  storage: string;
  files: readonly { path: string; messageCount: number }[];
  topics: readonly { name: string; type: string; count: number }[];
  startNs?: bigint;
  durationNs?: bigint;
  compressionMode?: string;
}

/** metadata.yaml with exactly the fields rosbag2 writes at `version` (1 to 9). */
export function writeMetadataYaml(dir: string, o: MetadataTestOptions): void {
  mkdirSync(dir, { recursive: true });
  const start = o.startNs ?? 0n;
  const duration = o.durationNs ?? 0n;
  const topic = (t: MetadataTestOptions['topics'][number]): Record<string, unknown> => {
    const meta: Record<string, unknown> = { name: t.name, type: t.type, serialization_format: 'cdr' };
    if (o.version >= 4) meta.offered_qos_profiles = o.version >= 9 ? [] : DEFAULT_OFFERED_QOS;
    if (o.version >= 7) meta.type_description_hash = '';
    return { topic_metadata: meta, message_count: t.count };
  };
  const info: Record<string, unknown> = {
    version: o.version,
    storage_identifier: o.storage,
    duration: { nanoseconds: duration },
    starting_time: { nanoseconds_since_epoch: start },
    message_count: o.files.reduce((n, f) => n + f.messageCount, 0),
    topics_with_message_count: o.topics.map(topic),
  };
  if (o.version >= 3) {
    info.compression_format = o.compressionMode === undefined ? '' : 'zstd';
    info.compression_mode = o.compressionMode ?? '';
  }
  info.relative_file_paths = o.files.map((f) => f.path);
  if (o.version >= 5)
    info.files = o.files.map((f) => ({
      path: f.path,
      starting_time: { nanoseconds_since_epoch: start },
      duration: { nanoseconds: duration },
      message_count: f.messageCount,
    }));
  if (o.version >= 6) info.custom_data = null;
  if (o.version >= 8) info.ros_distro = 'jazzy';
  writeFileSync(join(dir, 'metadata.yaml'), stringify({ rosbag2_bagfile_information: info }));
}

/** A sensor_msgs/msg/JointState message object. */
export function jointState(stampNs: bigint, names: readonly string[], position: readonly number[]): Record<string, unknown> {
  return {
    header: { stamp: { sec: Number(stampNs / 1_000_000_000n), nanosec: Number(stampNs % 1_000_000_000n) }, frame_id: '' },
    name: [...names],
    position: Float64Array.from(position),
    velocity: new Float64Array(0),
    effort: new Float64Array(0),
  };
}
