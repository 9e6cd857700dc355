import type { Embodiment } from '../../config/Embodiment';
import { VlaError } from '../../errors';
import type { ImageFrame, Observation } from '../../observation/Observation';
import type { CameraSpec } from '../manifest/PolicyManifest';
import type { ServedCameraSpec, ServedPolicyManifest } from '../manifest/ServedPolicyManifest';
import { CameraPreprocessor } from '../preprocess/CameraPreprocessor';
import { opencv } from '../preprocess/opencv';
import { ndarray } from './numpyMsgpack';

/** Where the state's values come from in an observation's joint state (the embodiment's command joint order). */
export interface StateSource {
  /** Indices of the policy joints in the observation's joint positions. */
  jointIndices: readonly number[];
  /** The gripper joint and its open/closed positions, mapped to [0, 1] in the action's convention. */
  gripper?: { index: number; openPosition: number; closedPosition: number; openIs1: boolean };
}

/** The state source an embodiment gives a served policy: policy joints in order, then its gripper joint. */
export function stateSourceOf(embodiment: Embodiment, gripperConvention: 'open_is_1' | 'close_is_1' | undefined): StateSource {
  const jointIndices = embodiment.policyJointNames.map((n) => embodiment.commandJointNames.indexOf(n));
  const g = embodiment.config.gripper;
  if (g === undefined) return { jointIndices };
  return {
    jointIndices,
    gripper: {
      index: embodiment.commandJointNames.indexOf(g.joint),
      openPosition: g.open_position,
      closedPosition: g.closed_position,
      openIs1: gripperConvention !== 'close_is_1',
    },
  };
}

/**
 * A raw frame already at the wire's size, channel order and HWC layout goes out as it is (a view: packing copies
 * it once), instead of through the preprocessor's copy.
 */
function wireFrame(frame: ImageFrame, spec: CameraSpec) {
  const encoding = spec.color === 'rgb' ? 'rgb8' : 'bgr8';
  if (
    frame.kind !== 'raw' ||
    spec.layout !== 'nhwc' ||
    frame.encoding !== encoding ||
    frame.width !== spec.width ||
    frame.height !== spec.height ||
    frame.step !== spec.width * 3
  )
    return undefined;
  if (frame.data.length < spec.width * spec.height * 3) return undefined;
  return ndarray(frame.data.subarray(0, spec.width * spec.height * 3), [spec.height, spec.width, 3]);
}

/** A served camera as the preprocessor's spec: the same OpenCV geometry as a local model's uint8 input. */
function cameraSpecOf(c: ServedCameraSpec): CameraSpec {
  return {
    name: c.name,
    tensor: c.key,
    width: c.width,
    height: c.height,
    color: c.color,
    geometry: c.geometry,
    layout: c.layout === 'hwc' ? 'nhwc' : 'nchw',
    dtype: 'uint8',
  };
}

/**
 * Observation -> the server's observation map: each camera resized as the manifest says and sent as a uint8
 * array without the batch dimension, the state as float32 (policy joints, then the gripper in [0, 1]), the
 * instruction as given. Without a state source (`infer --state`) the joint state's values are sent as they are.
 */
export class ServedObservation {
  private readonly manifest: ServedPolicyManifest;
  private readonly cameras: readonly CameraPreprocessor[];
  private readonly source: StateSource | undefined;

  constructor(manifest: ServedPolicyManifest, source?: StateSource) {
    this.manifest = manifest;
    this.cameras = manifest.cameras.map((c) => new CameraPreprocessor(cameraSpecOf(c)));
    this.source = source;
    // A frame not already at the wire's size goes through OpenCV, whose first load takes ~0.4 s on the main
    // thread: load it now, before a control loop runs, not inside the tick of the first inference.
    opencv();
  }

  encode(observation: Observation): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const pre of this.cameras) {
      const frame = observation.images.get(pre.spec.name);
      if (frame === undefined) {
        throw new VlaError('IMAGE_INVALID', `no frame from camera "${pre.spec.name}"`, {
          path: `images.${pre.spec.name}`,
          hint: `the policy needs cameras ${this.manifest.cameras.map((c) => c.name).join(', ')}`,
        });
      }
      out[pre.spec.tensor] = wireFrame(frame, pre.spec) ?? ((t) => ndarray(t.data as Uint8Array, t.dims.slice(1)))(pre.run(frame));
    }
    const state = this.manifest.state;
    if (state !== undefined) {
      const values = this.stateValues(observation);
      if (values.length !== state.dims) {
        throw new VlaError(
          'ARGUMENT_INVALID',
          `the served policy reads ${state.dims} state values, the observation gives ${values.length}`,
          {
            path: 'state',
            hint:
              state.gripper === 'unit_interval'
                ? 'the state is the policy joints in order, then the gripper in [0, 1]'
                : 'the state is the policy joints in order',
          },
        );
      }
      values.forEach((v, i) => {
        if (!Number.isFinite(v))
          throw new VlaError('ARGUMENT_INVALID', `state value ${i} is ${v}`, { path: 'state', hint: 'the joint state must be finite' });
      });
      out[state.key] = ndarray(state.dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), [state.dims]);
    }
    if (this.manifest.prompt !== undefined) out[this.manifest.prompt.key] = observation.instruction;
    return out;
  }

  private stateValues(observation: Observation): number[] {
    const position = observation.jointState.position;
    const source = this.source;
    if (source === undefined) return Array.from(position);
    const values = source.jointIndices.map((i) => position[i]!);
    const g = source.gripper;
    if (g !== undefined && this.manifest.state?.gripper === 'unit_interval') {
      const open = (position[g.index]! - g.closedPosition) / (g.openPosition - g.closedPosition);
      const unit = Math.min(1, Math.max(0, open));
      values.push(g.openIs1 ? unit : 1 - unit);
    }
    return values;
  }
}
