import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { removeTempDirs, tempDir } from '../../test/support/bag/writeTestBags';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { UniformBins } from '../policy/decode/uniformBins';
import { type Normalization, unnormalize } from '../policy/normalization/Normalization';
import type { ActionChunk, ActionSpace, Policy } from '../policy/Policy';
import { actionTokenizerFor, expectedActions, uniformBinTokenizer } from './actionTokens';
import { runEval } from './runEval';
import { recordSimBag } from '../sim/recordSimBag';
import { expertFor } from '../../test/support/eval/simBags';

afterAll(removeTempDirs);

const panda = loadEmbodiment('franka_panda');
const JOINTS = panda.armJointNames;
const SPACE: ActionSpace = {
  names: [...JOINTS, 'gripper'],
  kind: 'delta',
  deltaConvention: 'relative_to_observation',
  frame: 'joint',
  gripperIndex: 7,
  gripperConvention: 'open_is_1',
};
const Q01 = [-0.3, -0.3, -0.3, -0.3, -0.3, -0.3, -0.3, 0];
const Q99 = [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 1];
const MASK = [true, true, true, true, true, true, true, false];
const NORM: Normalization = {
  type: 'quantile',
  dims: 8,
  q01: Float64Array.from(Q01),
  q99: Float64Array.from(Q99),
  mask: MASK,
  epsilon: 1e-8,
};
const BINS = new UniformBins(700, 256);

/** A policy folder whose manifest and statistics say: 4 steps of 7 joint deltas and the gripper, OpenVLA bins. */
function tokenizedPolicyFolder(): string {
  const dir = join(tempDir(), 'tokenized_joint_policy');
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.onnx'), '');
  copyFileSync(join(__dirname, '../../test/fixtures/policies/tiny_openvla/tokenizer.json'), join(dir, 'tokenizer.json'));
  writeFileSync(join(dir, 'stats.json'), JSON.stringify({ reach: { action: { q01: Q01, q99: Q99, mask: MASK } } }));
  const manifest = {
    format: 'vla_bridge.policy/1',
    name: 'tokenized_joint_policy',
    model: { type: 'single_pass', file: 'model.onnx' },
    prompt: { tokenizer: 'tokenizer.json', preset: 'openvla' },
    cameras: [
      {
        name: 'primary',
        tensor: 'pixel_values',
        width: 64,
        height: 64,
        color: 'rgb',
        geometry: { mode: 'resize', interpolation: 'bilinear' },
        layout: 'nchw',
        dtype: 'uint8',
      },
    ],
    action: {
      space: {
        names: SPACE.names,
        kind: 'delta',
        delta_convention: 'relative_to_observation',
        frame: 'joint',
        bounds: { lower: [...Array(7).fill(-0.5), 0], upper: [...Array(7).fill(0.5), 1] },
        gripper: { dimension: 'gripper', range: [0, 1], convention: 'open_is_1' },
      },
      decoder: { type: 'uniform_bins', vocab_size: 700, num_bins: 256 },
      normalization: { type: 'quantile', stats: { file: 'stats.json', path: 'reach/action' } },
      chunk: { horizon: 4, steps_to_execute: 2, step_dt_s: 0.2 },
    },
  };
  writeFileSync(join(dir, 'manifest.yaml'), stringify(manifest));
  return dir;
}

describe('uniformBinTokenizer', () => {
  it("encodes actions as the policy's decoder reads them back: within half a bin, the gripper through its raw range", () => {
    const tokenizer = uniformBinTokenizer({
      space: SPACE,
      horizon: 1,
      stepDtS: 0.2,
      normalization: NORM,
      bins: BINS,
      gripper: { index: 7, from: 0, to: 1 },
    });
    const halfBin = (d: number): number => (((2 / 255) * 0.5 * (Q99[d]! - Q01[d]!)) / 2) * (1 + 1e-7);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.3, max: 0.3, noNaN: true }), { minLength: 7, maxLength: 7 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (arm, grip) => {
          const actions = Float64Array.from([...arm, grip]);
          const tokens = tokenizer.encode(actions);
          expect(tokens.every((t) => t >= 700 - 256 && t < 700)).toBe(true);
          const decoded = unnormalize(NORM, BINS.decode(tokens));
          for (let d = 0; d < 7; d++) expect(Math.abs(decoded[d]! - actions[d]!)).toBeLessThanOrEqual(halfBin(d));
          expect(Math.abs(decoded[7]! - grip)).toBeLessThanOrEqual(1 / 255 + 1e-12);
        },
      ),
    );
  });
});

describe('expectedActions', () => {
  const state = Float64Array.from([0.1, 0.2, 0.3, -1.5, 0.5, 1.5, 0.7, 0.04]);
  // Every joint moves at 0.1 rad/s from the state; the gripper closes at 0.01 m/s.
  const recordedAt = (tS: number): Float64Array =>
    Float64Array.from(state, (q, j) => (j === 7 ? q - 0.01 * (tS - 10) : q + 0.1 * (tS - 10)));
  const timing = { horizon: 3, stepDtS: 0.2 };

  it('reads step i at the stamp + (i + 1) step: offsets from the observed state, increments, or targets, and the gripper in [0, 1]', () => {
    const relative = expectedActions(panda, { ...timing, space: SPACE }, 10, state, recordedAt)!;
    expect(Array.from(relative.subarray(0, 8)).map((v) => Number(v.toFixed(9)))).toEqual([0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.95]);
    expect(relative[2 * 8]).toBeCloseTo(0.06, 12);
    const cumulative = expectedActions(panda, { ...timing, space: { ...SPACE, deltaConvention: 'cumulative' } }, 10, state, recordedAt)!;
    expect(cumulative[2 * 8]).toBeCloseTo(0.02, 12);
    const absolute = expectedActions(panda, { ...timing, space: { ...SPACE, kind: 'absolute' } }, 10, state, recordedAt)!;
    expect(absolute[8 + 3]).toBeCloseTo(-1.5 + 0.04, 12);
    expect(absolute[2 * 8 + 7]).toBeCloseTo(0.85, 12);
  });

  it('gives nothing for a chunk with a step where nothing was recorded', () => {
    expect(
      expectedActions(panda, { ...timing, space: SPACE }, 10, state, (tS) => (tS > 10.3 ? undefined : recordedAt(tS))),
    ).toBeUndefined();
    expect(
      expectedActions(panda, { ...timing, space: SPACE }, 10, state, (tS) =>
        Float64Array.from(recordedAt(tS), (v, j) => (j === 2 ? NaN : v)),
      ),
    ).toBeUndefined();
  });
});

describe('actionTokenizerFor', () => {
  it('reads uniform bins and the statistics from a policy folder, and says why other policies have no token accuracy', () => {
    const tokenizer = actionTokenizerFor(tokenizedPolicyFolder());
    expect('encode' in tokenizer && tokenizer.horizon).toBe(4);
    const fixtures = join(__dirname, '../../test/fixtures/policies');
    expect(actionTokenizerFor(join(fixtures, 'tiny_act'))).toEqual({ reason: 'the policy is not tokenized (continuous actions)' });
    expect(actionTokenizerFor(join(fixtures, 'tiny_fast'))).toEqual({
      reason: "token accuracy covers uniform-bin decoders; this policy's decoder is fast",
    });
    expect(actionTokenizerFor(join(fixtures, 'tiny_openvla'))).toEqual({
      reason: 'the policy acts on the tool pose; recorded joint commands are compared as joints only',
    });
  });
});

describe('token accuracy in vla-bridge eval', () => {
  it("compares a tokenized joint policy's tokens with the recorded commands encoded the same way", async () => {
    const root = tempDir('vla-bridge-tokens-');
    const bag = await recordSimBag(panda, root, { episodes: 1, seed: 3, imageSizePx: 48 });
    const folder = tokenizedPolicyFolder();
    const tokenizer = actionTokenizerFor(folder);
    if (!('encode' in tokenizer)) throw new Error(tokenizer.reason);
    const expert = expertFor(panda, bag, { horizon: 4, stepsToExecute: 2, stepDtS: 0.2 });
    /** A policy speaking in tokens: its deltas from the observed state (or none: it holds still), binned, decoded back. */
    const tokenized = (still: boolean): Policy => ({
      ...expert,
      name: still ? 'tokenized stillness' : 'tokenized expert',
      space: SPACE,
      infer: async (observation) => {
        const plan = await expert.infer(observation);
        const deltas = Float64Array.from(plan.actions, (a, i) =>
          i % 8 === 7 ? a : still ? 0 : a - observation.jointState.position[i % 8]!,
        );
        const tokens = tokenizer.encode(deltas);
        const chunk: ActionChunk = { ...plan, space: SPACE, actions: unnormalize(NORM, BINS.decode(tokens)), tokens };
        return chunk;
      },
    });
    const accuracy = async (still: boolean): Promise<{ token_accuracy: number; tokens_compared: number; token_accuracy_note?: string }> =>
      (
        await runEval({
          bag: 'b',
          bagPath: bag.dir,
          embodiment: panda,
          openPolicy: async () => tokenized(still),
          policyDir: folder,
          outDir: join(root, String(still)),
        })
      ).metrics as never;
    const moving = await accuracy(false);
    expect(moving.token_accuracy_note).toBeUndefined();
    // 4 steps x 8 dimensions per chunk that lies where commands were recorded.
    expect(moving.tokens_compared % 32).toBe(0);
    expect(moving.tokens_compared / 32).toBeGreaterThanOrEqual(4);
    // The recorded commands follow the plan through blending and the modelled latency: many bins agree, not all.
    expect(moving.token_accuracy).toBeGreaterThan(0.3);
    expect(moving.token_accuracy).toBeLessThan(1);
    // Holding still gets the gripper (open) and little else.
    const still = await accuracy(true);
    expect(still.token_accuracy).toBeLessThan(moving.token_accuracy - 0.1);
  });
});
