import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VlaError } from '../errors';
import type { ImageFrame } from '../observation/Observation';
import type { ActionChunk } from '../policy/Policy';
import { NpyWriter } from './NpyWriter';
import type { Observation } from '../observation/Observation';

/** One labelled observation: what the policy saw and what the expert would do. */
export interface DemoSample {
  observation: Observation;
  /** The expert's chunk toward the cube the instruction names (the training label). */
  label: ActionChunk;
  /** The expert's chunk toward each object of the scene, in episodes.json order (counterfactual labels). */
  objectLabels: readonly ActionChunk[];
}

export const DEMO_FORMAT = 'vla_bridge.demos/1';

/** What the arrays mean; written as index.json so that numpy users need nothing else. */
export interface DemoLayout {
  embodiment: string;
  camera: { name: string; width: number; height: number };
  /** Joint state names (the embodiment's command joint order). */
  stateNames: readonly string[];
  /** The expert's action dimensions (the label chunk's order). */
  actionNames: readonly string[];
  actionKind: 'delta' | 'absolute';
  actionFrame: 'joint' | 'end_effector';
  /** Steps per label chunk and seconds between them. */
  horizon: number;
  stepDtS: number;
  /** Objects in every scene: the expert's chunk toward each is recorded too (object_actions.npy); 0: none. */
  objectCount: number;
}

/** One episode's record in episodes.json. */
export interface DemoEpisode {
  index: number;
  /** Episode `index` of a run seeded with `seed` (Rng.forEpisode(seed, index) made its scene). */
  seed: number;
  instruction: string;
  targetColor: string;
  cubes: { color: string; centerM: readonly number[] }[];
  goalM: readonly number[];
  startPositions: readonly number[];
  success: boolean;
  /** Simulated seconds from the start to the first time the tool was within the success radius. */
  timeToSuccessS: number | null;
  durationS: number;
  /** Rows of the arrays that belong to this episode: [first, first + count). */
  firstSample: number;
  sampleCount: number;
  /** How the executed actions differed from the labels (e.g. `expert`, `perturbed 0.05 rad`, `policy`). */
  actor: string;
  /** Safety layer interventions during the episode, in all and per limit. */
  safetyInterventions: number;
  interventionsByLimit: Record<string, number>;
}

/**
 * Writes a demonstration dataset folder, one row per labelled observation:
 *
 *     index.json     format, layout, array shapes, sample and episode counts
 *     episodes.json  per episode: seed, instruction, cubes, goal, start pose, success, rows
 *     images.npy     uint8   [N, H, W, 3]  rgb8 camera frame the policy saw
 *     state.npy      float32 [N, S]        joint positions at the observation (command joint order)
 *     actions.npy    float32 [N, T, A]     the expert's chunk (label) for that observation
 *     object_actions.npy float32 [N, C, T, A]  the expert's chunk toward each of the C cubes (episodes.json order)
 *     episode.npy    int32   [N]           episode index of the row
 *     time.npy       float32 [N]           observation time since the episode started, s
 */
export class DemoDatasetWriter {
  readonly dir: string;
  readonly layout: DemoLayout;
  private readonly images: NpyWriter;
  private readonly state: NpyWriter;
  private readonly actions: NpyWriter;
  private readonly objectActions: NpyWriter | undefined;
  private readonly episode: NpyWriter;
  private readonly time: NpyWriter;
  private readonly episodes: DemoEpisode[] = [];
  private episodeStartS = 0;
  private episodeIndex = -1;

  constructor(dir: string, layout: DemoLayout) {
    this.dir = dir;
    this.layout = layout;
    mkdirSync(dir, { recursive: true });
    const { width, height } = layout.camera;
    const chunk = [layout.horizon, layout.actionNames.length];
    this.images = new NpyWriter(join(dir, 'images.npy'), 'uint8', [height, width, 3]);
    this.state = new NpyWriter(join(dir, 'state.npy'), 'float32', [layout.stateNames.length]);
    this.actions = new NpyWriter(join(dir, 'actions.npy'), 'float32', chunk);
    this.objectActions = layout.objectCount > 0 ? new NpyWriter(join(dir, 'object_actions.npy'), 'float32', [layout.objectCount, ...chunk]) : undefined;
    this.episode = new NpyWriter(join(dir, 'episode.npy'), 'int32', []);
    this.time = new NpyWriter(join(dir, 'time.npy'), 'float32', []);
  }

  get samples(): number {
    return this.state.rows;
  }

  /** Rows that follow belong to episode `index`, which started at `startS` (clock time). */
  beginEpisode(index: number, startS: number): void {
    this.episodeIndex = index;
    this.episodeStartS = startS;
  }

  add(sample: DemoSample): void {
    const { observation, label, objectLabels } = sample;
    const { layout } = this;
    if (objectLabels.length !== layout.objectCount) throw new VlaError('RUN_FAILED', `a sample has ${objectLabels.length} object labels, the dataset records ${layout.objectCount}`);
    const frame = observation.images.get(layout.camera.name);
    if (frame === undefined) throw new VlaError('RUN_FAILED', `the observation has no "${layout.camera.name}" camera frame to record`);
    this.images.append(rgbPixels(frame, layout.camera.width, layout.camera.height));
    this.state.append(observation.jointState.position);
    this.actions.append(chunkRows(label.actions, label.horizon, label.dims, layout));
    if (this.objectActions !== undefined) {
      const rows = objectLabels.map((c) => chunkRows(c.actions, c.horizon, c.dims, layout));
      const all = new Float64Array(rows.length * layout.horizon * layout.actionNames.length);
      rows.forEach((r, k) => all.set(r, k * r.length));
      this.objectActions.append(all);
    }
    this.episode.append([this.episodeIndex]);
    this.time.append([observation.stampS - this.episodeStartS]);
  }

  endEpisode(episode: Omit<DemoEpisode, 'firstSample' | 'sampleCount'>): DemoEpisode {
    const firstSample = this.episodes.reduce((n, e) => n + e.sampleCount, 0);
    const record = { ...episode, firstSample, sampleCount: this.samples - firstSample };
    this.episodes.push(record);
    return record;
  }

  close(extra: Record<string, unknown> = {}): void {
    const writers = [this.images, this.state, this.actions, this.episode, this.time, ...(this.objectActions === undefined ? [] : [this.objectActions])];
    for (const w of writers) w.close();
    const { layout } = this;
    const array = (w: NpyWriter) => ({ file: w.file.slice(this.dir.length + 1), dtype: w.dtype, shape: [w.rows, ...w.rowShape] });
    const index = {
      format: DEMO_FORMAT,
      embodiment: layout.embodiment,
      camera: { ...layout.camera, encoding: 'rgb8' },
      state: { names: layout.stateNames, source: 'position' },
      action: { names: layout.actionNames, kind: layout.actionKind, frame: layout.actionFrame, horizon: layout.horizon, step_dt_s: layout.stepDtS },
      samples: this.samples,
      episodes: this.episodes.length,
      successes: this.episodes.filter((e) => e.success).length,
      arrays: Object.fromEntries(writers.map((w) => [w.file.slice(this.dir.length + 1).replace(/\.npy$/, ''), array(w)])),
      ...extra,
    };
    writeFileSync(join(this.dir, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
    writeFileSync(join(this.dir, 'episodes.json'), `${JSON.stringify(this.episodes)}\n`);
  }
}

/** The first `layout.horizon` steps of a chunk (rows of `dims`); a shorter chunk repeats its last step. */
function chunkRows(actions: Float64Array, horizon: number, dims: number, layout: DemoLayout): Float64Array {
  const width = layout.actionNames.length;
  if (dims !== width) throw new VlaError('RUN_FAILED', `a chunk has ${dims} dimensions, the dataset records ${width}`);
  const out = new Float64Array(layout.horizon * width);
  for (let s = 0; s < layout.horizon; s++) {
    const from = Math.min(s, horizon - 1) * dims;
    out.set(actions.subarray(from, from + dims), s * width);
  }
  return out;
}

/** A raw rgb8 frame of the recorded size, as tightly packed bytes. */
function rgbPixels(frame: ImageFrame, width: number, height: number): Uint8Array {
  if (frame.kind !== 'raw' || frame.encoding !== 'rgb8' || frame.width !== width || frame.height !== height) {
    const what = frame.kind === 'raw' ? `${frame.encoding} ${frame.width}x${frame.height}` : `compressed ${frame.format}`;
    throw new VlaError('RUN_FAILED', `demonstrations record rgb8 ${width}x${height} frames, the camera gave ${what}`);
  }
  if (frame.step === width * 3) return frame.data.subarray(0, width * height * 3);
  const out = new Uint8Array(width * height * 3);
  for (let r = 0; r < height; r++) out.set(frame.data.subarray(r * frame.step, r * frame.step + width * 3), r * width * 3);
  return out;
}
