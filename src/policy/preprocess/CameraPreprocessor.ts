import type { ImageFrame } from '../../observation/Observation';
import type { CameraColor, CameraSpec, GeometrySpec } from '../manifest/PolicyManifest';
import type { TensorData } from '../model/tensors';
import { checkRawFrame, frameToMat } from './frameToMat';
import { type Mat, opencv } from './opencv';

/** Placement of the resized image inside the target for resize_with_pad (openpi's arithmetic). */
export function padPlacement(width: number, height: number, targetWidth: number, targetHeight: number) {
  const ratio = Math.max(width / targetWidth, height / targetHeight);
  const w = Math.max(1, Math.min(targetWidth, Math.trunc(width / ratio)));
  const h = Math.max(1, Math.min(targetHeight, Math.trunc(height / ratio)));
  const top = Math.floor((targetHeight - h) / 2);
  const left = Math.floor((targetWidth - w) / 2);
  return { width: w, height: h, top, bottom: targetHeight - h - top, left, right: targetWidth - w - left };
}

/** The centred crop for center_crop: each side scaled by sqrt(area_fraction), whole pixels. */
export function centerCrop(width: number, height: number, areaFraction: number) {
  const s = Math.sqrt(areaFraction);
  const w = Math.max(1, Math.round(width * s));
  const h = Math.max(1, Math.round(height * s));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/** The raw encoding that already is a camera color, at 8 bits. */
const NATIVE_ENCODING: Readonly<Record<CameraColor, string | undefined>> = { rgb: 'rgb8', bgr: 'bgr8', gray: 'mono8', depth: undefined };

/**
 * One camera's frame -> its model tensor (batch of 1). OpenCV decodes compressed frames, converts to the trained
 * channel order and does the geometry (resize / crop / pad); the per-channel value map x = (pixel * scale -
 * mean) / std goes through a 256-entry float32 table per channel while laying out NCHW or NHWC. A raw frame that
 * is already at the model's size and channel order skips OpenCV. Either way the same pixels give the same tensor.
 */
export class CameraPreprocessor {
  readonly spec: CameraSpec;
  readonly channels: number;
  readonly dims: readonly number[];
  /** float32 8-bit cameras: value of each byte, per channel. */
  private readonly tables: readonly Float32Array[];

  constructor(spec: CameraSpec) {
    this.spec = spec;
    this.channels = spec.color === 'rgb' || spec.color === 'bgr' ? 3 : 1;
    this.dims = spec.layout === 'nchw' ? [1, this.channels, spec.height, spec.width] : [1, spec.height, spec.width, this.channels];
    const norm = spec.normalize;
    this.tables =
      spec.dtype === 'float32' && spec.color !== 'depth' && norm !== undefined
        ? Array.from({ length: this.channels }, (_, c) =>
            Float32Array.from({ length: 256 }, (_, v) => (v * norm.scale - norm.mean[c]!) / norm.std[c]!),
          )
        : [];
  }

  run(frame: ImageFrame): TensorData {
    if (this.spec.color === 'depth')
      return this.depthTensor(this.fit(frameToMat(frame, this.spec.name, 'depth', this.spec.depth_scale ?? 1), this.spec.geometry));
    const pixels = this.directPixels(frame) ?? this.fit(frameToMat(frame, this.spec.name, this.spec.color), this.spec.geometry).getData();
    return this.pixelTensor(pixels);
  }

  /** The frame's own bytes when there is nothing to convert: raw, packed, model size, model channel order. */
  private directPixels(frame: ImageFrame): Uint8Array | undefined {
    const { width, height, color, geometry } = this.spec;
    if (frame.kind !== 'raw' || frame.encoding !== NATIVE_ENCODING[color] || frame.width !== width || frame.height !== height)
      return undefined;
    if (geometry.mode === 'center_crop' && geometry.area_fraction < 1) return undefined;
    const { rowBytes } = checkRawFrame(frame, this.spec.name, color);
    return frame.step === rowBytes ? frame.data.subarray(0, rowBytes * height) : undefined;
  }

  private fit(mat: Mat, geometry: GeometrySpec): Mat {
    const cv = opencv();
    const { width, height } = this.spec;
    const interpolation = { bilinear: cv.INTER_LINEAR, nearest: cv.INTER_NEAREST, area: cv.INTER_AREA, bicubic: cv.INTER_CUBIC }[
      geometry.interpolation
    ];
    const resize = (m: Mat, w: number, h: number) => (m.cols === w && m.rows === h ? m : m.resize(h, w, 0, 0, interpolation));
    switch (geometry.mode) {
      case 'resize':
        return resize(mat, width, height);
      case 'center_crop': {
        const c = centerCrop(mat.cols, mat.rows, geometry.area_fraction);
        // A region is a view into the frame: copy it, so that later stages get a continuous matrix.
        return resize(mat.getRegion(new cv.Rect(c.x, c.y, c.width, c.height)).copy(), width, height);
      }
      case 'resize_with_pad': {
        const p = padPlacement(mat.cols, mat.rows, width, height);
        const fitted = resize(mat, p.width, p.height);
        if (p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0) return fitted;
        const v = this.spec.color === 'depth' ? 0 : geometry.pad_value;
        const value = this.channels === 3 ? new cv.Vec3(v, v, v) : v;
        return fitted.copyMakeBorder(p.top, p.bottom, p.left, p.right, cv.BORDER_CONSTANT, value);
      }
    }
  }

  /** Interleaved 8-bit pixels (height x width x channels) -> the tensor. */
  private pixelTensor(px: Uint8Array): TensorData {
    const { layout, dtype } = this.spec;
    const c = this.channels;
    const plane = this.spec.width * this.spec.height;
    if (dtype === 'uint8') {
      if (layout === 'nhwc' || c === 1) return { type: 'uint8', dims: this.dims, data: new Uint8Array(px) };
      const out = new Uint8Array(c * plane);
      for (let i = 0, j = 0; i < plane; i++, j += 3) {
        out[i] = px[j]!;
        out[plane + i] = px[j + 1]!;
        out[2 * plane + i] = px[j + 2]!;
      }
      return { type: 'uint8', dims: this.dims, data: out };
    }
    const out = new Float32Array(c * plane);
    const t0 = this.tables[0]!;
    if (c === 1) {
      for (let i = 0; i < plane; i++) out[i] = t0[px[i]!]!;
    } else {
      const t1 = this.tables[1]!;
      const t2 = this.tables[2]!;
      if (layout === 'nchw') {
        for (let i = 0, j = 0; i < plane; i++, j += 3) {
          out[i] = t0[px[j]!]!;
          out[plane + i] = t1[px[j + 1]!]!;
          out[2 * plane + i] = t2[px[j + 2]!]!;
        }
      } else {
        for (let j = 0; j < 3 * plane; j += 3) {
          out[j] = t0[px[j]!]!;
          out[j + 1] = t1[px[j + 1]!]!;
          out[j + 2] = t2[px[j + 2]!]!;
        }
      }
    }
    return { type: 'float32', dims: this.dims, data: out };
  }

  /** Depth in metres (float32 Mat) -> (depth * scale - mean) / std. */
  private depthTensor(mat: Mat): TensorData {
    const norm = this.spec.normalize!;
    const scaled = mat.convertTo(opencv().CV_32F, norm.scale / norm.std[0]!, -norm.mean[0]! / norm.std[0]!);
    const out = new Float32Array(this.spec.width * this.spec.height);
    new Uint8Array(out.buffer).set(scaled.getData());
    return { type: 'float32', dims: this.dims, data: out };
  }
}
