import type { RawImageFrame } from '../../observation/Observation';
import type { TensorArray } from '../model/tensors';
import { plainPreprocessRgb8 } from '../../bench/plainPreprocess';
import { CameraSchema, type CameraSpec } from '../manifest/PolicyManifest';
import { CameraPreprocessor, centerCrop, padPlacement } from './CameraPreprocessor';
import { opencv } from './opencv';

/** A deterministic rgb8 test pattern: gradients and a bright square. */
function pattern(width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inSquare = x > width / 3 && x < width / 2 && y > height / 4 && y < height / 2;
      out[i] = inSquare ? 250 : (x * 255) / width;
      out[i + 1] = inSquare ? 20 : (y * 255) / height;
      out[i + 2] = ((x + y) * 7) % 256;
    }
  }
  return out;
}

function frame(
  width: number,
  height: number,
  encoding: string,
  data: Uint8Array,
  step = width * (data.length / (width * height)),
): RawImageFrame {
  return { kind: 'raw', stampS: 0, frameId: 'cam', width, height, encoding, step, isBigEndian: false, data };
}

/** rgb8 pixels re-packed as another 8-bit color encoding. */
function repack(rgb: Uint8Array, encoding: 'bgr8' | 'rgba8' | 'bgra8'): Uint8Array {
  const n = rgb.length / 3;
  const ch = encoding === 'bgr8' ? 3 : 4;
  const out = new Uint8Array(n * ch).fill(255);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!];
    const px = encoding === 'rgba8' ? [r, g, b] : [b, g, r];
    out.set(px, i * ch);
  }
  return out;
}

const camera = (fields: Partial<Record<keyof CameraSpec, unknown>>): CameraSpec =>
  CameraSchema.parse({
    name: 'cam',
    tensor: 'pixels',
    width: 32,
    height: 24,
    color: 'rgb',
    geometry: { mode: 'resize' },
    layout: 'nchw',
    dtype: 'float32',
    normalize: { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    ...fields,
  });

const norm = { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** Tensor values as numbers (camera tensors are float32 or uint8). */
const nums = (data: TensorArray): number[] => Array.from(data as Float32Array | Uint8Array);

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('CameraPreprocessor', () => {
  const rgb = pattern(32, 24);

  test('rgb8 at model size: (pixel * scale - mean) / std, NCHW', () => {
    const t = new CameraPreprocessor(camera({})).run(frame(32, 24, 'rgb8', rgb));
    expect(t.dims).toEqual([1, 3, 24, 32]);
    const data = t.data as Float32Array;
    const plane = 32 * 24;
    for (const [c, i] of [
      [0, 0],
      [1, 100],
      [2, 700],
    ] as const) {
      expect(data[c * plane + i]).toBeCloseTo((rgb[i * 3 + c]! / 255 - norm.mean[c]!) / norm.std[c]!, 5);
    }
  });

  test.each(['bgr8', 'rgba8', 'bgra8'] as const)('%s frames give the same tensor as rgb8', (encoding) => {
    const pre = new CameraPreprocessor(camera({}));
    const ref = pre.run(frame(32, 24, 'rgb8', rgb)).data;
    expect(nums(pre.run(frame(32, 24, encoding, repack(rgb, encoding))).data)).toEqual(nums(ref));
  });

  test('a BGR-trained camera gets the channels swapped', () => {
    const spec = camera({ color: 'bgr', normalize: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] } });
    const t = new CameraPreprocessor(spec).run(frame(32, 24, 'rgb8', rgb)).data as Float32Array;
    expect(t[0]).toBe(rgb[2]);
    expect(t[2 * 32 * 24]).toBe(rgb[0]);
  });

  test('row padding (step > width * 3) is skipped', () => {
    const step = 32 * 3 + 8;
    const padded = new Uint8Array(step * 24).fill(77);
    for (let y = 0; y < 24; y++) padded.set(rgb.subarray(y * 96, (y + 1) * 96), y * step);
    const pre = new CameraPreprocessor(camera({}));
    expect(nums(pre.run(frame(32, 24, 'rgb8', padded, step)).data)).toEqual(nums(pre.run(frame(32, 24, 'rgb8', rgb)).data));
  });

  test('bilinear resize agrees with a plain TypeScript bilinear loop to one pixel level', () => {
    const big = pattern(80, 60);
    const t = new CameraPreprocessor(camera({})).run(frame(80, 60, 'rgb8', big));
    const ref = plainPreprocessRgb8(big, 80, 60, { width: 32, height: 24, ...norm });
    expect(maxDiff(t.data as Float32Array, ref)).toBeLessThan(1.01 / 255 / 0.224);
  });

  test('uint8 NHWC is the resized pixels; uint8 NCHW the same values planar', () => {
    const nhwc = new CameraPreprocessor(camera({ dtype: 'uint8', layout: 'nhwc', normalize: undefined })).run(frame(32, 24, 'rgb8', rgb));
    expect(nhwc.type).toBe('uint8');
    expect(nums(nhwc.data)).toEqual(Array.from(rgb));
    const nchw = new CameraPreprocessor(camera({ dtype: 'uint8', layout: 'nchw', normalize: undefined })).run(frame(32, 24, 'rgb8', rgb));
    expect(nchw.dims).toEqual([1, 3, 24, 32]);
    expect(nchw.data[32 * 24 + 5]).toBe(rgb[5 * 3 + 1]);
  });

  test('float32 NHWC interleaves the normalized channels', () => {
    const nhwc = new CameraPreprocessor(camera({ layout: 'nhwc' })).run(frame(32, 24, 'rgb8', rgb)).data as Float32Array;
    const nchw = new CameraPreprocessor(camera({})).run(frame(32, 24, 'rgb8', rgb)).data as Float32Array;
    expect(nhwc[3 * 10 + 2]).toBe(nchw[2 * 32 * 24 + 10]);
  });

  test('resize_with_pad keeps the aspect ratio and pads equally (openpi)', () => {
    expect(padPlacement(128, 96, 64, 64)).toEqual({ width: 64, height: 48, top: 8, bottom: 8, left: 0, right: 0 });
    expect(padPlacement(640, 480, 224, 224)).toEqual({ width: 224, height: 168, top: 28, bottom: 28, left: 0, right: 0 });
    expect(padPlacement(100, 300, 64, 64)).toEqual({ width: 21, height: 64, top: 0, bottom: 0, left: 21, right: 22 });
    const spec = camera({
      width: 16,
      height: 16,
      geometry: { mode: 'resize_with_pad', pad_value: 9 },
      dtype: 'uint8',
      layout: 'nhwc',
      normalize: undefined,
    });
    const src = new Uint8Array(32 * 16 * 3).fill(200);
    const t = new CameraPreprocessor(spec).run(frame(32, 16, 'rgb8', src)).data;
    expect(t[0]).toBe(9); // top padding row
    expect(t[(4 * 16 + 3) * 3]).toBe(200); // first image row (8 rows of image between 4 + 4 of padding)
    expect(t[(12 * 16 + 3) * 3]).toBe(9); // bottom padding
  });

  test('center_crop takes the middle sqrt(area_fraction) of each side', () => {
    expect(centerCrop(40, 30, 0.25)).toEqual({ x: 10, y: 7, width: 20, height: 15 });
    const spec = camera({
      width: 16,
      height: 12,
      geometry: { mode: 'center_crop', area_fraction: 0.25 },
      dtype: 'uint8',
      layout: 'nhwc',
      normalize: undefined,
    });
    const src = pattern(32, 24);
    const t = new CameraPreprocessor(spec).run(frame(32, 24, 'rgb8', src)).data;
    // The 16x12 crop at (8, 6) needs no resize: it is copied exactly.
    expect(nums(t).slice(0, 3)).toEqual(Array.from(src.subarray((6 * 32 + 8) * 3, (6 * 32 + 8) * 3 + 3)));
  });

  test('mono8 feeds a gray camera as is; color frames are converted to luminance', () => {
    const spec = camera({ color: 'gray', normalize: { scale: 1, mean: [0], std: [1] } });
    const gray = Uint8Array.from({ length: 32 * 24 }, (_, i) => i % 251);
    const t = new CameraPreprocessor(spec).run(frame(32, 24, 'mono8', gray));
    expect(t.dims).toEqual([1, 1, 24, 32]);
    expect(nums(t.data)).toEqual(Array.from(gray));
    const fromColor = new CameraPreprocessor(spec).run(frame(32, 24, 'rgb8', rgb)).data as Float32Array;
    const i = 200;
    expect(Math.abs(fromColor[i]! - (0.299 * rgb[3 * i]! + 0.587 * rgb[3 * i + 1]! + 0.114 * rgb[3 * i + 2]!))).toBeLessThanOrEqual(1);
  });

  test('16UC1 depth in millimetres becomes metres, in either byte order', () => {
    const spec = camera({ color: 'depth', depth_scale: 0.001, normalize: { scale: 1, mean: [0], std: [1] }, width: 4, height: 2 });
    const mm = Uint16Array.from([0, 500, 1000, 1500, 2000, 2500, 3000, 65535]);
    const little = new Uint8Array(mm.buffer);
    const big = Uint8Array.from(little);
    for (let i = 0; i < big.length; i += 2) [big[i], big[i + 1]] = [big[i + 1]!, big[i]!];
    const pre = new CameraPreprocessor(spec);
    const expected = Array.from(mm, (v) => v * 0.001);
    // OpenCV scales in float32: within a float32 ulp of the exact metres.
    expect(maxDiff(nums(pre.run(frame(4, 2, '16UC1', little, 8)).data), expected)).toBeLessThan(1e-5);
    expect(maxDiff(nums(pre.run({ ...frame(4, 2, '16UC1', big, 8), isBigEndian: true }).data), expected)).toBeLessThan(1e-5);
  });

  test('JPEG and PNG CompressedImage frames decode to the raw picture', () => {
    const cv = opencv();
    const bgr = new cv.Mat(Buffer.from(repack(rgb, 'bgr8')), 24, 32, cv.CV_8UC3);
    const pre = new CameraPreprocessor(camera({ dtype: 'uint8', layout: 'nhwc', normalize: undefined }));
    const png = pre.run({ kind: 'compressed', stampS: 0, frameId: 'cam', format: 'png', data: cv.imencode('.png', bgr) });
    expect(nums(png.data)).toEqual(Array.from(rgb));
    const jpeg = pre.run({
      kind: 'compressed',
      stampS: 0,
      frameId: 'cam',
      format: 'rgb8; jpeg compressed bgr8',
      data: cv.imencode('.jpg', bgr, [cv.IMWRITE_JPEG_QUALITY, 100]),
    });
    // JPEG is lossy (chroma subsampling smears the pattern's sawtooth channel): close on average only.
    let sum = 0;
    const decoded = nums(jpeg.data);
    for (let i = 0; i < rgb.length; i++) sum += Math.abs(decoded[i]! - rgb[i]!);
    expect(sum / rgb.length).toBeLessThan(6);
  });

  test('frames the camera cannot use are refused with the camera and the reason', () => {
    const pre = new CameraPreprocessor(camera({}));
    expect(() => pre.run(frame(32, 24, '16UC1', new Uint8Array(32 * 24 * 2)))).toThrow(
      'camera "cam": the policy wants rgb frames, this one is 16UC1',
    );
    expect(() => pre.run(frame(32, 24, 'bayer_rggb8', rgb))).toThrow('camera "cam": encoding "bayer_rggb8" is not supported');
    expect(() => pre.run(frame(32, 24, 'rgb8', rgb, 50))).toThrow('step 50 is less than width x bytes per pixel = 96 (rgb8)');
    expect(() => pre.run(frame(0, 24, 'rgb8', rgb, 96))).toThrow('frame size 0x24 is not a positive integer size');
    expect(() =>
      pre.run({ kind: 'compressed', stampS: 0, frameId: 'cam', format: 'compressedDepth png', data: new Uint8Array(10) }),
    ).toThrow('compressedDepth');
    expect(() => pre.run({ kind: 'compressed', stampS: 0, frameId: 'cam', format: 'tiff', data: new Uint8Array(10) })).toThrow(
      'compressed format "tiff" is not jpeg or png',
    );
  });
});
