import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VlaError, VlaErrorList } from '../../errors';
import { loadPolicyManifest } from './loadPolicyManifest';

const POLICIES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'policies');

const BASE = `format: vla_bridge.policy/1
name: test_policy
model:
  type: single_pass
  file: model.onnx
cameras:
  - name: primary
    tensor: image
    width: 8
    height: 8
    color: rgb
    geometry: { mode: resize }
    layout: nchw
    dtype: float32
    normalize: { scale: 0.00392156862745098, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }
action:
  space:
    names: [a, b, gripper]
    kind: absolute
    frame: joint
    bounds: { lower: [-1, -1, 0], upper: [1, 1, 1] }
    gripper: { dimension: gripper, range: [-1, 1], convention: close_is_1 }
  decoder: { type: continuous }
  normalization: { type: none }
  chunk: { horizon: 4, steps_to_execute: 2, step_dt_s: 0.1 }
`;

/** Problems found in a manifest, as "path (line): message". */
function problems(yaml: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'vla-manifest-'));
  try {
    writeFileSync(join(dir, 'manifest.yaml'), yaml);
    writeFileSync(join(dir, 'model.onnx'), '');
    loadPolicyManifest(dir);
    return [];
  } catch (err) {
    if (!(err instanceof VlaError)) throw err;
    const list = err instanceof VlaErrorList ? err.errors : [err];
    return list.map((e) => `${e.path} (${e.line}): ${e.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('policy manifest', () => {
  test('every test policy manifest is valid', () => {
    for (const name of readdirSync(POLICIES)) {
      const folder = loadPolicyManifest(join(POLICIES, name));
      expect(folder.manifest.name).toBe(name);
    }
  });

  test('a minimal continuous manifest is valid, with defaults for what is not about correctness', () => {
    expect(problems(BASE)).toEqual([]);
  });

  test('a misspelled key is an error with its line', () => {
    expect(problems(BASE.replace('kind: absolute', 'kind: absolute\n    knd: delta'))).toEqual([
      'action.space.knd (20): unknown key "knd"',
    ]);
  });

  test('delta actions must say how deltas add up; absolute ones must not', () => {
    expect(problems(BASE.replace('kind: absolute', 'kind: delta'))).toEqual([
      'action.space.delta_convention (17): missing: say whether each delta step is ' +
        'relative_to_observation (offsets from the observed state) or cumulative (adds to the ' +
        'previous step)',
    ]);
    expect(problems(BASE.replace('kind: absolute', 'kind: delta\n    delta_convention: cumulative'))).toEqual([]);
    expect(problems(BASE.replace('kind: absolute', 'kind: absolute\n    delta_convention: cumulative'))).toEqual([
      'action.space.delta_convention (20): delta_convention is for kind: delta only',
    ]);
  });

  test('dimensions must agree: bounds, gripper, mask', () => {
    const yaml = BASE.replace('upper: [1, 1, 1]', 'upper: [1, 1]')
      .replace('dimension: gripper', 'dimension: hand')
      .replace('{ type: none }', '{ type: quantile, stats: { file: s.json, path: a }, mask: [true] }');
    expect(problems(yaml)).toEqual([
      'action.space.bounds.upper (21): needs 3 values (one per dimension in names), got 2',
      'action.space.gripper.dimension (22): "hand" is not one of names (a, b, gripper)',
      'action.normalization.mask (24): needs 3 values (one per action dimension), got 1',
    ]);
  });

  test('decoders need the right model type and a prompt', () => {
    const rt2 = BASE.replace('{ type: continuous }', '{ type: rt2_integers, num_bins: 256 }');
    expect(problems(rt2)).toEqual([
      'action.decoder.type (23): rt2_integers decoding generates tokens one at a time: it needs model.type: autoregressive',
      'prompt (1): a rt2_integers decoder reads tokens: the manifest needs a prompt section with its tokenizer',
    ]);
  });

  test('camera settings are checked against each other', () => {
    const yaml = BASE.replace(
      '    dtype: float32\n    normalize: { scale: 0.00392156862745098, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }\n',
      '    dtype: float32\n',
    );
    expect(problems(yaml)).toEqual([expect.stringMatching(/^cameras\.0\.normalize \(7\): a float32 camera needs normalize/)]);
    const gray = BASE.replace('color: rgb', 'color: gray');
    expect(problems(gray)).toEqual([
      'cameras.0.normalize.mean (15): needs 1 value (one per channel of a gray image), got 3',
      'cameras.0.normalize.std (15): needs 1 value (one per channel of a gray image), got 3',
    ]);
  });

  test('one tensor is fed by one thing', () => {
    const yaml = BASE.replace(
      'action:',
      'state:\n  tensor: image\n  source: position\n  dims: 3\n  normalization: { type: none }\naction:',
    );
    expect(problems(yaml)).toEqual(['state.tensor (17): tensor "image" is already fed by cameras.0.tensor']);
  });

  test('steps to execute fit in the chunk; the format is named', () => {
    expect(problems(BASE.replace('steps_to_execute: 2', 'steps_to_execute: 5'))).toEqual([
      'action.chunk.steps_to_execute (25): steps_to_execute cannot exceed horizon',
    ]);
    expect(problems(BASE.replace('format: vla_bridge.policy/1', 'format: 2'))).toEqual(['format (1): must be "vla_bridge.policy/1"']);
  });

  test('a named file that is missing is reported with its field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vla-manifest-'));
    try {
      writeFileSync(join(dir, 'manifest.yaml'), BASE);
      expect(() => loadPolicyManifest(dir)).toThrow(/model "model.onnx" not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
