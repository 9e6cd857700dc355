import { VlaError } from '../../errors';
import type { RawImageFrame } from '../../observation/Observation';
import type { Observation } from '../../observation/Observation';
import type { PolicyManifest } from '../manifest/PolicyManifest';
import { type ServeSpec, ServeSpecSchema } from '../manifest/ServeSpec';
import type { ActionChunk } from '../Policy';
import { isNdArray, ndarray, type NdArray, ndToFloat64 } from '../remote/numpyMsgpack';

/**
 * The server side of a served local policy: the openpi observation map -> an Observation for the policy
 * runtime, and its chunk -> the reply's action array, as the manifest's `serve` section says (ServeSpec.ts).
 * Everything a client sends is checked: an observation that does not fit is an error naming the key.
 */
export class WireAdapter {
  readonly spec: ServeSpec;
  private readonly manifest: PolicyManifest;
  private readonly cameraKeys: ReadonlyMap<string, string>;

  constructor(manifest: PolicyManifest) {
    this.manifest = manifest;
    this.spec = manifest.serve ?? ServeSpecSchema.parse({});
    this.cameraKeys = new Map(
      manifest.cameras.map((c) => [c.name, this.spec.cameras.find((k) => k.name === c.name)?.key ?? `observation/${c.name}`]),
    );
  }

  /** What the server sends first: enough for a client to check its manifest against (openpi keys where they exist). */
  metadata(): Record<string, unknown> {
    const m = this.manifest;
    const { horizon, stepDtS, names } = this.outputShape();
    return {
      policy_name: m.name,
      action_horizon: horizon,
      action_dim: names.length,
      action_names: names,
      action_step_dt_s: stepDtS,
      action_kind: this.spec.actions.to_absolute ? 'absolute' : m.action.space.kind,
      observation_keys: {
        cameras: Object.fromEntries(this.cameraKeys),
        state: m.state === undefined ? null : this.spec.state.key,
        prompt: m.prompt === undefined ? null : this.spec.prompt_key,
      },
      server: 'vla-bridge serve',
    };
  }

  observation(message: Record<string, unknown>): { observation: Observation; wireState?: Float64Array } {
    const images = new Map<string, RawImageFrame>();
    for (const [name, key] of this.cameraKeys) images.set(name, frameOf(key, message[key]));
    let wireState: Float64Array | undefined;
    let position = new Float64Array(0);
    const state = this.manifest.state;
    if (state !== undefined || this.spec.actions.to_absolute) {
      const key = this.spec.state.key;
      const value = message[key];
      if (!isNdArray(value) || value.shape.length !== 1)
        throw new VlaError('ARGUMENT_INVALID', `observation "${key}" must be a 1-D numpy array (the state)`, { path: key });
      wireState = ndToFloat64(value);
      if (!wireState.every(Number.isFinite))
        throw new VlaError('ARGUMENT_INVALID', `observation "${key}" holds a non-finite value`, { path: key });
      position = Float64Array.from(wireState);
      const g = this.spec.state.gripper;
      if (g !== undefined) {
        const u = position[g.index];
        if (u === undefined)
          throw new VlaError('ARGUMENT_INVALID', `observation "${key}" has ${position.length} values, the gripper is at index ${g.index}`, {
            path: key,
          });
        position[g.index] = g.closed_position + Math.min(1, Math.max(0, u)) * (g.open_position - g.closed_position);
      }
    }
    let instruction = '';
    if (this.manifest.prompt !== undefined) {
      const prompt = message[this.spec.prompt_key];
      if (typeof prompt !== 'string')
        throw new VlaError('ARGUMENT_INVALID', `observation "${this.spec.prompt_key}" must be a string (the instruction)`, {
          path: this.spec.prompt_key,
        });
      instruction = prompt;
    }
    const observation: Observation = { stampS: 0, images, jointState: { stampS: 0, position }, instruction };
    return { observation, wireState };
  }

  /** The chunk in the wire's form: [horizon, dims] float32. */
  actions(chunk: ActionChunk, wireState: Float64Array | undefined): NdArray {
    const a = this.spec.actions;
    let { horizon, stepDtS } = chunk;
    let dims = chunk.dims;
    let values: Float64Array = Float64Array.from(chunk.actions);
    let anchor: Float64Array = new Float64Array(dims);
    if (a.to_absolute) {
      if (chunk.space.kind !== 'delta' || chunk.space.deltaConvention !== 'relative_to_observation') {
        throw new VlaError('POLICY_INVALID', 'serve.actions.to_absolute needs relative_to_observation delta actions', {
          path: 'serve.actions.to_absolute',
        });
      }
      const s = wireState!;
      if (s.length < dims)
        throw new VlaError('ARGUMENT_INVALID', `the state has ${s.length} values, the actions ${dims}`, { path: this.spec.state.key });
      anchor = Float64Array.from(s.subarray(0, dims));
      for (let i = 0; i < values.length; i++) values[i]! += anchor[i % dims]!;
    }
    if (a.resample !== undefined) {
      values = resampleChunk(values, anchor, dims, stepDtS, a.resample.horizon, a.resample.step_dt_s);
      horizon = a.resample.horizon;
      stepDtS = a.resample.step_dt_s;
    }
    if (a.append_gripper !== undefined) {
      const wider = new Float64Array(horizon * (dims + 1));
      for (let k = 0; k < horizon; k++) {
        wider.set(values.subarray(k * dims, (k + 1) * dims), k * (dims + 1));
        wider[k * (dims + 1) + dims] = a.append_gripper;
      }
      values = wider;
      dims += 1;
    }
    return ndarray(Float32Array.from(values), [horizon, dims]);
  }

  private outputShape(): { horizon: number; stepDtS: number; names: string[] } {
    const m = this.manifest;
    const a = this.spec.actions;
    const names = [...m.action.space.names, ...(a.append_gripper === undefined ? [] : ['gripper'])];
    return { horizon: a.resample?.horizon ?? m.action.chunk.horizon, stepDtS: a.resample?.step_dt_s ?? m.action.chunk.step_dt_s, names };
  }
}

/**
 * Waypoint k of a chunk is the target at (k + 1) dt, the anchor the value at 0: linear interpolation onto
 * (j + 1) dtOut, holding the last waypoint beyond it.
 */
export function resampleChunk(
  values: Float64Array,
  anchor: Float64Array,
  dims: number,
  dtS: number,
  horizonOut: number,
  dtOutS: number,
): Float64Array {
  const horizon = values.length / dims;
  const out = new Float64Array(horizonOut * dims);
  for (let j = 0; j < horizonOut; j++) {
    const u = Math.min(horizon, ((j + 1) * dtOutS) / dtS);
    const k = Math.floor(u);
    const f = u - k;
    for (let d = 0; d < dims; d++) {
      const at = (i: number) => (i === 0 ? anchor[d]! : values[(i - 1) * dims + d]!);
      out[j * dims + d] = f === 0 ? at(k) : at(k) + f * (at(k + 1) - at(k));
    }
  }
  return out;
}

/** A uint8 image array (HWC, or CHW with 1 or 3 channels first) as an rgb8/mono8 frame. */
function frameOf(key: string, value: unknown): RawImageFrame {
  if (!isNdArray(value))
    throw new VlaError('IMAGE_INVALID', `observation "${key}" is missing or not a numpy array`, {
      path: key,
      hint: 'send the camera as a uint8 array (height, width, 3)',
    });
  if (value.dtype !== '|u1' || value.shape.length !== 3)
    throw new VlaError(
      'IMAGE_INVALID',
      `observation "${key}" is ${value.dtype} [${value.shape.join(', ')}], expected uint8 (height, width, 3)`,
      { path: key },
    );
  let [h, w, c] = value.shape as [number, number, number];
  let data = value.data as Uint8Array;
  if (c !== 3 && c !== 1 && (h === 3 || h === 1)) {
    // CHW -> HWC
    const [ch, hh, ww] = [h, w, c];
    const hwc = new Uint8Array(data.length);
    for (let y = 0; y < hh; y++)
      for (let x = 0; x < ww; x++) for (let k = 0; k < ch; k++) hwc[(y * ww + x) * ch + k] = data[k * hh * ww + y * ww + x]!;
    [h, w, c, data] = [hh, ww, ch, hwc];
  }
  if (c !== 3 && c !== 1)
    throw new VlaError('IMAGE_INVALID', `observation "${key}" has ${c} channels, expected 3 (rgb) or 1`, { path: key });
  if (h === 0 || w === 0) throw new VlaError('IMAGE_INVALID', `observation "${key}" is empty`, { path: key });
  return {
    kind: 'raw',
    stampS: 0,
    frameId: key,
    width: w,
    height: h,
    encoding: c === 3 ? 'rgb8' : 'mono8',
    step: w * c,
    isBigEndian: false,
    data,
  };
}
