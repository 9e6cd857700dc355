/** Reading and writing rosbag2 bags (MCAP and sqlite3) without ROS. */
export {
  BagReader,
  type BagFileInfo,
  type BagInfo,
  type BagMessage,
  type BagReadFilter,
  type BagTopicInfo,
  type InfoOptions,
  type OpenBagOptions,
  type RawBagMessage,
} from './BagReader';
export { firstMessage } from './firstMessage';
export { McapRecorder, DEFAULT_OFFERED_QOS, type McapRecorderOptions } from './McapRecorder';
export { bagMetadataYaml, readBagMetadata, type BagMetadata } from './BagMetadata';
export type { BagCompression } from './resolveBagFiles';
export { MessageDefinitionLibrary, type MessageDefinitionLibraryOptions, type MsgDirectory } from './definitions/MessageDefinitionLibrary';
export type { ChunkCompression } from './compression/chunkCompressor';
export type { StorageId, StorageTopic } from './storage/StorageFile';
export { isServiceEventTopic, normalizeTypeName } from './rosTypeName';
