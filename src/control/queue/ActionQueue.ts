import { alignQuaternion, normalizeQuaternion } from '../../robot/poseMath';
import { interpolateChunk, type Interpolation } from './interpolateChunk';
import { chunkEndS, executableEndS, type TargetChunk, type TargetSpace } from './TargetChunk';

/**
 * How consecutive chunks hand over:
 * - `receding_horizon`: the newest chunk takes over when it arrives. With `blendS` 0 that is a hard switch;
 *   with `blendS` > 0 the old and new trajectories are cross-faded over that long (overlap blending).
 * - `temporal_ensemble` (ACT): every chunk that covers the instant contributes, weighted exp(-decay * k) with k
 *   the chunk's start in steps (decay > 0 favours older chunks, as ACT does); each chunk fades in over `blendS`
 *   after it arrives and fades out over the last `blendS` of its horizon, so no chunk enters or leaves with a
 *   jump.
 */
export type Handover = { kind: 'receding_horizon'; blendS: number } | { kind: 'temporal_ensemble'; decayPerStep: number; blendS: number };

export interface ActionQueueOptions {
  handover: Handover;
  interpolation?: Interpolation;
}

export type QueueStatus = 'empty' | 'ok' | 'dry';

export interface QueueSample {
  /** `empty`: no chunk yet; `dry`: past the end of every chunk (holding the last target); else `ok`. */
  status: QueueStatus;
  /** The target (a view of an internal buffer, valid until the next call), or null when empty. */
  target: Float64Array | null;
  /** True when the instant is past the executable part of the newest chunk (running on its spare steps). */
  beyondExecutable: boolean;
}

interface Entry {
  chunk: TargetChunk;
  arrivalS: number;
  endS: number;
}

export interface QueueCounters {
  chunks: number;
  /** Samples taken while dry. */
  drySamples: number;
  /** Samples taken on the spare (non-executable) steps of the newest chunk. */
  spareSamples: number;
}

/** Smoothstep 0 -> 1 on [0, 1]: zero slope at both ends. */
function ramp(x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return x * x * (3 - 2 * x);
}

/**
 * The bridge between the policy rate and the command rate: timestamped chunks in, one interpolated target per
 * command tick out. Sampling times must not decrease (chunks that can no longer contribute are dropped).
 */
export class ActionQueue {
  readonly space: TargetSpace;
  private readonly handover: Handover;
  private readonly interpolation: Interpolation;
  private entries: Entry[] = [];
  private readonly out: Float64Array;
  private readonly tmp: Float64Array;
  private readonly acc: Float64Array;
  private lastSampleS = -Infinity;
  private readonly counts: QueueCounters = { chunks: 0, drySamples: 0, spareSamples: 0 };

  constructor(space: TargetSpace, options: ActionQueueOptions) {
    if (options.handover.blendS < 0 || !Number.isFinite(options.handover.blendS))
      throw new RangeError(`blendS must be >= 0, got ${options.handover.blendS}`);
    this.space = space;
    this.handover = options.handover;
    this.interpolation = options.interpolation ?? 'linear';
    this.out = new Float64Array(space.width);
    this.tmp = new Float64Array(space.width);
    this.acc = new Float64Array(space.width);
  }

  get counters(): Readonly<QueueCounters> {
    return this.counts;
  }

  /** Number of chunks still able to contribute. */
  get size(): number {
    return this.entries.length;
  }

  /** The newest chunk, if any. */
  get newest(): TargetChunk | undefined {
    return this.entries[this.entries.length - 1]?.chunk;
  }

  /** End of the newest chunk's executable part, seconds (undefined when empty). */
  executableEndS(): number | undefined {
    const last = this.newest;
    return last === undefined ? undefined : executableEndS(last);
  }

  /** End of the newest chunk's last waypoint, seconds. */
  horizonEndS(): number | undefined {
    const last = this.newest;
    return last === undefined ? undefined : chunkEndS(last);
  }

  /** Adds a chunk that became available at `arrivalS`. */
  push(chunk: TargetChunk, arrivalS: number): void {
    if (chunk.width !== this.space.width) throw new RangeError(`chunk width ${chunk.width} does not match the queue's ${this.space.width}`);
    if (chunk.points.length !== chunk.horizon * chunk.width || chunk.horizon < 1)
      throw new RangeError('chunk points do not match horizon x width');
    if (this.space.kind === 'pose') this.alignPose(chunk);
    this.entries.push({ chunk, arrivalS, endS: chunkEndS(chunk) });
    this.counts.chunks++;
  }

  /**
   * Makes the queue hold `target` from `tS` on, as if a chunk said so: pushed before the first chunk after the
   * queue was empty, it lets that chunk blend in from where the arm is held instead of jumping to it.
   */
  holdAt(target: Float64Array, tS: number): void {
    const anchor = Float64Array.from(target);
    this.push(
      { startS: tS, stepDtS: 1, horizon: 1, stepsToExecute: 1, width: this.space.width, anchor, points: Float64Array.from(target) },
      tS,
    );
  }

  /** Forgets every chunk (after an e-stop or a reset, the next chunk starts from the measured state). */
  clear(): void {
    this.entries = [];
  }

  sample(tS: number): QueueSample {
    if (tS < this.lastSampleS) throw new RangeError(`sample times must not decrease (${tS} < ${this.lastSampleS})`);
    this.lastSampleS = tS;
    const newest = this.entries[this.entries.length - 1];
    if (newest === undefined) return { status: 'empty', target: null, beyondExecutable: false };
    if (this.handover.kind === 'receding_horizon') this.sampleReceding(tS, this.handover.blendS);
    else this.sampleEnsemble(tS, this.handover.decayPerStep, this.handover.blendS);
    if (this.space.kind === 'pose') normalizeQuaternion(this.out, 0);
    const dry = tS > newest.endS;
    const beyondExecutable = tS > executableEndS(newest.chunk);
    if (dry) this.counts.drySamples++;
    else if (beyondExecutable) this.counts.spareSamples++;
    return { status: dry ? 'dry' : 'ok', target: this.out, beyondExecutable };
  }

  private sampleReceding(tS: number, blendS: number): void {
    const entries = this.entries;
    // The last entry fully faded in at tS makes every older one irrelevant from now on.
    let first = 0;
    for (let i = entries.length - 1; i > 0; i--) {
      if (this.fadeIn(entries[i]!, tS, blendS) >= 1) {
        first = i;
        break;
      }
    }
    if (first > 0) this.entries = entries.slice(first);
    const live = this.entries;
    interpolateChunk(live[0]!.chunk, tS, this.interpolation, this.out);
    for (let i = 1; i < live.length; i++) {
      const w = this.fadeIn(live[i]!, tS, blendS);
      if (w <= 0) continue;
      interpolateChunk(live[i]!.chunk, tS, this.interpolation, this.tmp);
      for (let j = 0; j < this.out.length; j++) this.out[j] = this.out[j]! + (this.tmp[j]! - this.out[j]!) * w;
    }
  }

  private sampleEnsemble(tS: number, decayPerStep: number, blendS: number): void {
    const entries = this.entries;
    const count = entries.length;
    const newest = entries[count - 1]!;
    // A chunk fades out over the last blendS of its horizon, but only as far as newer chunks have faded in:
    // fadeOut_i = max(ramp((end_i - t) / blendS), 1 - max_{j > i} fadeIn_j). The newest never fades out (it
    // holds its last waypoint when the queue runs dry), and the weights never all vanish at once.
    const fadeIns = entries.map((e) => this.fadeIn(e, tS, blendS));
    const fadeOuts = new Array<number>(count);
    let newerIn = 0;
    for (let i = count - 1; i >= 0; i--) {
      const e = entries[i]!;
      const own = blendS > 0 ? ramp((e.endS - tS) / blendS) : tS <= e.endS ? 1 : 0;
      fadeOuts[i] = Math.max(own, 1 - newerIn);
      newerIn = Math.max(newerIn, fadeIns[i]!);
    }
    const refStepS = newest.chunk.stepDtS;
    const refStartS = entries[0]!.chunk.startS;
    this.acc.fill(0);
    let total = 0;
    const keep: Entry[] = [];
    entries.forEach((e, i) => {
      const fadeOut = fadeOuts[i]!;
      if (fadeOut <= 0 && tS > e.endS) return;
      keep.push(e);
      const w = Math.exp(-decayPerStep * ((e.chunk.startS - refStartS) / refStepS)) * fadeIns[i]! * fadeOut;
      if (!(w > 0)) return;
      interpolateChunk(e.chunk, tS, this.interpolation, this.tmp);
      for (let j = 0; j < this.acc.length; j++) this.acc[j] = this.acc[j]! + w * this.tmp[j]!;
      total += w;
    });
    this.entries = keep;
    if (total > 0) {
      for (let j = 0; j < this.out.length; j++) this.out[j] = this.acc[j]! / total;
    } else {
      // No weight yet (the only chunks have just arrived): the newest chunk that has arrived.
      const arrived = [...keep].reverse().find((e) => e.arrivalS <= tS) ?? keep[0] ?? newest;
      interpolateChunk(arrived.chunk, tS, this.interpolation, this.out);
    }
  }

  private fadeIn(e: Entry, tS: number, blendS: number): number {
    if (tS < e.arrivalS) return 0;
    return blendS > 0 ? ramp((tS - e.arrivalS) / blendS) : 1;
  }

  /** Puts the chunk's quaternions in one hemisphere with the previous chunk's, so blending takes the short way. */
  private alignPose(chunk: TargetChunk): void {
    const previous = this.newest;
    const ref = previous === undefined ? chunk.anchor : previous.anchor;
    alignQuaternion(chunk.anchor, 0, ref, 0);
    for (let i = 0; i < chunk.horizon; i++)
      alignQuaternion(chunk.points, i * chunk.width, i === 0 ? chunk.anchor : chunk.points, i === 0 ? 0 : (i - 1) * chunk.width);
  }
}
