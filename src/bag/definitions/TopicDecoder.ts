import { MessageReader } from '@foxglove/rosmsg2-serialization';
import { describeError, VlaError } from '../../errors';
import type { MessageDefinitionLibrary } from './MessageDefinitionLibrary';
import { type ParsedDefinitions, parseDefinitionText } from './parseDefinitionText';

/** A message definition as a bag stores it (MCAP schema record, sqlite3 message_definitions row). */
export interface StoredDefinition {
  /** `ros2msg`, `ros2idl`, `unknown` or empty (rosbag2 writes `unknown` and no text when it found none). */
  encoding: string;
  text: string;
}

/** What a decoder needs to know about a topic. */
export interface DecodableTopic {
  name: string;
  /** Normalized `pkg/msg/Name`. */
  type: string;
  /** Message encoding (rosbag2 `serialization_format`, MCAP channel `messageEncoding`). */
  serializationFormat: string;
  definition?: StoredDefinition;
  /** The storage file, for messages. */
  file: string;
}

export type WarningSink = (message: string) => void;

/** Bytes CDR may legitimately leave after the last field: the payload is padded to 4 bytes. */
const MAX_PADDING_BYTES = 3;

interface Candidate {
  source: 'bag' | 'bundled';
  reader: MessageReader;
}

/**
 * Decodes the CDR messages of one topic into plain objects with the .msg field names and typed arrays (the
 * shape rclnodejs gives). Prefers the definition stored in the bag; falls back to the library's definition when
 * the bag has none, has one the parser cannot read (ros2idl), or has one that does not match the bytes (a
 * decode that fails or leaves bytes over, as in bags whose stored definitions were cut short).
 */
export class TopicDecoder {
  private readonly candidates: Candidate[];
  private chosen: Candidate | undefined;
  private warnedTrailing = false;

  private constructor(
    private readonly topic: DecodableTopic,
    candidates: Candidate[],
    private readonly warn: WarningSink,
  ) {
    this.candidates = candidates;
  }

  static create(topic: DecodableTopic, library: MessageDefinitionLibrary, warn: WarningSink): TopicDecoder {
    if (topic.serializationFormat !== 'cdr') {
      throw new VlaError(
        'BAG_UNSUPPORTED',
        `topic ${topic.name} (${topic.type}) uses message encoding "${topic.serializationFormat}", which vla-bridge cannot decode`,
        {
          file: topic.file,
          path: topic.name,
          hint: 'vla-bridge decodes CDR, the rosbag2 default; re-record the topic with serialization format cdr or leave it out of the embodiment',
        },
      );
    }
    const candidates: Candidate[] = [];
    const problems: string[] = [];
    const stored = topic.definition;
    if (stored !== undefined && stored.text.trim() !== '') {
      if (stored.encoding === 'ros2msg') {
        const parsed = tryParse(stored.text);
        if (parsed instanceof Error) problems.push(`the definition stored in the bag does not parse (${parsed.message})`);
        else candidates.push({ source: 'bag', reader: new MessageReader(parsed) });
      } else {
        problems.push(`the bag stores its definition as "${stored.encoding}", which vla-bridge does not read`);
      }
    }
    let bundled: ParsedDefinitions | undefined;
    try {
      bundled = library.parsed(topic.type);
    } catch (err) {
      problems.push(`vla-bridge's definition does not parse (${describeError(err)})`);
    }
    if (bundled !== undefined) candidates.push({ source: 'bundled', reader: new MessageReader(bundled) });
    if (candidates.length === 0) {
      throw new VlaError(
        'BAG_UNSUPPORTED',
        `no message definition for ${topic.type} (topic ${topic.name})${problems.length > 0 ? `: ${problems.join('; ')}` : ''}`,
        {
          file: topic.file,
          path: topic.name,
          hint:
            `record the bag with a rosbag2 that stores definitions (Iron or newer), or put ` +
            `${topic.type.split('/').pop()}.msg in this package's msg/ folder`,
        },
      );
    }
    if (candidates[0]!.source === 'bundled' && stored !== undefined && problems.length > 0) {
      warn(`topic ${topic.name}: ${problems.join('; ')}; decoding ${topic.type} with vla-bridge's own definition`);
    }
    return new TopicDecoder(topic, candidates, warn);
  }

  decode(data: Uint8Array, logTimeNs: bigint): unknown {
    const chosen = this.chosen;
    if (chosen !== undefined) {
      const value = readOrUndefined(chosen.reader, data);
      if (value !== undefined) {
        if (leftover(chosen.reader, data) > MAX_PADDING_BYTES) this.warnTrailing(chosen, data);
        return value;
      }
      throw this.undecodable(logTimeNs, [chosen]);
    }
    // First message: pick the first definition that reads it exactly, else the first that reads it at all.
    let fallback: { candidate: Candidate; value: unknown } | undefined;
    for (const candidate of this.candidates) {
      const value = readOrUndefined(candidate.reader, data);
      if (value === undefined) continue;
      if (leftover(candidate.reader, data) <= MAX_PADDING_BYTES) {
        this.choose(candidate);
        return value;
      }
      fallback ??= { candidate, value };
    }
    if (fallback === undefined) throw this.undecodable(logTimeNs, this.candidates);
    this.choose(fallback.candidate);
    this.warnTrailing(fallback.candidate, data);
    return fallback.value;
  }

  private choose(candidate: Candidate): void {
    if (candidate.source === 'bundled' && this.candidates[0]!.source === 'bag') {
      this.warn(
        `topic ${this.topic.name}: the definition of ${this.topic.type} stored in the bag does not ` +
          `match its messages; decoding with vla-bridge's own definition`,
      );
    }
    this.chosen = candidate;
  }

  private warnTrailing(candidate: Candidate, data: Uint8Array): void {
    if (this.warnedTrailing) return;
    this.warnedTrailing = true;
    this.warn(
      `topic ${this.topic.name}: ${leftover(candidate.reader, data)} bytes left after decoding ` +
        `${this.topic.type}; the ` +
        `${candidate.source === 'bag' ? 'definition stored in the bag' : 'definition'} may be ` +
        `older or newer than the messages`,
    );
  }

  private undecodable(logTimeNs: bigint, tried: readonly Candidate[]): VlaError {
    return new VlaError(
      'BAG_INVALID',
      `message on ${this.topic.name} at ${logTimeNs} ns cannot be decoded as ${this.topic.type} ` +
        `(tried the ` +
        `${tried.map((c) => (c.source === 'bag' ? "bag's" : "vla-bridge's")).join(' and ')} definition)`,
      {
        file: this.topic.file,
        path: this.topic.name,
        hint: 'the file is corrupt or its messages do not match their type; check it with `vla-bridge bag-info` and re-record if needed',
      },
    );
  }
}

function tryParse(text: string): ParsedDefinitions | Error {
  try {
    return parseDefinitionText(text);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function readOrUndefined(reader: MessageReader, data: Uint8Array): unknown {
  try {
    return reader.readMessage(data);
  } catch {
    return undefined;
  }
}

function leftover(reader: MessageReader, data: Uint8Array): number {
  return data.byteLength - reader.lastReadByteLength();
}
