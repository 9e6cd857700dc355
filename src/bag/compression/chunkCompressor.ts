import * as zstd from '@foxglove/wasm-zstd';
import { compressLz4Frame } from './lz4Frame';

/** MCAP chunk compressions a recorder can write (`zstd` is rosbag2's MCAP default). */
export type ChunkCompression = 'zstd' | 'lz4' | 'none';

export type CompressChunk = (chunk: Uint8Array) => { compression: string; compressedData: Uint8Array };

/** zstd level 1: rosbag2's `zstd_fast` preset trades a little size for recording speed. */
const ZSTD_LEVEL = 1;

/** The chunk compressor for McapWriter, or undefined for uncompressed chunks. Loads the zstd WebAssembly first. */
export async function chunkCompressor(compression: ChunkCompression): Promise<CompressChunk | undefined> {
  switch (compression) {
    case 'none':
      return undefined;
    case 'lz4':
      return (chunk) => ({ compression: 'lz4', compressedData: compressLz4Frame(chunk) });
    case 'zstd':
      await zstd.isLoaded;
      return (chunk) => ({ compression: 'zstd', compressedData: zstd.compress(chunk, ZSTD_LEVEL) });
  }
}
