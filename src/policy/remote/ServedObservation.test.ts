import { join } from 'node:path';
import { packageRoot } from '../../config/packageRoot';
import { loadServedManifest } from '../loadPolicy';
import type { ServedPolicyManifest } from '../manifest/ServedPolicyManifest';
import * as opencvModule from '../preprocess/opencv';
import { ServedObservation } from './ServedObservation';

const manifest = loadServedManifest(join(packageRoot(), 'policies', 'openpi_sim_panda')) as ServedPolicyManifest;

it('loads OpenCV when it is made, so that the first frame to resize does not stall a control tick', () => {
  const load = jest.spyOn(opencvModule, 'opencv');
  try {
    const encoder = new ServedObservation(manifest);
    expect(load).toHaveBeenCalled();
    load.mockClear();
    // A 96x96 frame (the simulator's) resized to the wire's 224x224 with padding: OpenCV is already there.
    const data = new Uint8Array(96 * 96 * 3).fill(200);
    const frame = {
      kind: 'raw' as const,
      stampS: 0,
      frameId: 'cam',
      width: 96,
      height: 96,
      encoding: 'rgb8',
      step: 288,
      isBigEndian: false,
      data,
    };
    const position = Float64Array.of(0, -0.3, 0, -2.2, 0, 2, 0.8, 1);
    const out = encoder.encode({
      stampS: 0,
      images: new Map([['primary', frame]]),
      jointState: { stampS: 0, position },
      instruction: 'reach',
    });
    expect((out['observation/image'] as { shape: number[] }).shape).toEqual([224, 224, 3]);
  } finally {
    load.mockRestore();
  }
});
