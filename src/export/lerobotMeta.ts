import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type FeatureStats, type ImageStats, VectorStats } from './featureStats';
import {
  DEFAULT_FEATURES,
  datasetInfo,
  EPISODES_PATH,
  type Feature,
  type FileIndex,
  formatPath,
  imageKey,
  INFO_PATH,
  STATS_PATH,
  TASKS_PATH,
  tasksPandasMetadata,
} from './lerobotLayout';
import type { DatasetSpec, WrittenEpisode } from './LeRobotDatasetWriter';
import { type ParquetColumn, writeParquetFile } from './parquetTable';

/** A LeRobot v3.0 dataset's metadata, written once all its frames are: meta/info.json, stats.json, tasks and episodes. */

export interface EpisodeRecord extends WrittenEpisode {
  data: FileIndex;
  videos: Map<string, { at: FileIndex; fromS: number; toS: number }>;
  stats: Map<string, FeatureStats>;
}

/** What the writer gathered while the frames went by. */
export interface DatasetContents {
  spec: DatasetSpec;
  features: Readonly<Record<string, Feature>>;
  episodes: readonly EpisodeRecord[];
  tasks: ReadonlyMap<string, number>;
  totalFrames: number;
  datasetStats: ReadonlyMap<string, VectorStats>;
  imageStats: ReadonlyMap<string, ImageStats>;
}

export function writeDatasetMeta(staging: string, d: DatasetContents): void {
  const features: Record<string, Feature> = {};
  for (const v of d.spec.vectors) features[v.key] = d.features[v.key]!;
  for (const camera of d.spec.cameras)
    if (d.features[imageKey(camera)] !== undefined) features[imageKey(camera)] = d.features[imageKey(camera)]!;
  Object.assign(features, DEFAULT_FEATURES);
  const info = datasetInfo({
    robotType: d.spec.robotType,
    fps: d.spec.fps,
    features,
    episodes: d.episodes.length,
    frames: d.totalFrames,
    tasks: d.tasks.size,
  });
  writeJson(join(staging, INFO_PATH), info);
  writeJson(join(staging, STATS_PATH), datasetStatsJson(d));
  const tasks = [...d.tasks.entries()];
  writeParquetFile(
    join(staging, TASKS_PATH),
    [
      { name: 'task_index', type: 'int64', data: tasks.map(([, i]) => i) },
      { name: 'task', type: 'string', data: tasks.map(([t]) => t) },
    ],
    [{ key: 'pandas', value: tasksPandasMetadata() }],
  );
  const episodesFile = join(staging, formatPath(EPISODES_PATH, { chunk: 0, file: 0 }));
  mkdirSync(dirname(episodesFile), { recursive: true });
  writeParquetFile(episodesFile, episodeColumns(d));
}

function datasetStatsJson(d: DatasetContents): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, stats] of d.datasetStats) if (stats.count > 0) out[key] = stats.result();
  for (const [camera, stats] of d.imageStats) out[imageKey(camera)] = stats.result();
  const indexStats = (values: readonly number[]): FeatureStats => {
    const s = new VectorStats(1);
    for (const v of values) s.add([v]);
    return s.result();
  };
  const n = d.totalFrames;
  const perRow = {
    timestamp: [] as number[],
    frame_index: [] as number[],
    episode_index: [] as number[],
    index: [] as number[],
    task_index: [] as number[],
  };
  for (const e of d.episodes) {
    const task = d.tasks.get(e.task)!;
    for (let f = 0; f < e.length; f++) {
      perRow.timestamp.push(Math.fround(f / d.spec.fps));
      perRow.frame_index.push(f);
      perRow.episode_index.push(e.index);
      perRow.index.push(e.fromIndex + f);
      perRow.task_index.push(task);
    }
  }
  if (n > 0) for (const [key, values] of Object.entries(perRow)) out[key] = indexStats(values);
  return out;
}

function episodeColumns(d: DatasetContents): ParquetColumn[] {
  const eps = d.episodes;
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
  for (const camera of d.spec.cameras) {
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
  for (const v of d.spec.vectors) {
    for (const stat of ['min', 'max', 'mean', 'std', 'q01', 'q99'] as const) {
      columns.push({ name: `stats/${v.key}/${stat}`, type: 'list<float64>', data: eps.map((e) => e.stats.get(v.key)![stat]) });
    }
    columns.push({ name: `stats/${v.key}/count`, type: 'list<int64>', data: eps.map((e) => e.stats.get(v.key)!.count) });
  }
  return columns;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 4)}\n`);
}
