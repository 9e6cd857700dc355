import { describeError, VlaError } from '../../errors';
import type { ImageFrame, RawImageFrame } from '../../observation/Observation';
import type { CameraColor } from '../manifest/PolicyManifest';
import { readImageHeader } from './imageHeader';
import { type Mat, opencv } from './opencv';

/** sensor_msgs/image_encodings this runtime reads, with their layout. */
const RAW_ENCODINGS: Readonly<Record<string, { channels: number; bytesPerChannel: number }>> = {
  rgb8: { channels: 3, bytesPerChannel: 1 },
  bgr8: { channels: 3, bytesPerChannel: 1 },
  rgba8: { channels: 4, bytesPerChannel: 1 },
  bgra8: { channels: 4, bytesPerChannel: 1 },
  mono8: { channels: 1, bytesPerChannel: 1 },
  '16UC1': { channels: 1, bytesPerChannel: 2 },
  mono16: { channels: 1, bytesPerChannel: 2 },
  '32FC1': { channels: 1, bytesPerChannel: 4 },
};

const COLOR_SOURCES: Readonly<Record<CameraColor, readonly string[]>> = {
  rgb: ['rgb8', 'bgr8', 'rgba8', 'bgra8', 'jpeg', 'png'],
  bgr: ['rgb8', 'bgr8', 'rgba8', 'bgra8', 'jpeg', 'png'],
  gray: ['mono8', 'rgb8', 'bgr8', 'rgba8', 'bgra8', 'jpeg', 'png'],
  depth: ['16UC1', 'mono16', '32FC1', 'png (16-bit)'],
};

function imageError(camera: string, message: string, hint: string): VlaError {
  return new VlaError('IMAGE_INVALID', `camera "${camera}": ${message}`, { path: `images.${camera}`, hint });
}

/**
 * A frame as an OpenCV Mat in the camera's color: 8UC3 RGB or BGR, 8UC1 gray, or 32FC1 depth in metres.
 * Validates the layout (encoding, size, step, data length) first, so a bad frame is a clear error, not garbage.
 */
export function frameToMat(frame: ImageFrame, camera: string, color: CameraColor, depthScale = 1): Mat {
  return frame.kind === 'raw'
    ? rawToMat(frame, camera, color, depthScale)
    : compressedToMat(frame.data, frame.format, camera, color, depthScale);
}

/** The packed layout of a raw frame after checking it: refuses encodings, sizes, steps and lengths that do not add up. */
export function checkRawFrame(
  frame: RawImageFrame,
  camera: string,
  color: CameraColor,
): { channels: number; bytesPerChannel: number; rowBytes: number } {
  const layout = RAW_ENCODINGS[frame.encoding];
  if (layout === undefined) {
    throw imageError(
      camera,
      `encoding "${frame.encoding}" is not supported`,
      `publish one of ${Object.keys(RAW_ENCODINGS).join(', ')} (or a CompressedImage in jpeg/png)`,
    );
  }
  if (!COLOR_SOURCES[color].includes(frame.encoding)) {
    throw imageError(
      camera,
      `the policy wants ${color} frames, this one is ${frame.encoding}`,
      `this camera needs ${COLOR_SOURCES[color].join(', ')}; check the camera topic in the embodiment`,
    );
  }
  const { width, height, step } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw imageError(
      camera,
      `frame size ${width}x${height} is not a positive integer size`,
      'the camera driver sent an empty or broken frame',
    );
  }
  const rowBytes = width * layout.channels * layout.bytesPerChannel;
  if (step < rowBytes)
    throw imageError(
      camera,
      `step ${step} is less than width x bytes per pixel = ${rowBytes} (${frame.encoding})`,
      'the frame header contradicts its encoding',
    );
  if (frame.data.length < step * (height - 1) + rowBytes) {
    throw imageError(
      camera,
      `frame data is ${frame.data.length} bytes, ${width}x${height} ${frame.encoding} with step ${step} needs ${step * height}`,
      'the frame is truncated or its header is wrong',
    );
  }
  return { ...layout, rowBytes };
}

function rawToMat(frame: RawImageFrame, camera: string, color: CameraColor, depthScale: number): Mat {
  const cv = opencv();
  const layout = checkRawFrame(frame, camera, color);
  const { width, height, step } = frame;
  const rowBytes = layout.rowBytes;
  // The Mat copies its data: a packed little-endian frame is passed as a view; otherwise rows are packed (row
  // padding dropped) and 16/32-bit data put in native byte order first.
  const swap = frame.isBigEndian && layout.bytesPerChannel > 1;
  let bytes: Buffer;
  if (step === rowBytes && !swap) {
    bytes = Buffer.from(frame.data.buffer, frame.data.byteOffset, rowBytes * height);
  } else {
    bytes = Buffer.alloc(rowBytes * height);
    for (let y = 0; y < height; y++) bytes.set(frame.data.subarray(y * step, y * step + rowBytes), y * rowBytes);
    if (swap && layout.bytesPerChannel === 2) bytes.swap16();
    else if (swap) bytes.swap32();
  }
  const type =
    layout.bytesPerChannel === 2
      ? cv.CV_16UC1
      : layout.bytesPerChannel === 4
        ? cv.CV_32FC1
        : [cv.CV_8UC1, cv.CV_8UC1, cv.CV_8UC3, cv.CV_8UC4][layout.channels - 1]!;
  const mat = new cv.Mat(bytes, height, width, type);
  return toColor(mat, frame.encoding, color, depthScale);
}

function compressedToMat(data: Uint8Array, format: string, camera: string, color: CameraColor, depthScale: number): Mat {
  const cv = opencv();
  const f = format.toLowerCase();
  const isPng = f.includes('png');
  const isJpeg = f.includes('jpeg') || f.includes('jpg');
  if (f.includes('compresseddepth')) {
    throw imageError(camera, `format "${format}" (compressedDepth) is not supported`, 'subscribe to the raw depth image (16UC1) instead');
  }
  if (!isPng && !isJpeg)
    throw imageError(
      camera,
      `compressed format "${format}" is not jpeg or png`,
      'publish jpeg or png CompressedImage frames, or raw Image frames',
    );
  if (color === 'depth' && !isPng)
    throw imageError(camera, `a depth camera needs 16-bit PNG or raw 16UC1 frames, got ${format}`, 'JPEG cannot carry depth');
  // The header first: OpenCV aborts the process on a header that claims too many pixels.
  readImageHeader(data, { camera });
  let mat: Mat;
  try {
    mat = cv.imdecode(
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      color === 'depth' ? cv.IMREAD_UNCHANGED : cv.IMREAD_COLOR,
    );
  } catch (err) {
    throw imageError(
      camera,
      `could not decode the ${isPng ? 'png' : 'jpeg'} frame (${data.length} bytes): ${describeError(err)}`,
      'the compressed frame is corrupt or not an image',
    );
  }
  if (mat.empty || mat.rows === 0)
    throw imageError(
      camera,
      `could not decode the ${isPng ? 'png' : 'jpeg'} frame (${data.length} bytes)`,
      'the compressed frame is corrupt or not an image',
    );
  if (color === 'depth') {
    if (mat.type !== cv.CV_16UC1)
      throw imageError(camera, 'the depth PNG is not 16-bit single channel', 'encode depth as 16UC1 PNG (millimetres)');
    return toColor(mat, '16UC1', color, depthScale);
  }
  return toColor(mat, 'bgr8', color, depthScale);
}

function toColor(mat: Mat, encoding: string, color: CameraColor, depthScale: number): Mat {
  const cv = opencv();
  if (color === 'depth') return encoding === '32FC1' ? mat : mat.convertTo(cv.CV_32F, depthScale, 0);
  const codes: Readonly<Record<string, Partial<Record<CameraColor, number>>>> = {
    rgb8: { bgr: cv.COLOR_RGB2BGR, gray: cv.COLOR_RGB2GRAY },
    bgr8: { rgb: cv.COLOR_BGR2RGB, gray: cv.COLOR_BGR2GRAY },
    rgba8: { rgb: cv.COLOR_RGBA2RGB, bgr: cv.COLOR_RGBA2BGR, gray: cv.COLOR_RGBA2GRAY },
    bgra8: { rgb: cv.COLOR_BGRA2RGB, bgr: cv.COLOR_BGRA2BGR, gray: cv.COLOR_BGRA2GRAY },
    mono8: {},
  };
  const code = codes[encoding]?.[color];
  return code === undefined ? mat : mat.cvtColor(code);
}
