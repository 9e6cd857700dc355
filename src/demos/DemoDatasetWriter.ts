import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VlaError } from '../errors';
import { LeRobotDatasetWriter } from '../export/LeRobotDatasetWriter';
import type { VideoCodec } from '../export/VideoEncoder';
import type { ImageFrame, Observation } from '../observation/Observation';
import type { ActionChunk } from '../policy/Policy';

/** One labelled observation: what the policy saw and what the expert would do. */
export interface DemoSample {
  observation: Observation;
  /** The expert's chunk toward the cube the instruction names (the training label). */
  label: ActionChunk;
  /** The expert's chunk toward each object of the scene, in the episode's `cubes` order (counterfactual labels). */
  objectLabels: readonly ActionChunk[];
}

/** The format of meta/vla_bridge_demos.json, the demonstration facts LeRobot's own metadata has no place for. */
export const DEMO_FORMAT = 'vla_bridge.demos/2';
export const DEMO_META_PATH = 'meta/vla_bridge_demos.json';

/** What the features mean. */
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
  /** Objects in every scene: the expert's chunk toward each is recorded too (`action.object_chunks`); 0: none. */
  objectCount: number;
  /** Labelled observations per second (each episode's frame k is at k / fps). */
  fps: number;
}

/** One episode's record in meta/vla_bridge_demos.json. */
export interface DemoEpisode {
  /** The LeRobot episode_index of this episode. */
  datasetEpisode: number;
  /** Episode `index` of a run seeded with `seed` (Rng.forEpisode(seed, index) made its scene). */
  index: number;
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
  /** Rows of the dataset that belong to this episode: [first, first + count). */
  firstSample: number;
  sampleCount: number;
  /** How the executed actions differed from the labels (e.g. `expert`, `perturbed 0.05 rad`, `policy`). */
  actor: string;
  /** Safety layer interventions during the episode, in all and per limit. */
  safetyInterventions: number;
  interventionsByLimit: Record<string, number>;
}

/** Names of a flattened (steps, dims) chunk: `name@step`, step-major. */
function chunkNames(names: readonly string[], horizon: number, prefix = ''): string[] {
  return Array.from({ length: horizon }, (_, s) => names.map((n) => `${prefix}${n}@${s}`)).flat();
}

/**
 * Writes demonstrations as a LeRobot v3.0 dataset (the format `export-lerobot` writes and the training tools
 * read), one frame per labelled observation:
 *
 *     observation.state         the joint positions the policy saw (command joint order)
 *     observation.images.<cam>  the rgb8 frame it saw (video)
 *     action                    the first step of the expert's label chunk
 *     action.chunk              the whole label chunk, flattened step-major (names `joint@step`)
 *     action.object_chunks      the expert's chunk toward each cube of the scene, flattened (`cube2/joint@step`)
 *     task                      the instruction
 *
 * plus meta/vla_bridge_demos.json: layout, per episode seed, cubes, goal, start pose, success, actor.
 */
export class DemoDatasetWriter {
  readonly layout: DemoLayout;
  private readonly dataset: LeRobotDatasetWriter;
  private readonly episodes: DemoEpisode[] = [];
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown;
  private count = 0;

  constructor(
    readonly dir: string,
    layout: DemoLayout,
    options: { overwrite?: boolean; codec?: VideoCodec } = {},
  ) {
    this.layout = layout;
    const objects = Array.from({ length: layout.objectCount }, (_, k) =>
      chunkNames(layout.actionNames, layout.horizon, `cube${k}/`),
    ).flat();
    this.dataset = new LeRobotDatasetWriter({
      dir,
      overwrite: options.overwrite,
      fps: layout.fps,
      robotType: layout.embodiment,
      vectors: [
        { key: 'observation.state', names: layout.stateNames },
        { key: 'action', names: layout.actionNames },
        { key: 'action.chunk', names: chunkNames(layout.actionNames, layout.horizon) },
        ...(layout.objectCount > 0 ? [{ key: 'action.object_chunks', names: objects }] : []),
      ],
      cameras: [layout.camera.name],
      codec: options.codec ?? 'av1',
    });
    this.dataset.setCameraSize(layout.camera.name, layout.camera.width, layout.camera.height);
  }

  get samples(): number {
    return this.count;
  }

  /** Samples that follow belong to an episode with this instruction. */
  beginEpisode(instruction: string): void {
    this.dataset.beginEpisode(instruction);
  }

  /** Queues one sample (written in order; `endEpisode` waits for them). */
  add(sample: DemoSample): void {
    const { observation, label, objectLabels } = sample;
    const { layout } = this;
    if (objectLabels.length !== layout.objectCount)
      throw new VlaError('RUN_FAILED', `a sample has ${objectLabels.length} object labels, the dataset records ${layout.objectCount}`);
    const frame = observation.images.get(layout.camera.name);
    if (frame === undefined) throw new VlaError('RUN_FAILED', `the observation has no "${layout.camera.name}" camera frame to record`);
    const rgb = rgbPixels(frame, layout.camera.width, layout.camera.height);
    const chunk = chunkRows(label.actions, label.horizon, label.dims, layout);
    const vectors: Record<string, ArrayLike<number>> = {
      'observation.state': observation.jointState.position,
      action: chunk.subarray(0, layout.actionNames.length),
      'action.chunk': chunk,
    };
    if (layout.objectCount > 0) {
      const rows = objectLabels.map((c) => chunkRows(c.actions, c.horizon, c.dims, layout));
      const all = new Float64Array(rows.length * chunk.length);
      rows.forEach((r, k) => all.set(r, k * r.length));
      vectors['action.object_chunks'] = all;
    }
    this.count++;
    this.writes = this.writes
      .then(() => this.dataset.addFrame({ vectors, images: new Map([[layout.camera.name, rgb]]) }))
      .catch((err: unknown) => {
        this.failure ??= err;
      });
  }

  async endEpisode(episode: Omit<DemoEpisode, 'datasetEpisode' | 'firstSample' | 'sampleCount'>): Promise<DemoEpisode> {
    await this.flushed();
    const written = await this.dataset.endEpisode();
    const record: DemoEpisode = {
      datasetEpisode: written?.index ?? -1,
      ...episode,
      firstSample: written?.fromIndex ?? this.count,
      sampleCount: written?.length ?? 0,
    };
    this.episodes.push(record);
    return record;
  }

  async close(extra: Record<string, unknown> = {}): Promise<void> {
    await this.flushed();
    await this.dataset.close();
    const { layout } = this;
    const meta = {
      format: DEMO_FORMAT,
      embodiment: layout.embodiment,
      camera: { ...layout.camera, encoding: 'rgb8' },
      state: { names: layout.stateNames, source: 'position' },
      action: {
        names: layout.actionNames,
        kind: layout.actionKind,
        frame: layout.actionFrame,
        horizon: layout.horizon,
        step_dt_s: layout.stepDtS,
      },
      object_count: layout.objectCount,
      samples: this.count,
      successes: this.episodes.filter((e) => e.success).length,
      ...extra,
      episodes: this.episodes,
    };
    writeFileSync(join(this.dir, DEMO_META_PATH), `${JSON.stringify(meta, null, 1)}\n`);
  }

  async abort(): Promise<void> {
    await this.writes;
    await this.dataset.abort();
  }

  private async flushed(): Promise<void> {
    await this.writes;
    if (this.failure !== undefined) throw this.failure;
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
  if (frame.step === width * 3) return frame.data.slice(0, width * height * 3);
  const out = new Uint8Array(width * height * 3);
  for (let r = 0; r < height; r++) out.set(frame.data.subarray(r * frame.step, r * frame.step + width * 3), r * width * 3);
  return out;
}
