import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkOutput, unwritable } from './datasetOutput';
import { ImageStats, VectorStats } from './featureStats';
import {
  DATA_FILES_SIZE_MB,
  DATA_PATH,
  DEFAULT_FEATURES,
  type Feature,
  type FileIndex,
  formatPath,
  imageKey,
  nextFile,
  VIDEO_FILES_SIZE_MB,
  VIDEO_PATH,
  videoFeature,
} from './lerobotLayout';
import { type EpisodeRecord, writeDatasetMeta } from './lerobotMeta';
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
    writeDatasetMeta(this.staging, {
      spec: this.spec,
      features: this.features,
      episodes: this.episodes,
      tasks: this.tasks,
      totalFrames: this.totalFrames,
      datasetStats: this.datasetStats,
      imageStats: this.imageStats,
    });
  }
}
