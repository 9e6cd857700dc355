import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { describeError, VlaError } from '../errors';

/**
 * rosbag2's metadata.yaml (`rosbag2_bagfile_information`), versions 1 to 9. Fields arrived over versions:
 * compression (3), offered_qos_profiles (4), files (5), custom_data (6), type_description_hash (7),
 * ros_distro (8); version 9 writes QoS profiles as a list. Unknown fields are kept, not refused: the file is
 * written by other tools.
 */

// Parsed with intAsBigInt so epoch nanoseconds keep every digit; small integers come back as numbers.
const nanoseconds = z.union([z.bigint(), z.number().int()]).transform((v) => BigInt(v));
const smallInt = z.union([z.bigint(), z.number().int()]).transform((v) => Number(v));

const TopicMetadataSchema = z.looseObject({
  name: z.string(),
  type: z.string(),
  serialization_format: z.string().default('cdr'),
  offered_qos_profiles: z.unknown().optional(),
  type_description_hash: z.string().optional(),
});

const FileInformationSchema = z.looseObject({
  path: z.string(),
  starting_time: z.looseObject({ nanoseconds_since_epoch: nanoseconds }).optional(),
  duration: z.looseObject({ nanoseconds }).optional(),
  message_count: nanoseconds.optional(),
});

export const BagMetadataSchema = z.looseObject({
  version: smallInt.refine((v) => v >= 1, { message: 'must be 1 or greater' }),
  storage_identifier: z.string(),
  duration: z.looseObject({ nanoseconds }).optional(),
  starting_time: z.looseObject({ nanoseconds_since_epoch: nanoseconds }).optional(),
  message_count: nanoseconds.optional(),
  topics_with_message_count: z
    .array(z.looseObject({ topic_metadata: TopicMetadataSchema, message_count: nanoseconds.default(0n) }))
    .nullish()
    .transform((v) => v ?? []),
  compression_format: z.string().nullish(),
  compression_mode: z.string().nullish(),
  relative_file_paths: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  files: z.array(FileInformationSchema).nullish(),
  ros_distro: z.string().nullish(),
});
export type BagMetadata = z.infer<typeof BagMetadataSchema>;

const FileSchema = z.looseObject({ rosbag2_bagfile_information: BagMetadataSchema });

/** Reads and validates metadata.yaml; BAG_INVALID naming the field when it is not rosbag2's format. */
export function readBagMetadata(file: string): BagMetadata {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'), { intAsBigInt: true });
  } catch (err) {
    throw new VlaError('BAG_INVALID', `metadata.yaml is not valid YAML (${describeError(err)})`, {
      file,
      cause: err,
      hint: 'delete or fix metadata.yaml; vla-bridge reads a bag folder without it from its .mcap/.db3 files',
    });
  }
  const result = FileSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new VlaError('BAG_INVALID', `metadata.yaml is not rosbag2 bag metadata: ${issue.message}`, {
      file,
      path: ['rosbag2_bagfile_information', ...issue.path.slice(1)].map(String).join('.'),
      hint: 'delete or fix metadata.yaml; vla-bridge reads a bag folder without it from its .mcap/.db3 files',
    });
  }
  return result.data.rosbag2_bagfile_information;
}

/** One topic of a bag, for writing metadata.yaml. */
export interface MetadataTopic {
  name: string;
  type: string;
  serializationFormat: string;
  offeredQosProfiles: string;
  messageCount: number;
}

/** One storage file of a bag, for writing metadata.yaml. */
export interface MetadataFile {
  /** Relative to the bag folder. */
  path: string;
  startNs: bigint;
  durationNs: bigint;
  messageCount: number;
}

export interface MetadataContent {
  storageIdentifier: 'mcap' | 'sqlite3';
  topics: readonly MetadataTopic[];
  files: readonly MetadataFile[];
}

/** The version written: 5 is the newest every maintained rosbag2 (Humble, Jazzy, Kilted, Rolling) reads. */
export const WRITTEN_METADATA_VERSION = 5;

/** metadata.yaml text in rosbag2's layout, so `ros2 bag info` and `ros2 bag play` open the folder. */
export function bagMetadataYaml(content: MetadataContent): string {
  const starts = content.files.filter((f) => f.messageCount > 0).map((f) => f.startNs);
  const ends = content.files.filter((f) => f.messageCount > 0).map((f) => f.startNs + f.durationNs);
  const startNs = starts.length === 0 ? 0n : starts.reduce((a, b) => (b < a ? b : a));
  const endNs = ends.length === 0 ? 0n : ends.reduce((a, b) => (b > a ? b : a));
  const info = {
    version: WRITTEN_METADATA_VERSION,
    storage_identifier: content.storageIdentifier,
    duration: { nanoseconds: endNs - startNs },
    starting_time: { nanoseconds_since_epoch: startNs },
    message_count: content.files.reduce((n, f) => n + f.messageCount, 0),
    topics_with_message_count: content.topics.map((t) => ({
      topic_metadata: {
        name: t.name,
        type: t.type,
        serialization_format: t.serializationFormat,
        offered_qos_profiles: t.offeredQosProfiles,
      },
      message_count: t.messageCount,
    })),
    compression_format: '',
    compression_mode: '',
    relative_file_paths: content.files.map((f) => f.path),
    files: content.files.map((f) => ({
      path: f.path,
      starting_time: { nanoseconds_since_epoch: f.startNs },
      duration: { nanoseconds: f.durationNs },
      message_count: f.messageCount,
    })),
  };
  return stringify({ rosbag2_bagfile_information: info }, { lineWidth: 0 });
}
