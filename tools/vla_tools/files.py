"""Writers of the fixture files (PNG, JSON, text), number formatting, and the synthetic camera scenes."""

import json
import struct
import zlib

import numpy as np


def write_png(path, pixels):
    """Writes an 8-bit PNG (gray, RGB or RGBA) without PIL: filter 0 rows, zlib, CRCs."""
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    h, w, c = pixels.shape
    color_type = {1: 0, 3: 2, 4: 6}[c]
    raw = b"".join(b"\x00" + pixels[y].astype(np.uint8).tobytes() for y in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def write_json(path, value, compact=False):
    with open(path, "w") as f:
        if compact:
            json.dump(value, f, separators=(",", ":"), ensure_ascii=False)
        else:
            json.dump(value, f, indent=1, ensure_ascii=False)
        f.write("\n")


def write_text(path, text):
    with open(path, "w") as f:
        f.write(text)


def f32list(a):
    """float32 values as JSON numbers that round-trip to the same float32."""
    return [float(np.float32(x)) for x in np.asarray(a, dtype=np.float32).ravel()]


def logits_over(logits, ranges):
    """The logits of the allowed ids (what greedy decoding compares), 7 significant digits."""
    return [float("%.7g" % logits[t]) for lo, hi in ranges for t in range(lo, hi)]


def f64list(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def rows(a):
    return [f64list(r) for r in np.asarray(a, dtype=np.float64)]


def scene(h, w, seed, objects):
    """A synthetic table-top frame: a shaded table, round objects, sensor noise. uint8 HxWx3 RGB."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    img[..., 0] = 110 + 70 * x / w
    img[..., 1] = 95 + 50 * y / h
    img[..., 2] = 70 + 40 * (x + y) / (w + h)
    for cy, cx, r, color in objects:
        mask = (y - cy * h) ** 2 + (x - cx * w) ** 2 <= (r * min(h, w)) ** 2
        img[mask] = color
    img += rng.normal(0, 7, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def area_downscale_2x(img):
    """OpenCV resize with INTER_LINEAR at exactly half size (it switches to INTER_AREA): (a+b+c+d+2)>>2."""
    a = img.astype(np.int64)
    s = a[0::2, 0::2] + a[1::2, 0::2] + a[0::2, 1::2] + a[1::2, 1::2]
    return ((s + 2) >> 2).astype(np.uint8)


def resize_with_pad_2x(img, height, width):
    """openpi resize_with_pad for a frame exactly twice the size along its limiting side (exact in OpenCV)."""
    small = area_downscale_2x(img)
    rh, rw = small.shape[:2]
    top, rem_h = divmod(height - rh, 2)
    left, rem_w = divmod(width - rw, 2)
    out = np.zeros((height, width, img.shape[2]), np.uint8)
    out[top : top + rh, left : left + rw] = small
    return out


def normalize_image(img_u8, mean, std, scale=1.0 / 255.0, layout="nchw"):
    x = img_u8.astype(np.float32) * np.float32(scale)
    x = (x - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    if layout == "nchw":
        x = x.transpose(2, 0, 1)
    return x[None].astype(np.float32)
