import type { CommandSample, CommandStream } from './CommandStream';

/** A predicted command and the recorded command at the same instant. */
export interface AlignedPair {
  tNs: bigint;
  predicted: Float64Array;
  recorded: Float64Array;
}

export interface Alignment {
  pairs: AlignedPair[];
  /** Predicted samples that fell in a gap of the recorded stream: not compared, never interpolated across. */
  inGap: number;
  /** Predicted samples before the first or after the last recorded sample. */
  outside: number;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function interpolate(a: CommandSample, b: CommandSample, tNs: bigint): Float64Array {
  const span = Number(b.tNs - a.tNs);
  const w = span === 0 ? 0 : Number(tNs - a.tNs) / span;
  const out = new Float64Array(a.values.length);
  for (let i = 0; i < out.length; i++) out[i] = a.values[i]! + w * (b.values[i]! - a.values[i]!);
  return out;
}

/**
 * Pairs each predicted command with the recorded command at its time: the recorded value itself at an equal
 * time, else linear interpolation between the recorded samples around it when they are at most `maxGapNs`
 * apart. Predicted commands inside a larger gap, or outside the recorded span, are counted, not compared:
 * the evaluation reports gaps instead of inventing data. Both streams must be in the same dimension order.
 */
export function alignStreams(predicted: CommandStream, recorded: CommandStream, maxGapNs: bigint): Alignment {
  if (!sameNames(predicted.names, recorded.names)) {
    throw new RangeError(`streams have different dimensions: [${predicted.names.join(', ')}] vs [${recorded.names.join(', ')}]`);
  }
  const rec = recorded.samples;
  const pairs: AlignedPair[] = [];
  let inGap = 0;
  let outside = 0;
  let k = 0; // rec[k] is the first recorded sample at or after the current predicted time
  for (const p of predicted.samples) {
    while (k < rec.length && rec[k]!.tNs < p.tNs) k++;
    const after = rec[k];
    if (after !== undefined && after.tNs === p.tNs) {
      pairs.push({ tNs: p.tNs, predicted: p.values, recorded: after.values });
      continue;
    }
    const before = k > 0 ? rec[k - 1] : undefined;
    if (before === undefined || after === undefined) {
      outside++;
      continue;
    }
    if (after.tNs - before.tNs > maxGapNs) {
      inGap++;
      continue;
    }
    pairs.push({ tNs: p.tNs, predicted: p.values, recorded: interpolate(before, after, p.tNs) });
  }
  return { pairs, inGap, outside };
}
