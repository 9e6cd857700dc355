/**
 * The same preprocessing as an rgb8 -> float32 NCHW camera with `resize` geometry (bilinear), written as a plain
 * TypeScript loop: the baseline of the preprocessing benchmark, and an independent reference in tests.
 * Bilinear with half-pixel centres and edge clamping, as OpenCV's INTER_LINEAR (which rounds its uint8
 * intermediate; this loop does not, so values differ by at most one pixel level).
 */
export function plainPreprocessRgb8(
  data: Uint8Array,
  width: number,
  height: number,
  target: { width: number; height: number; scale: number; mean: readonly number[]; std: readonly number[] },
  out: Float32Array = new Float32Array(3 * target.width * target.height),
): Float32Array {
  const { width: tw, height: th } = target;
  const sx = width / tw;
  const sy = height / th;
  const plane = tw * th;
  const a = [0, 1, 2].map((c) => target.scale / target.std[c]!);
  const b = [0, 1, 2].map((c) => -target.mean[c]! / target.std[c]!);
  for (let y = 0; y < th; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, height - 1);
    const wy = fy - y0;
    for (let x = 0; x < tw; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, width - 1);
      const wx = fx - x0;
      const p00 = (y0 * width + x0) * 3;
      const p01 = (y0 * width + x1) * 3;
      const p10 = (y1 * width + x0) * 3;
      const p11 = (y1 * width + x1) * 3;
      for (let c = 0; c < 3; c++) {
        const top = data[p00 + c]! + (data[p01 + c]! - data[p00 + c]!) * wx;
        const bottom = data[p10 + c]! + (data[p11 + c]! - data[p10 + c]!) * wx;
        out[c * plane + y * tw + x] = (top + (bottom - top) * wy) * a[c]! + b[c]!;
      }
    }
  }
  return out;
}
