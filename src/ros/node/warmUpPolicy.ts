import { encode as encodeJpeg } from 'jpeg-js';
import type { Embodiment } from '../../config/Embodiment';
import type { ImageFrame, Observation } from '../../observation/Observation';
import type { Policy } from '../../policy/Policy';

/** Size of the warm-up frames: the preprocessor's decode, resize and normalization paths are the same for any size. */
const WARM_UP_WIDTH = 320;
const WARM_UP_HEIGHT = 240;
/** Wall seconds a warm-up inference may take (a first ONNX run allocates and optimizes). */
export const WARM_UP_DEADLINE_S = 120;

/**
 * One inference on a neutral observation (mid-range joint positions, grey frames in each camera's own message
 * kind), run during configure: the first inference of a process loads OpenCV and the tokenizer on the main
 * thread and makes the model's first run (measured: a 1.9 s stall of the event loop on the demo policy), which
 * would otherwise land on the first ticks after activation, late commands and spurious watchdog stops.
 * Resolves with the wall seconds it took; rejects as the policy does.
 */
export async function warmUpPolicy(policy: Policy, embodiment: Embodiment, instruction: string): Promise<number> {
  const started = performance.now();
  await policy.infer(warmUpObservation(policy, embodiment, instruction), { deadlineS: WARM_UP_DEADLINE_S });
  return (performance.now() - started) / 1000;
}

export function warmUpObservation(policy: Policy, embodiment: Embodiment, instruction: string): Observation {
  const position = Float64Array.from(embodiment.limits, (l) => {
    const mid = (l.minPosition + l.maxPosition) / 2;
    return Number.isFinite(mid) ? mid : 0;
  });
  const images = new Map<string, ImageFrame>();
  for (const name of policy.cameras) {
    const camera = embodiment.config.topics.cameras.find((c) => c.name === name);
    images.set(name, camera?.type === 'sensor_msgs/msg/CompressedImage' ? greyJpeg() : greyRaw());
  }
  return { stampS: 0, images, jointState: { stampS: 0, position }, instruction: instruction.trim() === '' ? 'warm up' : instruction };
}

function greyRaw(): ImageFrame {
  const step = WARM_UP_WIDTH * 3;
  return {
    kind: 'raw',
    stampS: 0,
    frameId: 'warm_up',
    width: WARM_UP_WIDTH,
    height: WARM_UP_HEIGHT,
    encoding: 'rgb8',
    step,
    isBigEndian: false,
    data: new Uint8Array(step * WARM_UP_HEIGHT).fill(128),
  };
}

function greyJpeg(): ImageFrame {
  const rgba = Buffer.alloc(WARM_UP_WIDTH * WARM_UP_HEIGHT * 4, 128);
  const jpeg = encodeJpeg({ data: rgba, width: WARM_UP_WIDTH, height: WARM_UP_HEIGHT }, 80);
  return { kind: 'compressed', stampS: 0, frameId: 'warm_up', format: 'jpeg', data: new Uint8Array(jpeg.data) };
}
