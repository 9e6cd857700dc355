/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorCode, VlaError, VlaErrorList } from '../../src/errors';
import type { Observation, RawImageFrame } from '../../src/observation/Observation';
import { PolicyRuntime } from '../../src/policy/runtime/PolicyRuntime';
import { editedPolicy, goldenObservation, type PolicyName, policyDir, readGolden, replaceOnce } from './policyFixtures';

/** The error, flattened: code, one line of text with the location, hint included. */
async function failure(run: () => Promise<unknown>): Promise<{ code: ErrorCode; text: string; errors: VlaError[] }> {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof VlaError)) throw err;
    const errors = err instanceof VlaErrorList ? [...err.errors] : [err];
    return { code: errors[0]!.code, text: err.describe(), errors };
  }
  throw new Error('expected a VlaError');
}

const scratch: { cleanup(): void }[] = [];
afterAll(() => scratch.forEach((s) => s.cleanup()));

function edited(name: PolicyName, edit: (m: string) => string, files?: (dir: string) => void): string {
  const copy = editedPolicy(name, edit, files);
  scratch.push(copy);
  return copy.dir;
}

const keep = (m: string) => m;

describe('a policy folder that cannot load says what is wrong', () => {
  test('missing folder', async () => {
    const f = await failure(() => PolicyRuntime.load('/nonexistent/policy'));
    expect(f.code).toBe('FILE_NOT_FOUND');
    expect(f.text).toContain('policy folder not found');
  });

  test('missing manifest', async () => {
    const dir = edited('tiny_openvla', keep, (d) => rmSync(join(d, 'manifest.yaml')));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('FILE_NOT_FOUND');
    expect(f.text).toMatch(/no manifest\.yaml in the policy folder/);
  });

  test('missing model file', async () => {
    const dir = edited('tiny_openvla', keep, (d) => rmSync(join(d, 'prefill.onnx')));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('FILE_NOT_FOUND');
    expect(f.text).toContain('prefill model "prefill.onnx" not found');
    expect(f.errors[0]!.path).toBe('model.prefill');
    expect(f.errors[0]!.line).toBe(8);
  });

  test('a file that is not an ONNX model', async () => {
    const dir = edited('tiny_oft', keep, (d) => writeFileSync(join(d, 'model.onnx'), 'not a model'));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('POLICY_INVALID');
    expect(f.text).toContain('cannot load model.onnx');
  });

  test('external weights missing next to the model', async () => {
    const dir = edited('tiny_act', keep, (d) => rmSync(join(d, 'model.onnx.data')));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('POLICY_INVALID');
    expect(f.text).toContain('cannot load model.onnx');
    expect(f.text).toContain('.onnx.data');
  });

  test('missing tokenizer', async () => {
    const dir = edited('tiny_openvla', keep, (d) => rmSync(join(d, 'tokenizer.json')));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('FILE_NOT_FOUND');
    expect(f.errors[0]!.path).toBe('prompt.tokenizer');
  });

  test('a BOS token the tokenizer does not have', async () => {
    const dir = edited('tiny_rt2', (m) => replaceOnce(m, 'bos_token: "<s>"', 'bos_token: "<bos>"'));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('TOKENIZER_INVALID');
    expect(f.text).toContain('token "<bos>" is not in');
    expect(f.errors[0]!.path).toBe('prompt.bos_token');
  });

  test('unknown decoder', async () => {
    const dir = edited('tiny_openvla', (m) => replaceOnce(m, 'type: uniform_bins', 'type: bins'));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('POLICY_INVALID');
    expect(f.text).toContain('unknown decoder "bins": use one of uniform_bins, rt2_integers, fast, continuous');
    expect(f.errors[0]!.path).toBe('action.decoder.type');
  });

  test('delta vs absolute left unsaid', async () => {
    const dir = edited('tiny_openvla', (m) => replaceOnce(m, '    kind: delta\n', ''));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('POLICY_INVALID');
    expect(f.errors.map((e) => e.path)).toContain('action.space.kind');
    expect(f.text).toContain('missing required field');
  });

  test('wrong camera tensor name', async () => {
    const dir = edited('tiny_openvla', (m) => replaceOnce(m, 'tensor: pixel_values', 'tensor: pixels'));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('MODEL_MISMATCH');
    expect(f.text).toContain('prefill.onnx: has no input "pixels" (its inputs: pixel_values, input_ids, attention_mask)');
    expect(f.text).toContain('input "pixel_values" [1, 3, 64, 64] is fed by nothing in the manifest');
  });

  test('wrong image size for the model', async () => {
    const dir = edited('tiny_openvla', (m) => replaceOnce(m, '    width: 64\n', '    width: 32\n'));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('MODEL_MISMATCH');
    expect(f.text).toContain('input "pixel_values" has shape [1, 3, 64, 64], the manifest gives [1, 3, 64, 32]');
    expect(f.errors[0]!.path).toBe('cameras.0.tensor');
  });

  test('wrong layout and dtype for the model', async () => {
    const dir = edited('tiny_act', (m) =>
      replaceOnce(
        m,
        /layout: nhwc\n {4}dtype: uint8/,
        'layout: nchw\n    dtype: float32\n    normalize: { scale: 1.0, mean: [0, 0, 0], std: [1, 1, 1] }',
      ),
    );
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('MODEL_MISMATCH');
    expect(f.text).toContain('input "observation.images.wrist" is uint8, the manifest feeds float32');
    expect(f.text).toContain('has shape [1, 48, 48, 3], the manifest gives [1, 3, 48, 48]');
  });

  test('a chunk horizon that does not match the model output', async () => {
    const dir = edited('tiny_act', (m) => replaceOnce(m, 'horizon: 10', 'horizon: 12'));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('MODEL_MISMATCH');
    expect(f.text).toContain('output "actions" is [1, 10, 8], the manifest expects [1, 12, 8]');
  });

  test('a decoder vocab that does not fit the model logits', async () => {
    const dir = edited('tiny_openvla', (m) => replaceOnce(m, /vocab_size: \d+/, 'vocab_size: 32000'));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('MODEL_MISMATCH');
    expect(f.text).toMatch(/"logits" has \d+ logits per position, the action tokens go up to id 31999/);
  });

  test('a model input nothing feeds', async () => {
    const dir = edited('tiny_act', (m) => replaceOnce(m, /state:\n( {2}.*\n)+/, ''));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('MODEL_MISMATCH');
    expect(f.text).toContain('input "observation.state" [1, 8] is fed by nothing in the manifest');
  });

  test('absurd normalization statistics', async () => {
    const dir = edited('tiny_openvla', keep, (d) => {
      const file = join(d, 'dataset_statistics.json');
      const stats = JSON.parse(readFileSync(file, 'utf8'));
      stats.bridge_orig.action.q99[2] = -1;
      writeFileSync(file, JSON.stringify(stats));
    });
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('POLICY_INVALID');
    expect(f.text).toContain('absurd normalization statistics: q99[2] = -1 is below q01[2] = -0.026093858778476715');
    expect(f.errors[0]!.path).toBe('bridge_orig/action/q99[2]');
  });

  test('NaN in the statistics', async () => {
    const dir = edited('tiny_act', keep, (d) => {
      // JSON has no NaN: exporters write it as a string (or null), which is just as unusable.
      const file = join(d, 'stats.json');
      const stats = JSON.parse(readFileSync(file, 'utf8'));
      stats.action.std[0] = 'NaN';
      writeFileSync(file, JSON.stringify(stats));
    });
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('POLICY_INVALID');
    expect(f.text).toContain('std[0] is "NaN", not a finite number');
  });

  test('a zero std for the state (it is divided by it)', async () => {
    const dir = edited('tiny_act', keep, (d) => {
      const file = join(d, 'stats.json');
      const stats = JSON.parse(readFileSync(file, 'utf8'));
      stats['observation.state'].std[3] = 0;
      writeFileSync(file, JSON.stringify(stats));
    });
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.text).toContain('std[3] is 0: the state cannot be divided by it');
  });

  test('statistics for another number of dimensions', async () => {
    const dir = edited('tiny_rt2', (m) =>
      replaceOnce(
        replaceOnce(m, 'names: [x, y, z, roll, pitch, yaw, gripper]', 'names: [x, y, z, roll, pitch, yaw]'),
        /bounds:\n {6}lower: \[[^\]]*\]\n {6}upper: \[[^\]]*\]\n {4}gripper: .*\n/,
        'bounds:\n      lower: [-1, -1, -1, -1, -1, -1]\n      upper: [1, 1, 1, 1, 1, 1]\n',
      ),
    );
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('POLICY_INVALID');
    expect(f.text).toContain('"q01" has 7 values, the action has 6 dimensions');
  });

  test('no normalization mask anywhere', async () => {
    const dir = edited('tiny_act', (m) => replaceOnce(m, /( {4}stats: \{ file: stats.json, path: action \}\n) {4}mask: .*\n/, '$1'));
    const f = await failure(() => PolicyRuntime.load(dir));
    expect(f.code).toBe('POLICY_INVALID');
    expect(f.text).toContain('no normalization mask');
    expect(f.errors[0]!.path).toBe('action.normalization');
  });
});

describe('an inference on bad input says what is wrong, and yields no action', () => {
  let openvla: PolicyRuntime;
  let act: PolicyRuntime;
  const vlaCase = readGolden('tiny_openvla').cases[0]!;
  const actCase = readGolden('tiny_act').cases[0]!;
  beforeAll(async () => {
    openvla = await PolicyRuntime.load(policyDir('tiny_openvla'));
    act = await PolicyRuntime.load(policyDir('tiny_act'));
  });
  afterAll(async () => {
    await openvla.close();
    await act.close();
  });

  const withFrame = (obs: Observation, camera: string, edit: (f: RawImageFrame) => Partial<RawImageFrame>): Observation => {
    const frame = obs.images.get(camera) as RawImageFrame;
    return { ...obs, images: new Map([...obs.images, [camera, { ...frame, ...edit(frame) }]]) };
  };

  test('NaN from the model', async () => {
    const obs = goldenObservation('tiny_act', actCase);
    obs.jointState.position[0] = -1000; // 2500 sigma out: this test model answers NaN
    const f = await failure(() => act.step(obs));
    expect(f.code).toBe('MODEL_OUTPUT_INVALID');
    expect(f.text).toContain('the normalized action is NaN at step 0, dimension joint1');
  });

  test('an unsupported image encoding', async () => {
    const f = await failure(() =>
      openvla.step(withFrame(goldenObservation('tiny_openvla', vlaCase), 'primary', () => ({ encoding: 'yuv422' }))),
    );
    expect(f.code).toBe('IMAGE_INVALID');
    expect(f.text).toContain('camera "primary": encoding "yuv422" is not supported');
  });

  test('a gray frame for a color model', async () => {
    const f = await failure(() =>
      openvla.step(withFrame(goldenObservation('tiny_openvla', vlaCase), 'primary', (fr) => ({ encoding: 'mono8', step: fr.width }))),
    );
    expect(f.code).toBe('IMAGE_INVALID');
    expect(f.text).toContain('the policy wants rgb frames, this one is mono8');
  });

  test('a frame whose data is shorter than its size says', async () => {
    const f = await failure(() =>
      openvla.step(withFrame(goldenObservation('tiny_openvla', vlaCase), 'primary', (fr) => ({ height: fr.height + 10 }))),
    );
    expect(f.code).toBe('IMAGE_INVALID');
    expect(f.text).toContain('frame data is 12288 bytes, 64x74 rgb8 with step 192 needs 14208');
  });

  test('a corrupt JPEG', async () => {
    const obs = goldenObservation('tiny_openvla', vlaCase);
    const bad: Observation = {
      ...obs,
      images: new Map([
        ['primary', { kind: 'compressed', stampS: 0, frameId: 'p', format: 'jpeg', data: Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]) }],
      ]),
    };
    const f = await failure(() => openvla.step(bad));
    expect(f.code).toBe('IMAGE_INVALID');
    expect(f.text).toContain('camera "primary": truncated JPEG (7 bytes)');
  });

  test('a missing camera', async () => {
    const f = await failure(() => openvla.step({ ...goldenObservation('tiny_openvla', vlaCase), images: new Map() }));
    expect(f.code).toBe('IMAGE_INVALID');
    expect(f.text).toContain('no frame from camera "primary"');
  });

  test('an empty instruction', async () => {
    const f = await failure(() => openvla.step({ ...goldenObservation('tiny_openvla', vlaCase), instruction: '  ' }));
    expect(f.code).toBe('ARGUMENT_INVALID');
    expect(f.text).toContain('the instruction is empty');
  });

  test('a state of the wrong size', async () => {
    const obs = goldenObservation('tiny_act', actCase);
    const f = await failure(() => act.step({ ...obs, jointState: { stampS: 0, position: new Float64Array(7) } }));
    expect(f.code).toBe('ARGUMENT_INVALID');
    expect(f.text).toContain('the policy reads 8 state values (position), the observation has 7');
  });

  test('a token outside the action range', () => {
    const decoder = openvla.decoder;
    if (decoder.kind !== 'tokens') throw new Error('token decoder expected');
    expect(() => decoder.decode([5, 600, 600, 600, 600, 600, 600])).toThrow('token 5 is outside the action token range');
    expect(() => decoder.decode([600, 600])).toThrow('uniform bins: got 2 tokens, the chunk needs 7');
  });

  test('an action outside the bounds', async () => {
    const dir = edited('tiny_openvla', (m) =>
      replaceOnce(m, 'upper: [0.1, 0.1, 0.1, 0.5, 0.5, 0.5, 1.0]', 'upper: [0.1, 0.1, 0.1, 0.5, 0.5, 0.1, 1.0]'),
    );
    const narrow = await PolicyRuntime.load(dir);
    try {
      const f = await failure(() => narrow.step(goldenObservation('tiny_openvla', vlaCase)));
      expect(f.code).toBe('MODEL_OUTPUT_INVALID');
      expect(f.text).toContain(`action ${vlaCase.actions[0]![5]} at step 0, dimension yaw is outside its upper bound 0.1`);
    } finally {
      await narrow.close();
    }
  });
});
