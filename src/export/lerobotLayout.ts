import type { VideoCodec } from './VideoEncoder';

/**
 * The LeRobot dataset layout, version 3.0 (huggingface/lerobot `datasets/utils.py`): many episodes per file,
 * files found through path templates, episodes through meta/episodes/*.parquet.
 */
export const CODEBASE_VERSION = 'v3.0';
/** Files per chunk folder. */
export const CHUNKS_SIZE = 1000;
export const DATA_FILES_SIZE_MB = 100;
export const VIDEO_FILES_SIZE_MB = 500;
export const DATA_PATH = 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const VIDEO_PATH = 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4';
export const EPISODES_PATH = 'meta/episodes/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const INFO_PATH = 'meta/info.json';
export const STATS_PATH = 'meta/stats.json';
export const TASKS_PATH = 'meta/tasks.parquet';

/** A file's place: chunk folder and file within it. */
export interface FileIndex {
  chunk: number;
  file: number;
}

/** The next file after `at`: a new chunk folder every CHUNKS_SIZE files. */
export function nextFile(at: FileIndex): FileIndex {
  return at.file === CHUNKS_SIZE - 1 ? { chunk: at.chunk + 1, file: 0 } : { chunk: at.chunk, file: at.file + 1 };
}

/** A path template with its fields filled (`{chunk_index:03d}` is zero-padded to 3 digits). */
export function formatPath(template: string, at: FileIndex, videoKey = ''): string {
  const pad = (n: number): string => String(n).padStart(3, '0');
  return template.replace('{video_key}', videoKey).replace('{chunk_index:03d}', pad(at.chunk)).replace('{file_index:03d}', pad(at.file));
}

/** The feature key of a camera: `observation.images.<camera>`. */
export function imageKey(camera: string): string {
  return `observation.images.${camera}`;
}

export interface VectorFeature {
  dtype: 'float32';
  shape: number[];
  names: string[];
}

export interface VideoFeature {
  dtype: 'video';
  /** Height, width, channels. */
  shape: [number, number, number];
  names: ['height', 'width', 'channels'];
  info: Record<string, string | number | boolean>;
}

export interface IndexFeature {
  dtype: 'float32' | 'int64';
  shape: [1];
  names: null;
}

export type Feature = VectorFeature | VideoFeature | IndexFeature;

/** The five columns every LeRobot dataset has, in LeRobot's order. */
export const DEFAULT_FEATURES: Readonly<Record<string, IndexFeature>> = {
  timestamp: { dtype: 'float32', shape: [1], names: null },
  frame_index: { dtype: 'int64', shape: [1], names: null },
  episode_index: { dtype: 'int64', shape: [1], names: null },
  index: { dtype: 'int64', shape: [1], names: null },
  task_index: { dtype: 'int64', shape: [1], names: null },
};

export function videoFeature(heightPx: number, widthPx: number, fps: number, codec: VideoCodec): VideoFeature {
  return {
    dtype: 'video',
    shape: [heightPx, widthPx, 3],
    names: ['height', 'width', 'channels'],
    info: {
      'video.height': heightPx,
      'video.width': widthPx,
      'video.codec': codec,
      'video.pix_fmt': 'yuv420p',
      'video.is_depth_map': false,
      'video.fps': fps,
      'video.channels': 3,
      has_audio: false,
    },
  };
}

export interface DatasetInfo {
  codebase_version: string;
  robot_type: string;
  total_episodes: number;
  total_frames: number;
  total_tasks: number;
  chunks_size: number;
  data_files_size_in_mb: number;
  video_files_size_in_mb: number;
  fps: number;
  splits: Record<string, string>;
  data_path: string;
  video_path: string | null;
  features: Record<string, Feature>;
}

/** meta/info.json as LeRobot's `create_empty_dataset_info` lays it out, with the totals filled in. */
export function datasetInfo(o: {
  robotType: string;
  fps: number;
  features: Record<string, Feature>;
  episodes: number;
  frames: number;
  tasks: number;
}): DatasetInfo {
  const hasVideo = Object.values(o.features).some((f) => f.dtype === 'video');
  return {
    codebase_version: CODEBASE_VERSION,
    robot_type: o.robotType,
    total_episodes: o.episodes,
    total_frames: o.frames,
    total_tasks: o.tasks,
    chunks_size: CHUNKS_SIZE,
    data_files_size_in_mb: DATA_FILES_SIZE_MB,
    video_files_size_in_mb: VIDEO_FILES_SIZE_MB,
    fps: o.fps,
    splits: o.episodes > 0 ? { train: `0:${o.episodes}` } : {},
    data_path: DATA_PATH,
    video_path: hasVideo ? VIDEO_PATH : null,
    features: o.features,
  };
}

/**
 * pandas' schema note for meta/tasks.parquet: the `task` column is the frame's index, so that
 * `pd.read_parquet(...)` gives LeRobot a table indexed by task string, as LeRobot writes it.
 */
export function tasksPandasMetadata(): string {
  const column = (name: string, pandasType: string, numpyType: string) => ({
    name,
    field_name: name,
    pandas_type: pandasType,
    numpy_type: numpyType,
    metadata: null,
  });
  return JSON.stringify({
    index_columns: ['task'],
    column_indexes: [{ name: null, field_name: null, pandas_type: 'unicode', numpy_type: 'object', metadata: { encoding: 'UTF-8' } }],
    columns: [column('task_index', 'int64', 'int64'), column('task', 'unicode', 'object')],
    creator: { library: 'vla_bridge', version: '1' },
    pandas_version: '2.0.0',
  });
}
