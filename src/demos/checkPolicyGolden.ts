import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { describeError, VlaError } from '../errors';
import type { Observation, RawImageFrame } from '../observation/Observation';
import { PolicyRuntime } from '../policy/runtime/PolicyRuntime';

/** One observation and what PyTorch computed for it at export time (tools/train_demo_policy.py). */
export interface GoldenCase {
  png: string;
  instruction: string;
  /** Joint positions, command joint order. */
  state: number[];
  input_ids: number[];
  tokens: number[];
  min_margin: number;
  /** Per generated token, the logits of the action ids (logits_range), 7 significant digits. */
  logits: number[][];
  /** Unnormalized actions, horizon x dims. */
  actions: number[][];
}

export interface GoldenFile {
  policy: string;
  vocab_size: number;
  logits_range: [number, number];
  cases: GoldenCase[];
}

export interface GoldenCaseResult {
  instruction: string;
  promptMatches: boolean;
  tokensMatch: boolean;
  /** Largest |runtime - PyTorch| over every logit compared. */
  maxLogitError: number;
  /** Largest |runtime - PyTorch| over the unnormalized actions. */
  maxActionError: number;
  tokens: readonly number[];
}

/** Reads a PNG as an rgb8 sensor_msgs/Image-layout frame. */
export function pngFrame(file: string, stampS = 0): RawImageFrame {
  const png = PNG.sync.read(readFileSync(file));
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) {
    rgb[3 * i] = png.data[4 * i]!;
    rgb[3 * i + 1] = png.data[4 * i + 1]!;
    rgb[3 * i + 2] = png.data[4 * i + 2]!;
  }
  return {
    kind: 'raw',
    stampS,
    frameId: file,
    width: png.width,
    height: png.height,
    encoding: 'rgb8',
    step: png.width * 3,
    isBigEndian: false,
    data: rgb,
  };
}

export function readGolden(goldenFile: string): GoldenFile {
  try {
    return JSON.parse(readFileSync(goldenFile, 'utf8')) as GoldenFile;
  } catch (err) {
    throw new VlaError('FILE_UNREADABLE', `cannot read the golden file: ${describeError(err)}`, { file: goldenFile });
  }
}

/** The golden case as the observation the runtime gets (one camera: the policy's first). */
export function goldenObservation(c: GoldenCase, goldenFile: string, camera: string): Observation {
  return {
    stampS: 0,
    images: new Map([[camera, pngFrame(join(dirname(goldenFile), c.png))]]),
    jointState: { stampS: 0, position: Float64Array.from(c.state) },
    instruction: c.instruction,
  };
}

/**
 * Runs each golden observation through the policy runtime (preprocessing, tokenizer, ONNX prefill + decode
 * with the KV cache, decoding, unnormalization) and compares with what PyTorch computed at export time.
 */
export async function checkPolicyGolden(policyDir: string, goldenFile: string): Promise<GoldenCaseResult[]> {
  const golden = readGolden(goldenFile);
  const runtime = await PolicyRuntime.load(policyDir, { executor: 'in_process' });
  try {
    const camera = runtime.cameras[0];
    if (camera === undefined) throw new VlaError('POLICY_INVALID', 'the policy has no camera', { file: runtime.folder.manifestFile });
    const results: GoldenCaseResult[] = [];
    for (const c of golden.cases) {
      const step = await runtime.step(goldenObservation(c, goldenFile, camera), { returnLogits: true });
      const tokens = step.chunk.tokens ?? [];
      let maxLogitError = 0;
      (step.logits ?? []).forEach((row, i) => {
        const expected = c.logits[i];
        if (expected === undefined) return;
        for (let k = 0; k < expected.length; k++) maxLogitError = Math.max(maxLogitError, Math.abs(row[k]! - expected[k]!));
      });
      let maxActionError = 0;
      c.actions.flat().forEach((a, i) => {
        maxActionError = Math.max(maxActionError, Math.abs(step.chunk.actions[i]! - a));
      });
      results.push({
        instruction: c.instruction,
        promptMatches: step.promptIds.length === c.input_ids.length && step.promptIds.every((id, i) => id === c.input_ids[i]),
        tokensMatch: tokens.length === c.tokens.length && tokens.every((t, i) => t === c.tokens[i]),
        maxLogitError: step.logits === undefined || step.logits.length < c.logits.length ? Infinity : maxLogitError,
        maxActionError,
        tokens,
      });
    }
    return results;
  } finally {
    await runtime.close();
  }
}
