import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import { FileHandleWritable } from '@mcap/nodejs';
import { packageRoot } from '../config/packageRoot';
import { describeError, VlaError } from '../errors';
import { bagMetadataYaml, type MetadataTopic } from './BagMetadata';
import { type ChunkCompression, chunkCompressor } from './compression/chunkCompressor';
import { missingField } from './definitions/checkMessageShape';
import { MessageDefinitionLibrary } from './definitions/MessageDefinitionLibrary';
import { McapWriter } from './mcapModules';
import { normalizeTypeName } from './rosTypeName';

export interface McapRecorderOptions {
  /** Chunk compression; default `zstd` (rosbag2's MCAP default). */
  compression?: ChunkCompression;
  /** Uncompressed bytes per chunk; default 768 KiB (rosbag2's MCAP default). */
  chunkSizeBytes?: number;
  /** Where definitions come from; default this package's msg/ (vla_bridge/msg/*) and the common ROS 2 types. */
  library?: MessageDefinitionLibrary;
  /** Write metadata.yaml beside the file so `ros2 bag play DIR` opens the folder; default true. */
  metadataYaml?: boolean;
}

/** The QoS rosbag2 records for a topic it saw published reliably and volatile (version 4-8 layout). */
export const DEFAULT_OFFERED_QOS = [
  '- history: 3',
  '  depth: 0',
  '  reliability: 1',
  '  durability: 2',
  '  deadline:',
  '    sec: 0',
  '    nsec: 0',
  '  lifespan:',
  '    sec: 0',
  '    nsec: 0',
  '  liveliness: 1',
  '  liveliness_lease_duration:',
  '    sec: 0',
  '    nsec: 0',
  '  avoid_ros_namespace_conventions: false',
].join('\n');

interface RecordedTopic {
  name: string;
  type: string;
  channelId: number;
  writer: MessageWriter;
  definitions: NonNullable<ReturnType<MessageDefinitionLibrary['parsed']>>;
  sequence: number;
  count: number;
}

const ALLOWED_OPTIONS: ReadonlySet<string> = new Set(['compression', 'chunkSizeBytes', 'library', 'metadataYaml']);

function recorderVersion(): string {
  try {
    return `vla_bridge ${(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version}`;
  } catch {
    return 'vla_bridge';
  }
}

/**
 * Writes what a run saw and commanded as a rosbag2-compatible MCAP file: profile `ros2`, `ros2msg` schemas
 * holding the full definition text as rosbag2 writes it, CDR messages, zstd or lz4 chunks, and a
 * metadata.yaml beside the file. The simulator, the live node and `eval` use it. Writes are queued in call
 * order, so callers may fire them without awaiting each one; `close()` waits for all of them.
 */
export class McapRecorder {
  private readonly topics = new Map<string, RecordedTopic>();
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown;
  private closed = false;
  private startNs: bigint | undefined;
  private endNs: bigint | undefined;
  private messageCount = 0;

  private constructor(
    /** The .mcap file. */
    readonly file: string,
    private readonly handle: FileHandle,
    private readonly writer: McapWriter,
    private readonly library: MessageDefinitionLibrary,
    private readonly metadataYaml: boolean,
  ) {}

  /**
   * Opens a recording. `path` ending in `.mcap` is the file (metadata.yaml goes in its folder); any other path
   * is a bag folder, created if needed, holding `<folder name>_0.mcap` as `ros2 bag record -o` does.
   */
  static async open(path: string, options: McapRecorderOptions = {}): Promise<McapRecorder> {
    const unknown = Object.keys(options).filter((k) => !ALLOWED_OPTIONS.has(k));
    if (unknown.length > 0)
      throw new VlaError('ARGUMENT_INVALID', `unknown McapRecorder option(s): ${unknown.join(', ')}`, {
        hint: `use ${[...ALLOWED_OPTIONS].join(', ')}`,
      });
    const file = extname(path).toLowerCase() === '.mcap' ? path : join(path, `${basename(path)}_0.mcap`);
    mkdirSync(dirname(file), { recursive: true });
    const compress = await chunkCompressor(options.compression ?? 'zstd');
    let handle: FileHandle;
    try {
      handle = await open(file, 'w');
    } catch (err) {
      throw new VlaError('FILE_UNREADABLE', `cannot create the recording (${(err as NodeJS.ErrnoException).code ?? describeError(err)})`, {
        file,
        cause: err,
        hint: 'check that the folder is writable',
      });
    }
    const writer = new McapWriter({
      writable: new FileHandleWritable(handle),
      chunkSize: options.chunkSizeBytes ?? 768 * 1024,
      compressChunk: compress,
    });
    await writer.start({ profile: 'ros2', library: recorderVersion() });
    return new McapRecorder(file, handle, writer, options.library ?? new MessageDefinitionLibrary(), options.metadataYaml ?? true);
  }

  /** Serializes `message` (a plain object with the .msg field names) as CDR and records it at `logTimeNs`. */
  write(topic: string, type: string, logTimeNs: bigint, message: unknown): Promise<void> {
    return this.enqueue(async () => {
      const recorded = await this.topicFor(topic, type);
      const missing = missingField(recorded.definitions, message);
      if (missing !== undefined) {
        throw new VlaError('MESSAGE_INVALID', `the ${recorded.type} message for ${topic} has no field "${missing}"`, {
          path: topic,
          hint: 'build the message with every field of its .msg definition (empty arrays where there is nothing)',
        });
      }
      let data: Uint8Array;
      try {
        data = recorded.writer.writeMessage(message);
      } catch (err) {
        throw new VlaError('MESSAGE_INVALID', `the ${recorded.type} message for ${topic} cannot be serialized: ${describeError(err)}`, {
          path: topic,
          cause: err,
        });
      }
      await this.add(recorded, logTimeNs, data);
    });
  }

  /** Records an already serialized CDR message (e.g. copied from another bag). */
  writeSerialized(topic: string, type: string, logTimeNs: bigint, data: Uint8Array): Promise<void> {
    return this.enqueue(async () => this.add(await this.topicFor(topic, type), logTimeNs, data));
  }

  /** Finishes the file (summary, indexes, footer) and writes metadata.yaml. */
  async close(): Promise<void> {
    if (this.closed) return this.queue;
    this.closed = true;
    this.queue = this.queue.then(async () => {
      try {
        await this.writer.end();
      } finally {
        await this.handle.close();
      }
      if (this.metadataYaml) this.writeMetadataYaml();
    });
    await this.queue;
    if (this.failure !== undefined) throw this.failure;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new VlaError('RUN_FAILED', `write after close of the recording ${this.file}`));
    const run = this.queue.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      await task();
    });
    this.queue = run.catch((err: unknown) => {
      // The first failure of the writer itself stops the recording; a bad message only fails its own write.
      if (!(err instanceof VlaError && err.code === 'MESSAGE_INVALID') && this.failure === undefined) this.failure = err;
    });
    return run;
  }

  private async add(recorded: RecordedTopic, logTimeNs: bigint, data: Uint8Array): Promise<void> {
    await this.writer.addMessage({
      channelId: recorded.channelId,
      sequence: recorded.sequence,
      logTime: logTimeNs,
      publishTime: logTimeNs,
      data,
    });
    recorded.sequence = (recorded.sequence + 1) >>> 0;
    recorded.count++;
    this.messageCount++;
    if (this.startNs === undefined || logTimeNs < this.startNs) this.startNs = logTimeNs;
    if (this.endNs === undefined || logTimeNs > this.endNs) this.endNs = logTimeNs;
  }

  private async topicFor(topic: string, type: string): Promise<RecordedTopic> {
    const fullType = normalizeTypeName(type);
    const existing = this.topics.get(topic);
    if (existing !== undefined) {
      if (existing.type !== fullType) {
        throw new VlaError('MESSAGE_INVALID', `topic ${topic} is recorded as ${existing.type}, not ${fullType}`, {
          path: topic,
          hint: 'one topic carries one message type',
        });
      }
      return existing;
    }
    const text = this.library.fullText(fullType);
    const definitions = this.library.parsed(fullType);
    if (text === undefined || definitions === undefined) {
      throw new VlaError('MESSAGE_INVALID', `no message definition for ${fullType} (topic ${topic})`, {
        path: topic,
        hint: `vla-bridge knows the common ROS 2 types and the .msg files in its msg/ folder; add ${fullType.split('/').pop()}.msg there`,
      });
    }
    const schemaId = await this.writer.registerSchema({ name: fullType, encoding: 'ros2msg', data: new TextEncoder().encode(text) });
    const channelId = await this.writer.registerChannel({
      topic,
      messageEncoding: 'cdr',
      schemaId,
      metadata: new Map([['offered_qos_profiles', DEFAULT_OFFERED_QOS]]),
    });
    const recorded: RecordedTopic = {
      name: topic,
      type: fullType,
      channelId,
      writer: new MessageWriter(definitions),
      definitions,
      sequence: 0,
      count: 0,
    };
    this.topics.set(topic, recorded);
    return recorded;
  }

  private writeMetadataYaml(): void {
    const topics: MetadataTopic[] = [...this.topics.values()].map((t) => ({
      name: t.name,
      type: t.type,
      serializationFormat: 'cdr',
      offeredQosProfiles: DEFAULT_OFFERED_QOS,
      messageCount: t.count,
    }));
    const startNs = this.startNs ?? 0n;
    const yaml = bagMetadataYaml({
      storageIdentifier: 'mcap',
      topics,
      files: [{ path: basename(this.file), startNs, durationNs: (this.endNs ?? startNs) - startNs, messageCount: this.messageCount }],
    });
    const target = join(dirname(this.file), 'metadata.yaml');
    writeFileSync(`${target}.tmp`, yaml);
    renameSync(`${target}.tmp`, target);
  }
}
