import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VlaError } from '../errors';
import { type FeatureStats, ImageStats, VectorStats } from './featureStats';
import {
  DATA_FILES_SIZE_MB,
  DATA_PATH,
  DEFAULT_FEATURES,
  datasetInfo,
  EPISODES_PATH,
  type Feature,
  type FileIndex,
  formatPath,
  imageKey,
  INFO_PATH,
  nextFile,
  STATS_PATH,
  TASKS_PATH,
  tasksPandasMetadata,
  VIDEO_FILES_SIZE_MB,
  VIDEO_PATH,
  videoFeature,
} from './lerobotLayout';
import { type ParquetColumn, writeParquetFile } from './parquetTable';
import { type VideoCodec, VideoEncoder } from './VideoEncoder';

/** A float32 vector feature written per frame: `observation.state`, `action`, or one of the caller's own. */
export interface VectorSpec {
  key: string;
  names: readonly string[];
}

export interface DatasetSpec {
  /** Where the dataset goes: a folder that does not exist yet, is empty, or (with `overwrite`) is replaced. */
  dir: string;
  overwrite?: boolean;
  fps: number;
  robotType: string;
  /** observation.state and action first, then any others, in this order in info.json and the data files. */
  vectors: readonly VectorSpec[];
  /** Camera names; each becomes `observation.images.<name>`, its size taken from its first frame. */
  cameras: readonly string[];
  codec: VideoCodec;
  /** Start a new data / video file past this size, MB (LeRobot's defaults: 100 and 500). */
  dataFileSizeMb?: number;
  videoFileSizeMb?: number;
}

export interface DatasetFrame {
  /** Per vector feature key, its values in the spec's names order. */
  vectors: Readonly<Record<string, ArrayLike<number>>>;
  /** Per camera name, packed rgb24 pixels of the camera's size. */
  images: ReadonlyMap<string, Uint8Array>;
}

export interface WrittenEpisode {
  index: number;
  task: string;
  length: number;
  fromIndex: number;
}

interface CameraFile {
  at: FileIndex;
  encoder: VideoEncoder | undefined;
  /** Frames already in the current file (the next episode starts at frames / fps there). */
  frames: number;
}

interface EpisodeRecord extends WrittenEpisode {
  data: FileIndex;
  videos: Map<string, { at: FileIndex; fromS: number; toS: number }>;
  stats: Map<string, FeatureStats>;
}

const INDEX_BYTES_PER_ROW = 4 + 8 * 4;

/**
 * Writes a LeRobot v3.0 dataset: frames go to the data parquet (one row each) and each camera's mp4 (one video
 * frame each) as they come; `close()` writes the last files and the metadata (info, stats, tasks, episodes) and
 * moves the folder into place. Until then everything is in a sibling `.partial` folder: a failed export leaves
 * no half dataset, and an existing one is replaced only after the new one is complete.
 */
export class LeRobotDatasetWriter {
  readonly dir: string;
  private readonly staging: string;
  private readonly features: Record<string, Feature> = {};
  private readonly cameraSizes = new Map<string, { widthPx: number; heightPx: number }>();
  private readonly cameraFiles = new Map<string, CameraFile>();
  private readonly tasks = new Map<string, number>();
  private readonly episodes: EpisodeRecord[] = [];
  private readonly datasetStats = new Map<string, VectorStats>();
  private readonly imageStats = new Map<string, ImageStats>();
  private rows: Record<string, unknown[]> = {};
  private dataAt: FileIndex = { chunk: 0, file: 0 };
  private current: { task: string; frames: number; stats: Map<string, VectorStats> } | undefined;
  private totalFrames = 0;
  private closed = false;

  constructor(readonly spec: DatasetSpec) {
    this.dir = spec.dir;
    checkOutput(spec.dir, spec.overwrite === true);
    this.staging = join(dirname(spec.dir), `.${basename(spec.dir)}.partial-${process.pid}`);
    try {
      rmSync(this.staging, { recursive: true, force: true });
      mkdirSync(join(this.staging, 'meta'), { recursive: true });
    } catch (err) {
      throw unwritable(spec.dir, err);
    }
    for (const v of spec.vectors) this.features[v.key] = { dtype: 'float32', shape: [v.names.length], names: [...v.names] };
    for (const name of spec.cameras) this.cameraFiles.set(name, { at: { chunk: 0, file: 0 }, encoder: undefined, frames: 0 });
    this.resetRows();
  }

  /** The size of a camera's frames, once its first frame fixed it. */
  cameraSize(camera: string): { widthPx: number; heightPx: number } | undefined {
    return this.cameraSizes.get(camera);
  }

  get frames(): number {
    return this.totalFrames;
  }

  get episodeCount(): number {
    return this.episodes.length;
  }

  /** Frames that follow belong to a new episode with this task (the previous one must be ended). */
  beginEpisode(task: string): void {
    if (this.current !== undefined) throw new Error('beginEpisode: the previous episode was not ended');
    this.current = { task, frames: 0, stats: new Map(this.spec.vectors.map((v) => [v.key, new VectorStats(v.names.length)])) };
  }

  async addFrame(frame: DatasetFrame): Promise<void> {
    const episode = this.current;
    if (episode === undefined) throw new Error('addFrame: no episode begun');
    for (const v of this.spec.vectors) {
      const values = frame.vectors[v.key];
      if (values === undefined || values.length !== v.names.length)
        throw new RangeError(`frame feature ${v.key} has ${values?.length ?? 0} values, the dataset has ${v.names.length}`);
    }
    for (const camera of this.spec.cameras) {
      const rgb = frame.images.get(camera);
      if (rgb === undefined) throw new RangeError(`frame has no image for camera ${camera}`);
      await this.encoderFor(camera, rgb).write(rgb);
      this.cameraFiles.get(camera)!.frames++;
      let stats = this.imageStats.get(camera);
      if (stats === undefined) this.imageStats.set(camera, (stats = new ImageStats()));
      stats.add(rgb);
    }
    const taskIndex = this.taskIndex(episode.task);
    for (const v of this.spec.vectors) {
      const values = Float32Array.from(frame.vectors[v.key]!);
      this.rows[v.key]!.push(values);
      episode.stats.get(v.key)!.add(values);
    }
    const index = {
      timestamp: Math.fround(episode.frames / this.spec.fps),
      frame_index: episode.frames,
      episode_index: this.episodes.length,
      index: this.totalFrames,
      task_index: taskIndex,
    };
    for (const [key, value] of Object.entries(index)) this.rows[key]!.push(value);
    episode.frames++;
    this.totalFrames++;
  }

  /** Ends the episode begun last; one without frames is not written. Returns what was written. */
  async endEpisode(): Promise<WrittenEpisode | undefined> {
    const episode = this.current;
    this.current = undefined;
    if (episode === undefined || episode.frames === 0) return undefined;
    const record: EpisodeRecord = {
      index: this.episodes.length,
      task: episode.task,
      length: episode.frames,
      fromIndex: this.totalFrames - episode.frames,
      data: this.dataAt,
      videos: new Map(),
      stats: new Map(),
    };
    for (const [key, stats] of episode.stats) {
      record.stats.set(key, stats.result());
      const all = this.datasetStats.get(key) ?? new VectorStats(stats.dims);
      this.datasetStats.set(key, all);
    }
    for (const camera of this.spec.cameras) {
      const file = this.cameraFiles.get(camera)!;
      record.videos.set(camera, { at: file.at, fromS: (file.frames - episode.frames) / this.spec.fps, toS: file.frames / this.spec.fps });
    }
    this.episodes.push(record);
    // Episodes never straddle files: a file past its size limit is finished after the episode that filled it.
    if (this.rowsBytes() > (this.spec.dataFileSizeMb ?? DATA_FILES_SIZE_MB) * 1024 * 1024) this.flushData();
    for (const camera of this.spec.cameras) {
      const file = this.cameraFiles.get(camera)!;
      const path = join(this.staging, formatPath(VIDEO_PATH, file.at, imageKey(camera)));
      if (existsSync(path) && statSync(path).size > (this.spec.videoFileSizeMb ?? VIDEO_FILES_SIZE_MB) * 1024 * 1024) {
        await file.encoder!.close();
        this.cameraFiles.set(camera, { at: nextFile(file.at), encoder: undefined, frames: 0 });
      }
    }
    return record;
  }

  /** Writes the remaining files and the metadata, then moves the dataset into place. */
  async close(): Promise<{ episodes: number; frames: number; tasks: number }> {
    if (this.current !== undefined) await this.endEpisode();
    this.closed = true;
    for (const file of this.cameraFiles.values()) await file.encoder?.close();
    if (this.rows.index!.length > 0) this.flushData();
    this.writeMeta();
    try {
      if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
      renameSync(this.staging, this.dir);
    } catch (err) {
      throw unwritable(this.dir, err);
    }
    return { episodes: this.episodes.length, frames: this.totalFrames, tasks: this.tasks.size };
  }

  /** Stops the encoders and removes everything written; the output folder is left as it was. */
  async abort(): Promise<void> {
    this.closed = true;
    for (const file of this.cameraFiles.values()) await file.encoder?.abort();
    rmSync(this.staging, { recursive: true, force: true });
  }

  private encoderFor(camera: string, rgb: Uint8Array): VideoEncoder {
    const file = this.cameraFiles.get(camera)!;
    if (file.encoder !== undefined) return file.encoder;
    const size = this.cameraSizes.get(camera);
    if (size === undefined) throw new Error(`camera ${camera}: give its frame size (setCameraSize) before its first frame`);
    if (rgb.length !== size.widthPx * size.heightPx * 3) throw new RangeError(`camera ${camera}: frame of ${rgb.length} bytes`);
    const path = join(this.staging, formatPath(VIDEO_PATH, file.at, imageKey(camera)));
    mkdirSync(dirname(path), { recursive: true });
    file.encoder = new VideoEncoder({
      file: path,
      widthPx: size.widthPx,
      heightPx: size.heightPx,
      fps: this.spec.fps,
      codec: this.spec.codec,
    });
    return file.encoder;
  }

  /** Fixes a camera's frame size (its first frame's); every later frame must have it. */
  setCameraSize(camera: string, widthPx: number, heightPx: number): void {
    if (this.cameraSizes.has(camera)) return;
    this.cameraSizes.set(camera, { widthPx, heightPx });
    this.features[imageKey(camera)] = videoFeature(heightPx, widthPx, this.spec.fps, this.spec.codec);
  }

  private taskIndex(task: string): number {
    let index = this.tasks.get(task);
    if (index === undefined) this.tasks.set(task, (index = this.tasks.size));
    return index;
  }

  private resetRows(): void {
    this.rows = Object.fromEntries([...this.spec.vectors.map((v) => v.key), ...Object.keys(DEFAULT_FEATURES)].map((k) => [k, []]));
  }

  private rowsBytes(): number {
    const width = this.spec.vectors.reduce((n, v) => n + 4 * v.names.length, 0);
    return this.rows.index!.length * (width + INDEX_BYTES_PER_ROW);
  }

  private flushData(): void {
    const columns: ParquetColumn[] = [
      ...this.spec.vectors.map((v): ParquetColumn => ({ name: v.key, type: 'list<float32>', data: this.rows[v.key]! })),
      { name: 'timestamp', type: 'float32', data: this.rows.timestamp! },
      ...['frame_index', 'episode_index', 'index', 'task_index'].map(
        (k): ParquetColumn => ({ name: k, type: 'int64', data: this.rows[k]! }),
      ),
    ];
    // Dataset statistics come from the rows as written (float32), like LeRobot's.
    for (const v of this.spec.vectors) for (const row of this.rows[v.key]! as Float32Array[]) this.datasetStats.get(v.key)!.add(row);
    const path = join(this.staging, formatPath(DATA_PATH, this.dataAt));
    mkdirSync(dirname(path), { recursive: true });
    writeParquetFile(path, columns);
    this.dataAt = nextFile(this.dataAt);
    this.resetRows();
  }

  private writeMeta(): void {
    const features: Record<string, Feature> = {};
    for (const v of this.spec.vectors) features[v.key] = this.features[v.key]!;
    for (const camera of this.spec.cameras)
      if (this.features[imageKey(camera)] !== undefined) features[imageKey(camera)] = this.features[imageKey(camera)]!;
    Object.assign(features, DEFAULT_FEATURES);
    const info = datasetInfo({
      robotType: this.spec.robotType,
      fps: this.spec.fps,
      features,
      episodes: this.episodes.length,
      frames: this.totalFrames,
      tasks: this.tasks.size,
    });
    writeJson(join(this.staging, INFO_PATH), info);
    writeJson(join(this.staging, STATS_PATH), this.stats());
    const tasks = [...this.tasks.entries()];
    writeParquetFile(
      join(this.staging, TASKS_PATH),
      [
        { name: 'task_index', type: 'int64', data: tasks.map(([, i]) => i) },
        { name: 'task', type: 'string', data: tasks.map(([t]) => t) },
      ],
      [{ key: 'pandas', value: tasksPandasMetadata() }],
    );
    const episodesFile = join(this.staging, formatPath(EPISODES_PATH, { chunk: 0, file: 0 }));
    mkdirSync(dirname(episodesFile), { recursive: true });
    writeParquetFile(episodesFile, this.episodeColumns());
  }

  private stats(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, stats] of this.datasetStats) if (stats.count > 0) out[key] = stats.result();
    for (const [camera, stats] of this.imageStats) out[imageKey(camera)] = stats.result();
    const indexStats = (values: readonly number[]): FeatureStats => {
      const s = new VectorStats(1);
      for (const v of values) s.add([v]);
      return s.result();
    };
    const n = this.totalFrames;
    const perRow = {
      timestamp: [] as number[],
      frame_index: [] as number[],
      episode_index: [] as number[],
      index: [] as number[],
      task_index: [] as number[],
    };
    for (const e of this.episodes) {
      const task = this.tasks.get(e.task)!;
      for (let f = 0; f < e.length; f++) {
        perRow.timestamp.push(Math.fround(f / this.spec.fps));
        perRow.frame_index.push(f);
        perRow.episode_index.push(e.index);
        perRow.index.push(e.fromIndex + f);
        perRow.task_index.push(task);
      }
    }
    if (n > 0) for (const [key, values] of Object.entries(perRow)) out[key] = indexStats(values);
    return out;
  }

  private episodeColumns(): ParquetColumn[] {
    const eps = this.episodes;
    const int = (name: string, f: (e: EpisodeRecord) => number): ParquetColumn => ({ name, type: 'int64', data: eps.map(f) });
    const columns: ParquetColumn[] = [
      int('episode_index', (e) => e.index),
      { name: 'tasks', type: 'list<string>', data: eps.map((e) => [e.task]) },
      int('length', (e) => e.length),
      int('data/chunk_index', (e) => e.data.chunk),
      int('data/file_index', (e) => e.data.file),
      int('dataset_from_index', (e) => e.fromIndex),
      int('dataset_to_index', (e) => e.fromIndex + e.length),
    ];
    for (const camera of this.spec.cameras) {
      const key = `videos/${imageKey(camera)}`;
      columns.push(
        int(`${key}/chunk_index`, (e) => e.videos.get(camera)!.at.chunk),
        int(`${key}/file_index`, (e) => e.videos.get(camera)!.at.file),
        { name: `${key}/from_timestamp`, type: 'float64', data: eps.map((e) => e.videos.get(camera)!.fromS) },
        { name: `${key}/to_timestamp`, type: 'float64', data: eps.map((e) => e.videos.get(camera)!.toS) },
      );
    }
    columns.push(
      int('meta/episodes/chunk_index', () => 0),
      int('meta/episodes/file_index', () => 0),
    );
    for (const v of this.spec.vectors) {
      for (const stat of ['min', 'max', 'mean', 'std', 'q01', 'q99'] as const) {
        columns.push({ name: `stats/${v.key}/${stat}`, type: 'list<float64>', data: eps.map((e) => e.stats.get(v.key)![stat]) });
      }
      columns.push({ name: `stats/${v.key}/count`, type: 'list<int64>', data: eps.map((e) => e.stats.get(v.key)!.count) });
    }
    return columns;
  }
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 4)}\n`);
}

function unwritable(dir: string, err: unknown): VlaError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new VlaError('FILE_UNREADABLE', `cannot write the dataset there (${code})`, {
    file: dir,
    path: '--out',
    cause: err,
    hint: 'give an --out folder whose parent exists and is writable',
  });
}

/** Refuses an output that is a file, or a non-empty folder unless it may be replaced. */
function checkOutput(dir: string, overwrite: boolean): void {
  let stat;
  try {
    stat = statSync(dir, { throwIfNoEntry: false });
  } catch (err) {
    throw unwritable(dir, err);
  }
  if (stat === undefined) return;
  if (!stat.isDirectory())
    throw new VlaError('ARGUMENT_INVALID', 'the output path exists and is not a folder', {
      file: dir,
      path: '--out',
      hint: 'give a new folder for the dataset',
    });
  if (!overwrite && readdirSync(dir).length > 0) {
    throw new VlaError('ARGUMENT_INVALID', 'the output folder already holds files (an existing dataset is never replaced by accident)', {
      file: dir,
      path: '--out',
      hint: 'give a new folder, or add --overwrite to replace it',
    });
  }
}
