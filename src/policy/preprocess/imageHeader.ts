import { VlaError } from '../../errors';

/**
 * Image headers read before any decoder sees the bytes. OpenCV aborts the whole process on an image whose
 * header claims more than its pixel limit (a 69-byte PNG can claim 100000x100000), and decoders report a
 * truncated file poorly; both are refused here with a message that names the file or camera.
 */

/** Largest image accepted: 8192 pixels a side and 40 megapixels (cameras a policy reads are far smaller). */
export const MAX_IMAGE_SIDE_PX = 8192;
export const MAX_IMAGE_PIXELS = 40_000_000;

export interface ImageHeader {
  format: 'png' | 'jpeg';
  widthPx: number;
  heightPx: number;
}

/** Where the bytes came from, for the message: a file the user gave, or a camera of the policy. */
export interface ImageSource {
  file?: string;
  camera?: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function refuse(source: ImageSource, message: string, hint: string): VlaError {
  const what = source.camera === undefined ? message : `camera "${source.camera}": ${message}`;
  return new VlaError('IMAGE_INVALID', what, {
    file: source.file,
    path: source.camera === undefined ? undefined : `images.${source.camera}`,
    hint,
  });
}

function pngHeader(data: Buffer, source: ImageSource): ImageHeader {
  const truncated = (): VlaError =>
    refuse(source, `truncated PNG (${data.length} bytes): it ends before its IEND chunk`, 'the file was cut short; write or copy it again');
  if (data.length < 33 || data.toString('latin1', 12, 16) !== 'IHDR') {
    if (data.length < 33) throw truncated();
    throw refuse(source, 'malformed PNG: the first chunk is not IHDR', 'the file is not a valid PNG image');
  }
  const header: ImageHeader = { format: 'png', widthPx: data.readUInt32BE(16), heightPx: data.readUInt32BE(20) };
  // Walk the chunks (a few dozen at most) to the end marker: a cut file never reaches it.
  let offset = 8;
  for (;;) {
    if (offset + 12 > data.length) throw truncated();
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    if (length > 0x7fffffff)
      throw refuse(source, `malformed PNG: chunk ${JSON.stringify(type)} claims ${length} bytes`, 'the file is not a valid PNG image');
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  if (offset > data.length) throw truncated();
  return header;
}

/** Start-of-frame markers carry the size: SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegHeader(data: Buffer, source: ImageSource): ImageHeader {
  const truncated = (): VlaError =>
    refuse(
      source,
      `truncated JPEG (${data.length} bytes): it ends before its image data`,
      'the file was cut short; write or copy it again',
    );
  let offset = 2;
  let header: ImageHeader | undefined;
  for (;;) {
    if (offset + 4 > data.length) throw truncated();
    if (data[offset] !== 0xff) throw refuse(source, `malformed JPEG: no marker at byte ${offset}`, 'the file is not a valid JPEG image');
    const marker = data[offset + 1]!;
    if (marker === 0xff) {
      offset++;
      continue;
    }
    if (marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const length = data.readUInt16BE(offset + 2);
    if (length < 2)
      throw refuse(source, `malformed JPEG: segment at byte ${offset} has length ${length}`, 'the file is not a valid JPEG image');
    if (isStartOfFrame(marker)) {
      if (offset + 9 > data.length) throw truncated();
      header = { format: 'jpeg', heightPx: data.readUInt16BE(offset + 5), widthPx: data.readUInt16BE(offset + 7) };
    }
    if (marker === 0xda) {
      // Entropy-coded data follows the scan header; the file must still end with its end-of-image marker.
      if (header === undefined)
        throw refuse(source, 'malformed JPEG: image data before any frame header', 'the file is not a valid JPEG image');
      if (data.lastIndexOf(Buffer.from([0xff, 0xd9])) <= offset) throw truncated();
      return header;
    }
    offset += 2 + length;
  }
  if (header === undefined) throw refuse(source, 'malformed JPEG: no frame header', 'the file is not a valid JPEG image');
  return header;
}

/** The format and size from the header, or IMAGE_INVALID for an unknown format, a cut file or an absurd size. */
export function readImageHeader(bytes: Uint8Array, source: ImageSource): ImageHeader {
  const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: ImageHeader;
  if (data.length >= 8 && data.subarray(0, 8).equals(PNG_SIGNATURE)) header = pngHeader(data, source);
  else if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) header = jpegHeader(data, source);
  else throw refuse(source, `not a PNG or JPEG image (${data.length} bytes)`, 'give PNG or JPEG images');
  const { widthPx, heightPx } = header;
  if (widthPx === 0 || heightPx === 0)
    throw refuse(source, `malformed ${header.format.toUpperCase()}: size ${widthPx}x${heightPx}`, 'the image header is broken');
  if (widthPx > MAX_IMAGE_SIDE_PX || heightPx > MAX_IMAGE_SIDE_PX || widthPx * heightPx > MAX_IMAGE_PIXELS) {
    throw refuse(
      source,
      `image is ${widthPx}x${heightPx} pixels, more than the ${MAX_IMAGE_SIDE_PX} px a side and ${MAX_IMAGE_PIXELS / 1e6} megapixels accepted`,
      'resize it to the camera resolution the policy expects',
    );
  }
  return header;
}
