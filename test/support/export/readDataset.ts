import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Hyparquet from 'hyparquet' with { 'resolution-mode': 'import' };

// An independent reader: hyparquet, not the writer the export uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const hyparquet = require('hyparquet') as typeof Hyparquet;

export type Row = Record<string, unknown>;

export async function readParquet(file: string): Promise<Row[]> {
  const bytes = readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await hyparquet.parquetReadObjects({ file: buffer })) as Row[];
}

export function parquetKeyValues(file: string): Record<string, string> {
  const bytes = readFileSync(file);
  const meta = hyparquet.parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return Object.fromEntries((meta.key_value_metadata ?? []).map((kv) => [kv.key, kv.value ?? '']));
}

export interface VideoProbe {
  codec: string;
  pixFmt: string;
  width: number;
  height: number;
  frames: number;
  frameRate: string;
}

/** ffprobe's count of decoded frames and the stream's format. */
export function probeVideo(file: string): VideoProbe {
  const out = spawnSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,pix_fmt,width,height,nb_read_frames,r_frame_rate',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`ffprobe failed on ${file}: ${out.stderr}`);
  const s = (JSON.parse(out.stdout) as { streams: Record<string, string | number>[] }).streams[0]!;
  return {
    codec: String(s.codec_name),
    pixFmt: String(s.pix_fmt),
    width: Number(s.width),
    height: Number(s.height),
    frames: Number(s.nb_read_frames),
    frameRate: String(s.r_frame_rate),
  };
}

/** meta/info.json and meta/stats.json are untyped JSON that tests reach into. */
export interface Dataset {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  info: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  stats: Record<string, any>;
  rows: Row[];
  episodes: Row[];
  tasks: Row[];
}

export async function readDataset(dir: string): Promise<Dataset> {
  return {
    info: JSON.parse(readFileSync(join(dir, 'meta/info.json'), 'utf8')),
    stats: JSON.parse(readFileSync(join(dir, 'meta/stats.json'), 'utf8')),
    rows: await readParquet(join(dir, 'data/chunk-000/file-000.parquet')),
    episodes: await readParquet(join(dir, 'meta/episodes/chunk-000/file-000.parquet')),
    tasks: await readParquet(join(dir, 'meta/tasks.parquet')),
  };
}

/** Every frame of an mp4 decoded by ffmpeg to packed rgb24 (width x height x 3 bytes each). */
export function decodeVideo(file: string, widthPx: number, heightPx: number): Uint8Array[] {
  const out = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 30 });
  if (out.status !== 0) throw new Error(`ffmpeg could not decode ${file}: ${out.stderr.toString()}`);
  const size = widthPx * heightPx * 3;
  const frames: Uint8Array[] = [];
  for (let i = 0; i + size <= out.stdout.length; i += size) frames.push(new Uint8Array(out.stdout.subarray(i, i + size)));
  return frames;
}
