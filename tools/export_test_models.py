#!/usr/bin/env python3
"""Exports the small test policies under test/fixtures/policies/, with golden inputs and outputs.

Run by hand (not in CI) with Debian's torch and onnx:

    /usr/bin/python3 tools/export_test_models.py

Each policy folder gets its ONNX file(s), manifest.yaml, tokenizer.json (where the model reads text), its
normalization statistics and golden.json. Goldens are computed here, in PyTorch (logits, continuous actions) and
numpy (decoding math), independently of the TypeScript runtime that the tests check against them:
logits to 1e-4, decoded tokens and actions exactly.

Models (each under 5 MB, a few layers, small vocabularies, an image input so preprocessing is exercised):
- tiny_openvla: OpenVLA-style, uniform bins over the last 256 ids of the tokenizer vocab (real bridge_orig
  statistics), KV-cache prefill.onnx + decode.onnx in the Hugging Face optimum convention, LM head on the last
  position only, vocab padded past the tokenizer size as OpenVLA does.
- tiny_oft: single pass, logits for a whole chunk of bin tokens at once (OpenVLA-OFT-style parallel decoding).
- tiny_rt2: RT-2-style integer-string actions, one model.onnx used for prefill (past of length 0) and decode.
- tiny_fast: pi0-FAST-style DCT + byte-level BPE action tokens, two cameras and a state input, trained here
  until greedy decoding reproduces its target chunks.
- tiny_act: continuous ACT-style chunk head, two cameras (float32 NCHW and uint8 NHWC), gaussian state and action
  normalization, weights in an external model.onnx.data file.
"""

import json
import math
import os
import shutil
import struct
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "policies")
OXE_STATS = os.path.join(ROOT, "test", "fixtures", "normalization", "openvla_oxe_dataset_statistics.json")
OPSET = 17
SPIECE = "\u2581"

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


# --------------------------------------------------------------------------------------------------------------
# Files


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


# --------------------------------------------------------------------------------------------------------------
# Tokenizers written as Hugging Face tokenizer.json, with a reference encoder used for the goldens


def apply_merges(syms, rank):
    """BPE: merge the adjacent pair of lowest merge rank (leftmost on ties) until none is mergeable."""
    syms = list(syms)
    while True:
        best = None
        for i in range(len(syms) - 1):
            r = rank.get((syms[i], syms[i + 1]))
            if r is not None and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            return syms
        i = best[1]
        syms[i : i + 2] = [syms[i] + syms[i + 1]]


class LlamaLikeTokenizer:
    """A small SentencePiece-style BPE as Llama 2 ships it: Prepend/Replace normalizer, byte fallback, <s> BOS."""

    def __init__(self, words, number_tokens=0, vocab_size=None):
        self.vocab = {}
        self.merges = []
        for t in ["<unk>", "<s>", "</s>"]:
            self._add(t)
        for b in range(256):
            self._add("<0x%02X>" % b)
        for c in SPIECE + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:?.,;!|-'":
            self._add(c)
        for w in words:
            self._add_word(w)
        for k in range(number_tokens):
            if SPIECE + str(k) not in self.vocab:
                self._add(SPIECE + str(k))
        self.text_size = len(self.vocab)
        if vocab_size is not None:
            assert vocab_size >= self.text_size
            k = 0
            while len(self.vocab) < vocab_size:
                self._add(chr(0xE000 + k))
                k += 1
        self.rank = {tuple(m.split(" ")): i for i, m in enumerate(self.merges)}
        self.id_to_token = {i: t for t, i in self.vocab.items()}

    def _add(self, token):
        if token not in self.vocab:
            self.vocab[token] = len(self.vocab)

    def _add_word(self, word):
        cur = word[0]
        for ch in word[1:]:
            nxt = cur + ch
            if nxt not in self.vocab:
                self.merges.append(cur + " " + ch)
                self._add(nxt)
            cur = nxt

    def encode(self, text):
        s = SPIECE + text.replace(" ", SPIECE)
        syms = []
        for ch in s:
            if ch in self.vocab:
                syms.append(ch)
            else:
                syms.extend("<0x%02X>" % b for b in ch.encode("utf-8"))
        syms = apply_merges(syms, self.rank)
        return [self.vocab[t] for t in syms]

    def to_json(self):
        specials = ["<unk>", "<s>", "</s>"]
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": self.vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True}
                for t in specials
            ],
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "Prepend", "prepend": SPIECE},
                {"type": "Replace", "pattern": {"String": " "}, "content": SPIECE},
            ]},
            "pre_tokenizer": None,
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [self.vocab["<s>"]], "tokens": ["<s>"]}},
            },
            "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": SPIECE}, "content": " "},
                {"type": "ByteFallback"},
                {"type": "Fuse"},
                {"type": "Strip", "content": " ", "start": 1, "stop": 0},
            ]},
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                      "vocab": self.vocab, "merges": self.merges},
        }


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map (the ByteLevel pre-tokenizer and decoder)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


class ByteLevelBpe:
    """A byte-level BPE (as the FAST tokenizer is), trained here on a small corpus of coefficient strings."""

    def __init__(self, corpus, num_merges):
        self.b2u = bytes_to_unicode()
        self.u2b = {u: b for b, u in self.b2u.items()}
        self.vocab = {}
        for b in range(256):
            self.vocab[self.b2u[b]] = b
        self.merges = []
        seqs = [[self.b2u[b] for b in s.encode("utf-8")] for s in corpus]
        for _ in range(num_merges):
            counts = {}
            for seq in seqs:
                for a, b in zip(seq, seq[1:]):
                    counts[(a, b)] = counts.get((a, b), 0) + 1
            if not counts:
                break
            pair = min(counts, key=lambda p: (-counts[p], p))
            if counts[pair] < 2:
                break
            merged = pair[0] + pair[1]
            self.merges.append(pair[0] + " " + pair[1])
            self.vocab[merged] = len(self.vocab)
            seqs = [self._merge(seq, pair) for seq in seqs]
        self.rank = {tuple(m.split(" ")): i for i, m in enumerate(self.merges)}
        self.id_to_token = {i: t for t, i in self.vocab.items()}

    @staticmethod
    def _merge(seq, pair):
        out = []
        i = 0
        while i < len(seq):
            if i + 1 < len(seq) and (seq[i], seq[i + 1]) == pair:
                out.append(seq[i] + seq[i + 1])
                i += 2
            else:
                out.append(seq[i])
                i += 1
        return out

    def encode(self, text):
        syms = [self.b2u[b] for b in text.encode("utf-8")]
        syms = apply_merges(syms, self.rank)
        return [self.vocab[t] for t in syms]

    def decode(self, ids):
        return bytes(self.u2b[c] for i in ids for c in self.id_to_token[i]).decode("utf-8")

    def to_json(self):
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": self.vocab, "merges": self.merges},
        }


# --------------------------------------------------------------------------------------------------------------
# A tiny decoder-only transformer: pre-LN blocks, rotary positions, causal attention with a KV cache


def rope(x, positions):
    half = x.shape[-1] // 2
    inv = 1.0 / (10000.0 ** (torch.arange(0, half, dtype=torch.float32) / half))
    ang = positions.float()[:, None] * inv[None, :]
    cos, sin = ang.cos(), ang.sin()
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


def attention_bias(mask_full, n_new):
    """Additive bias [1, 1, n_new, total]: causal over the new positions, padding from attention_mask."""
    total = mask_full.shape[1]
    past = total - n_new
    i = torch.arange(n_new)[:, None] + past
    j = torch.arange(total)[None, :]
    allowed = (j <= i) & (mask_full[0][None, :] > 0)
    return torch.where(allowed, torch.zeros(()), torch.full((), -1e9))[None, None]


class Block(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.heads = heads
        self.hd = d // heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, mlp), nn.GELU(), nn.Linear(mlp, d))

    def forward(self, x, bias, positions, past_k=None, past_v=None):
        n = x.shape[1]
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        q = q.reshape(1, n, self.heads, self.hd).transpose(1, 2)
        k = k.reshape(1, n, self.heads, self.hd).transpose(1, 2)
        v = v.reshape(1, n, self.heads, self.hd).transpose(1, 2)
        q = rope(q, positions)
        k = rope(k, positions)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.hd) + bias, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(1, n, self.heads * self.hd)
        x = x + self.proj(o)
        x = x + self.mlp(self.ln2(x))
        return x, k, v


class TinyLM(nn.Module):
    def __init__(self, vocab, d=64, heads=4, layers=2, mlp=128):
        super().__init__()
        self.vocab = vocab
        self.d = d
        self.heads = heads
        self.layers = layers
        self.embed = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList([Block(d, heads, mlp) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)

    def run(self, x, mask_full, positions, past):
        """x [1, n, d]; past: list of (k, v) per layer or None. Returns final hidden states and presents."""
        bias = attention_bias(mask_full, x.shape[1])
        presents = []
        for i, blk in enumerate(self.blocks):
            pk, pv = past[i] if past is not None else (None, None)
            x, k, v = blk(x, bias, positions, pk, pv)
            presents += [k, v]
        return self.ln(x), presents


def kv_names(layers):
    names_in, names_out = [], []
    for i in range(layers):
        names_in += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        names_out += [f"present.{i}.key", f"present.{i}.value"]
    return names_in, names_out


def kv_axes(layers):
    names_in, names_out = kv_names(layers)
    axes = {n: {2: "past_sequence_length"} for n in names_in}
    axes.update({n: {2: "total_sequence_length"} for n in names_out})
    return axes


def pairs(flat):
    return [(flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]


def export(module, args, path, input_names, output_names, dynamic_axes, external_data=False):
    torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True)
    model = onnx.load(path)
    onnx.checker.check_model(model)
    got = [i.name for i in model.graph.input]
    assert got == input_names, f"{path}: inputs {got} != {input_names}"
    if external_data:
        data_name = os.path.basename(path) + ".data"
        data_path = os.path.join(os.path.dirname(path), data_name)
        if os.path.exists(data_path):
            os.remove(data_path)
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_name, size_threshold=0)
    size = os.path.getsize(path) + (os.path.getsize(path + ".data") if external_data else 0)
    assert size < 5 * 1024 * 1024, f"{path} is {size} bytes"


def restricted_argmax(logits, ranges):
    """Greedy choice over the allowed ids (half-open ranges), first maximum on ties, and its margin."""
    best, best_v, second_v = None, -np.inf, -np.inf
    for lo, hi in ranges:
        for t in range(lo, hi):
            v = logits[t]
            if v > best_v:
                second_v, best_v, best = best_v, v, t
            elif v > second_v:
                second_v = v
    return best, float(best_v - second_v)


# --------------------------------------------------------------------------------------------------------------
# Decoding math (numpy), as in DESIGN §6


def openvla_decode(tokens, vocab_size, q01, q99, mask):
    bins = np.linspace(-1, 1, 256)
    centers = (bins[:-1] + bins[1:]) / 2.0
    k = np.clip(vocab_size - np.asarray(tokens) - 1, 0, centers.shape[0] - 1)
    n = centers[k]
    q01, q99, mask = np.asarray(q01), np.asarray(q99), np.asarray(mask)
    dims = q01.shape[0]
    n = n.reshape(-1, dims)
    a = np.where(mask, 0.5 * (n + 1) * (q99 - q01) + q01, n)
    return n, a


def openvla_encode(actions, vocab_size, q01, q99, mask):
    bins = np.linspace(-1, 1, 256)
    a = np.asarray(actions, dtype=np.float64)
    n = np.where(mask, np.clip(2 * (a - q01) / (q99 - q01 + 1e-8) - 1, -1, 1), np.clip(a, -1, 1))
    return (vocab_size - np.digitize(n, bins)).astype(np.int64)


def dct_matrix(n):
    """Orthonormal DCT-II matrix C (X = C @ x); its inverse is C.T."""
    c = np.zeros((n, n))
    for k in range(n):
        for i in range(n):
            c[k, i] = math.cos(math.pi * (i + 0.5) * k / n)
    c[0] *= math.sqrt(1.0 / n)
    c[1:] *= math.sqrt(2.0 / n)
    return c


def quantile_unnormalize(n, q01, q99, mask):
    return np.where(mask, 0.5 * (n + 1) * (np.asarray(q99) - np.asarray(q01)) + np.asarray(q01), n)


def gripper_to_unit(a, index, lo, hi):
    out = np.array(a, dtype=np.float64)
    out[:, index] = np.clip((out[:, index] - lo) / (hi - lo), 0.0, 1.0)
    return out


# --------------------------------------------------------------------------------------------------------------
# Manifests (YAML written by hand: the format is ours, and a manifest should read well)


def yaml_list(values):
    return "[" + ", ".join(yaml_scalar(v) for v in values) + "]"


def yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, float):
        return repr(float(v))
    return json.dumps(v, ensure_ascii=False)


def camera_yaml(name, tensor, size, geometry, layout="nchw", dtype="float32", color="rgb", mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)):
    """One entry of a manifest's cameras list."""
    text = (f"  - name: {name}\n    tensor: {tensor}\n    width: {size}\n    height: {size}\n    color: {color}\n"
            f"    geometry: {{ mode: {geometry}, interpolation: bilinear }}\n    layout: {layout}\n    dtype: {dtype}\n")
    if dtype == "float32":
        text += f"    normalize: {{ scale: {1 / 255.0!r}, mean: {yaml_list(mean)}, std: {yaml_list(std)} }}\n"
    return text


def ee_space_yaml(delta_convention, lower, upper):
    """The 7-D end-effector delta action space of Bridge / RT-1 data (xyz, rpy, gripper 0..1 open)."""
    return (f"  space:\n    names: [x, y, z, roll, pitch, yaw, gripper]\n    kind: delta\n"
            f"    delta_convention: {delta_convention}\n    frame: end_effector\n    bounds:\n"
            f"      lower: {yaml_list(lower)}\n      upper: {yaml_list(upper)}\n"
            f"    gripper: {{ dimension: gripper, range: [0.0, 1.0], convention: open_is_1 }}\n")


def quantile_yaml(indent, path, file="dataset_statistics.json"):
    pad = " " * indent
    return f"{pad}normalization:\n{pad}  type: quantile\n{pad}  stats: {{ file: {file}, path: {path} }}\n"


BRIDGE_LOWER = [-0.1, -0.1, -0.1, -0.5, -0.5, -0.5, 0.0]
BRIDGE_UPPER = [0.1, 0.1, 0.1, 0.5, 0.5, 0.5, 1.0]


INSTRUCTION_WORDS = [
    SPIECE + w
    for w in ["In", "What", "action", "should", "the", "robot", "take", "to", "pick", "up", "put", "place", "red",
              "blue", "green", "cup", "block", "bowl", "on", "in", "open", "close", "drawer", "move", "left",
              "right", "Task", "Action", "and", "a"]
] + ["Out", "Task", "Action"]


def golden_images(folder, case, frames):
    """Writes each camera frame as PNG; returns the golden's image table."""
    out = {}
    for cam, img in frames.items():
        name = f"golden_{case}_{cam}.png"
        write_png(os.path.join(folder, name), img)
        out[cam] = {"png": name, "width": int(img.shape[1]), "height": int(img.shape[0]), "encoding": "rgb8"}
    return out


def fresh_folder(name):
    folder = os.path.join(OUT, name)
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    return folder


def load_oxe():
    with open(OXE_STATS) as f:
        return json.load(f)


def first_seed(make, check, seeds=range(100)):
    """Builds with successive seeds until check() accepts (greedy margins large enough to be unambiguous)."""
    for seed in seeds:
        torch.manual_seed(seed)
        built = make()
        if check(built):
            return built
    raise RuntimeError("no seed gave unambiguous greedy choices")


MIN_MARGIN = 2e-3


# --------------------------------------------------------------------------------------------------------------
# tiny_openvla: OpenVLA-style bins, prefill.onnx + decode.onnx with a KV cache


class PatchVision(nn.Module):
    """A conv patch embedding and a projector: [1, 3, H, W] -> [1, patches, d]."""

    def __init__(self, d, patch, in_ch=3, width=32):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, width, kernel_size=patch, stride=patch)
        self.proj = nn.Sequential(nn.GELU(), nn.Linear(width, d))

    def forward(self, pixels):
        x = self.conv(pixels)
        return self.proj(x.flatten(2).transpose(1, 2))


class OpenVlaLike(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.lm = TinyLM(vocab)
        self.vision = PatchVision(self.lm.d, patch=16)

    def prefix(self, pixel_values, input_ids, attention_mask):
        """OpenVLA order: <s>, image patches, the rest of the prompt; the mask grows by the patches."""
        emb = self.lm.embed(input_ids)
        patches = self.vision(pixel_values)
        x = torch.cat([emb[:, :1], patches, emb[:, 1:]], dim=1)
        ones = torch.ones(1, patches.shape[1], dtype=attention_mask.dtype)
        mask = torch.cat([attention_mask[:, :1], ones, attention_mask[:, 1:]], dim=1)
        return x, mask

    def full_logits(self, pixel_values, input_ids, attention_mask):
        x, mask = self.prefix(pixel_values, input_ids, attention_mask)
        h, presents = self.lm.run(x, mask, torch.arange(x.shape[1]), None)
        return self.lm.head(h), presents


class OpenVlaPrefill(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values, input_ids, attention_mask):
        x, mask = self.m.prefix(pixel_values, input_ids, attention_mask)
        h, presents = self.m.lm.run(x, mask, torch.arange(x.shape[1]), None)
        return (self.m.lm.head(h[:, -1:]), *presents)


class KvDecode(nn.Module):
    """One decode step in the optimum convention; positions from position_ids or from the past length."""

    def __init__(self, lm, with_position_ids):
        super().__init__()
        self.lm = lm
        self.with_position_ids = with_position_ids

    def forward(self, input_ids, attention_mask, *rest):
        if self.with_position_ids:
            positions, flat = rest[0][0], rest[1:]
        else:
            flat = rest
            positions = torch.arange(input_ids.shape[1]) + flat[0].shape[2]
        h, presents = self.lm.run(self.lm.embed(input_ids), attention_mask, positions, pairs(flat))
        return (self.lm.head(h[:, -1:]), *presents)


def greedy_openvla(m, pixels, ids, vocab_size, steps):
    """Greedy decoding over the bin ids two ways: with the KV cache, and by full recomputation (the golden)."""
    ranges = [(vocab_size - 256, vocab_size)]
    with torch.no_grad():
        mask = torch.ones(1, len(ids), dtype=torch.int64)
        logits, presents = m.full_logits(pixels, torch.tensor([ids]), mask)
        past = pairs(presents)
        last = logits[0, -1].numpy()
        seq = list(ids)
        out, margins, full_logits = [], [], []
        for step in range(steps):
            # Full recomputation of the whole sequence: the reference.
            ref, _ = m.full_logits(pixels, torch.tensor([seq]), torch.ones(1, len(seq), dtype=torch.int64))
            ref_last = ref[0, -1].numpy()
            assert np.allclose(ref_last, last, atol=1e-4), "KV cache and full recomputation differ"
            tok, margin = restricted_argmax(ref_last, ranges)
            out.append(tok)
            margins.append(margin)
            full_logits.append(ref_last)
            seq.append(tok)
            # Cached step.
            total = past[0][0].shape[2] + 1
            dec = KvDecode(m.lm, True)
            res = dec(torch.tensor([[tok]]), torch.ones(1, total, dtype=torch.int64),
                      torch.tensor([[total - 1]]), *[t for kv in past for t in kv])
            last = res[0][0, -1].numpy()
            past = pairs(res[1:])
    return out, margins, full_logits


def export_openvla(tok, stats, cases_spec):
    name = "tiny_openvla"
    folder = fresh_folder(name)
    V = len(tok.vocab)
    vocab_model = (V // 64 + 1) * 64  # padded past the tokenizer vocab, as OpenVLA pads 32000 to 32064
    q01, q99, mask = np.array(stats["q01"]), np.array(stats["q99"]), np.array(stats["mask"])
    prompts = [tok_prompt_openvla(tok, c["instruction"]) for c in cases_spec]

    def make():
        m = OpenVlaLike(vocab_model).eval()
        results = []
        for spec, ids in zip(cases_spec, prompts):
            px = torch.from_numpy(normalize_image(spec["frame"], IMAGENET_MEAN, IMAGENET_STD))
            results.append(greedy_openvla(m, px, ids, V, 7))
        return m, results

    def ok(built):
        return all(min(r[1]) > MIN_MARGIN for r in built[1])

    m, results = first_seed(make, ok)
    layers = m.lm.layers
    kv_in, kv_out = kv_names(layers)
    px = torch.from_numpy(normalize_image(cases_spec[0]["frame"], IMAGENET_MEAN, IMAGENET_STD))
    ids = torch.tensor([prompts[0]])
    export(OpenVlaPrefill(m), (px, ids, torch.ones_like(ids)), os.path.join(folder, "prefill.onnx"),
           ["pixel_values", "input_ids", "attention_mask"], ["logits", *kv_out],
           {"input_ids": {1: "sequence_length"}, "attention_mask": {1: "sequence_length"},
            **{n: {2: "total_sequence_length"} for n in kv_out}})
    past = [torch.zeros(1, m.lm.heads, 5, m.lm.d // m.lm.heads) for _ in range(2 * layers)]
    export(KvDecode(m.lm, True), (torch.tensor([[3]]), torch.ones(1, 6, dtype=torch.int64), torch.tensor([[5]]), *past),
           os.path.join(folder, "decode.onnx"), ["input_ids", "attention_mask", "position_ids", *kv_in],
           ["logits", *kv_out], {"attention_mask": {1: "total_sequence_length"}, **kv_axes(layers)})
    write_json(os.path.join(folder, "tokenizer.json"), tok.to_json())
    write_json(os.path.join(folder, "dataset_statistics.json"), {"bridge_orig": {"action": stats}})

    cases = []
    for i, (spec, ids, (tokens, margins, logits)) in enumerate(zip(cases_spec, prompts, results)):
        n, a = openvla_decode(tokens, V, q01, q99, mask)
        actions = gripper_to_unit(a, 6, 0.0, 1.0)
        cases.append({
            "name": spec["name"], "instruction": spec["instruction"],
            "images": golden_images(folder, i, {"primary": spec["frame"]}),
            "state": None, "input_ids": ids, "tokens": tokens, "min_margin": min(margins),
            "logits_ranges": [[V - 256, V]], "logits": [logits_over(l, [(V - 256, V)]) for l in logits],
            "normalized": rows(n), "unnormalized": rows(a), "actions": rows(actions),
        })
    write_json(os.path.join(folder, "golden.json"), {"policy": name, "vocab_size": V, "model_vocab_size": vocab_model,
                                                     "cases": cases}, compact=True)
    write_text(os.path.join(folder, "manifest.yaml"), f"""# OpenVLA-style test policy: 7 bin tokens per step over the last 256 ids of the tokenizer vocab, decoded with
# the real bridge_orig statistics. Made by tools/export_test_models.py.
format: vla_bridge.policy/1
name: {name}
description: tiny OpenVLA-style policy (random weights) for tests
model:
  type: autoregressive
  prefill: prefill.onnx
  decode: decode.onnx
cameras:
{camera_yaml("primary", "pixel_values", 64, "resize", mean=IMAGENET_MEAN, std=IMAGENET_STD)}prompt:
  tokenizer: tokenizer.json
  preset: openvla
action:
{ee_space_yaml("relative_to_observation", BRIDGE_LOWER, BRIDGE_UPPER)}  decoder:
    type: uniform_bins
    vocab_size: {V}
    num_bins: 256
{quantile_yaml(2, "bridge_orig/action")}  chunk: {{ horizon: 1, steps_to_execute: 1, step_dt_s: 0.2 }}
""")
    return folder


def tok_prompt_openvla(tok, instruction):
    ids = [tok.vocab["<s>"]] + tok.encode(f"In: What action should the robot take to {instruction.lower()}?\nOut:")
    if ids[-1] != tok.vocab[SPIECE]:
        ids.append(tok.vocab[SPIECE])
    return ids


# --------------------------------------------------------------------------------------------------------------
# tiny_oft: a single pass gives the logits of a whole chunk of bin tokens


class OftLike(nn.Module):
    def __init__(self, vocab, slots):
        super().__init__()
        self.lm = TinyLM(vocab)
        self.vision = PatchVision(self.lm.d, patch=16)
        self.queries = nn.Parameter(torch.randn(1, slots, self.lm.d) * 0.5)

    def forward(self, pixel_values, input_ids, attention_mask):
        x = torch.cat([self.vision(pixel_values), self.lm.embed(input_ids), self.queries], dim=1)
        n_img, n_q = x.shape[1] - input_ids.shape[1] - self.queries.shape[1], self.queries.shape[1]
        mask = torch.cat([torch.ones(1, n_img, dtype=attention_mask.dtype), attention_mask,
                          torch.ones(1, n_q, dtype=attention_mask.dtype)], dim=1)
        h, _ = self.lm.run(x, mask, torch.arange(x.shape[1]), None)
        return self.lm.head(h[:, -n_q:])


def export_oft(tok, stats, cases_spec):
    name = "tiny_oft"
    folder = fresh_folder(name)
    V = len(tok.vocab)
    horizon, dims = 4, 7
    q01, q99, mask = np.array(stats["q01"]), np.array(stats["q99"]), np.array(stats["mask"])
    template = "What action should the robot take to {instruction}?"
    prompts = [tok.encode(template.format(instruction=c["instruction"])) for c in cases_spec]

    def make():
        m = OftLike(V, horizon * dims).eval()
        res = []
        with torch.no_grad():
            for spec, ids in zip(cases_spec, prompts):
                px = torch.from_numpy(normalize_image(spec["frame"], [0.5] * 3, [0.5] * 3))
                logits = m(px, torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.int64))[0].numpy()
                picks = [restricted_argmax(row, [(V - 256, V)]) for row in logits]
                res.append((logits, [p[0] for p in picks], [p[1] for p in picks]))
        return m, res

    m, res = first_seed(make, lambda b: all(min(r[2]) > MIN_MARGIN for r in b[1]))
    ids = torch.tensor([prompts[0]])
    px = torch.from_numpy(normalize_image(cases_spec[0]["frame"], [0.5] * 3, [0.5] * 3))
    export(m, (px, ids, torch.ones_like(ids)), os.path.join(folder, "model.onnx"),
           ["pixel_values", "input_ids", "attention_mask"], ["logits"],
           {"input_ids": {1: "sequence_length"}, "attention_mask": {1: "sequence_length"}})
    write_json(os.path.join(folder, "tokenizer.json"), tok.to_json())
    write_json(os.path.join(folder, "dataset_statistics.json"), {"bridge_orig": {"action": stats}})
    cases = []
    for i, (spec, ids, (logits, tokens, margins)) in enumerate(zip(cases_spec, prompts, res)):
        n, a = openvla_decode(tokens, V, q01, q99, mask)
        cases.append({
            "name": spec["name"], "instruction": spec["instruction"],
            "images": golden_images(folder, i, {"primary": spec["frame"]}),
            "state": None, "input_ids": ids, "tokens": tokens, "min_margin": min(margins),
            "logits_ranges": [[V - 256, V]], "logits": [logits_over(l, [(V - 256, V)]) for l in logits],
            "normalized": rows(n), "unnormalized": rows(a), "actions": rows(gripper_to_unit(a, 6, 0.0, 1.0)),
        })
    write_json(os.path.join(folder, "golden.json"), {"policy": name, "vocab_size": V, "cases": cases}, compact=True)
    write_text(os.path.join(folder, "manifest.yaml"), f"""# Single-pass bin tokens for a chunk of {horizon} steps (parallel decoding), no BOS. Made by
# tools/export_test_models.py.
format: vla_bridge.policy/1
name: {name}
model:
  type: single_pass
  file: model.onnx
cameras:
{camera_yaml("primary", "pixel_values", 64, "resize")}prompt:
  tokenizer: tokenizer.json
  template: "What action should the robot take to {{instruction}}?"
  lowercase_instruction: false
  bos_token: null
action:
{ee_space_yaml("cumulative", BRIDGE_LOWER, BRIDGE_UPPER)}  decoder:
    type: uniform_bins
    vocab_size: {V}
    num_bins: 256
{quantile_yaml(2, "bridge_orig/action")}  chunk: {{ horizon: {horizon}, steps_to_execute: 2, step_dt_s: 0.1 }}
""")


# --------------------------------------------------------------------------------------------------------------
# tiny_rt2: integer strings, one model.onnx for prefill (past of length 0) and decode


class Rt2Like(nn.Module):
    """Image features condition every token (added to its embedding); self-attention keeps a KV cache."""

    def __init__(self, vocab):
        super().__init__()
        self.lm = TinyLM(vocab)
        self.vision = PatchVision(self.lm.d, patch=16)

    def forward(self, pixel_values, input_ids, attention_mask, position_ids, *flat):
        cond = self.vision(pixel_values).mean(dim=1, keepdim=True)
        x = self.lm.embed(input_ids) + cond
        h, presents = self.lm.run(x, attention_mask, position_ids[0], pairs(flat))
        return (self.lm.head(h[:, -1:]), *presents)


def export_rt2(tok, stats, cases_spec):
    name = "tiny_rt2"
    folder = fresh_folder(name)
    V = len(tok.vocab)
    num_ids = [tok.vocab[SPIECE + str(k)] for k in range(256)]
    lo_id, hi_id = min(num_ids), max(num_ids) + 1
    assert hi_id - lo_id == 256, "number tokens must be contiguous for this test model"
    q01, q99, mask = np.array(stats["q01"]), np.array(stats["q99"]), np.array(stats["mask"])
    template = "What action should the robot take to {instruction}?"
    prompts = [[tok.vocab["<s>"]] + tok.encode(template.format(instruction=c["instruction"])) for c in cases_spec]

    def run_case(m, frame, ids):
        px = torch.from_numpy(normalize_image(frame, [0.5] * 3, [0.5] * 3))
        layers, heads, hd = m.lm.layers, m.lm.heads, m.lm.d // m.lm.heads
        with torch.no_grad():
            past = [torch.zeros(1, heads, 0, hd) for _ in range(2 * layers)]
            seq = list(ids)
            new = list(ids)
            out, margins, logits_all = [], [], []
            for _ in range(7):
                total = past[0].shape[2] + len(new)
                pos = torch.arange(past[0].shape[2], total)[None]
                res = m(px, torch.tensor([new]), torch.ones(1, total, dtype=torch.int64), pos, *past)
                cached = res[0][0, -1].numpy()
                zero = [torch.zeros(1, heads, 0, hd) for _ in range(2 * layers)]
                full = m(px, torch.tensor([seq]), torch.ones(1, len(seq), dtype=torch.int64),
                         torch.arange(len(seq))[None], *zero)[0][0, -1].numpy()
                assert np.allclose(full, cached, atol=1e-4), "KV cache and full recomputation differ"
                t, margin = restricted_argmax(full, [(lo_id, hi_id)])
                out.append(t)
                margins.append(margin)
                logits_all.append(full)
                past = list(res[1:])
                seq.append(t)
                new = [t]
        return out, margins, logits_all

    def make():
        m = Rt2Like(V).eval()
        return m, [run_case(m, c["frame_small"], ids) for c, ids in zip(cases_spec, prompts)]

    m, results = first_seed(make, lambda b: all(min(r[1]) > MIN_MARGIN for r in b[1]))
    layers, heads, hd = m.lm.layers, m.lm.heads, m.lm.d // m.lm.heads
    kv_in, kv_out = kv_names(layers)
    px = torch.from_numpy(normalize_image(cases_spec[0]["frame_small"], [0.5] * 3, [0.5] * 3))
    past = [torch.zeros(1, heads, 3, hd) for _ in range(2 * layers)]
    export(m, (px, torch.tensor([[5, 6]]), torch.ones(1, 5, dtype=torch.int64), torch.tensor([[3, 4]]), *past),
           os.path.join(folder, "model.onnx"), ["pixel_values", "input_ids", "attention_mask", "position_ids", *kv_in],
           ["logits", *kv_out],
           {"input_ids": {1: "sequence_length"}, "position_ids": {1: "sequence_length"},
            "attention_mask": {1: "total_sequence_length"}, **kv_axes(layers)})
    write_json(os.path.join(folder, "tokenizer.json"), tok.to_json())
    write_json(os.path.join(folder, "dataset_statistics.json"), {"fractal20220817_data": {"action": stats}})
    cases = []
    for i, (spec, ids, (tokens, margins, logits)) in enumerate(zip(cases_spec, prompts, results)):
        ints = [int(tok.id_to_token[t][1:]) for t in tokens]
        n = (np.array(ints, dtype=np.float64) / 255.0 * 2.0 - 1.0).reshape(1, 7)
        a = quantile_unnormalize(n, q01, q99, mask)
        cases.append({
            "name": spec["name"], "instruction": spec["instruction"],
            # The frame is 128x96; resize_with_pad halves it exactly to 64x48 and pads 8 rows above and below.
            "images": golden_images(folder, i, {"primary": spec["frame"]}),
            "state": None, "input_ids": ids, "tokens": tokens, "integers": ints, "min_margin": min(margins),
            "logits_ranges": [[lo_id, hi_id]], "logits": [logits_over(l, [(lo_id, hi_id)]) for l in logits],
            "normalized": rows(n), "unnormalized": rows(a), "actions": rows(gripper_to_unit(a, 6, 0.0, 1.0)),
        })
    write_json(os.path.join(folder, "golden.json"), {"policy": name, "cases": cases}, compact=True)
    write_text(os.path.join(folder, "manifest.yaml"), f"""# RT-2-style test policy: actions written as the integers 0..255, one token each; a single model.onnx serves
# prefill (past of length 0) and decode. The model was trained on BGR frames. Made by tools/export_test_models.py.
format: vla_bridge.policy/1
name: {name}
model:
  type: autoregressive
  prefill: model.onnx
cameras:
{camera_yaml("primary", "pixel_values", 64, "resize_with_pad", color="bgr")}prompt:
  tokenizer: tokenizer.json
  template: "What action should the robot take to {{instruction}}?"
  lowercase_instruction: false
  bos_token: "<s>"
action:
{ee_space_yaml("relative_to_observation", [-0.5, -0.5, -0.5, -1.0, -1.0, -1.0, 0.0], [0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0])}  decoder:
    type: rt2_integers
    num_bins: 256
{quantile_yaml(2, "fractal20220817_data/action")}  chunk: {{ horizon: 1, steps_to_execute: 1, step_dt_s: 0.333 }}
""")


# --------------------------------------------------------------------------------------------------------------
# tiny_fast: FAST tokens (DCT + byte-level BPE), two cameras and a state, trained to reproduce its targets


FAST_HORIZON, FAST_DIMS, FAST_SCALE, FAST_MIN_TOKEN, FAST_SKIP, FAST_MAX_NEW = 10, 7, 10.0, -100, 8, 96


def fast_target_chunk(seed):
    """A smooth normalized chunk in [-1, 1]: what a FAST tokenizer is trained on."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, FAST_HORIZON)[:, None]
    a = rng.uniform(-0.6, 0.6, (1, FAST_DIMS)) + rng.uniform(-0.4, 0.4, (1, FAST_DIMS)) * np.sin(
        np.pi * t * rng.uniform(0.5, 1.5, (1, FAST_DIMS)))
    a[:, 6] = 1.0 if seed % 2 == 0 else -1.0
    return np.clip(a, -1, 1)


def fast_string(chunk):
    coeffs = np.around(dct_matrix(FAST_HORIZON) @ chunk * FAST_SCALE).astype(np.int64)
    codes = coeffs.reshape(-1) - FAST_MIN_TOKEN
    assert codes.min() >= 0, "min_token does not cover the coefficients"
    return "".join(chr(int(c)) for c in codes)


class FastLike(nn.Module):
    def __init__(self, vocab, state_dim):
        super().__init__()
        self.lm = TinyLM(vocab)
        self.base = PatchVision(self.lm.d, patch=16)
        self.wrist = PatchVision(self.lm.d, patch=16)
        self.state = nn.Linear(state_dim, self.lm.d)

    def prefix(self, base, wrist, state, input_ids, attention_mask):
        # NHWC float inputs (the manifest asks for that layout): channels first for the convolutions.
        b = self.base(base.permute(0, 3, 1, 2))
        w = self.wrist(wrist.permute(0, 3, 1, 2))
        x = torch.cat([b, w, self.state(state)[:, None], self.lm.embed(input_ids)], dim=1)
        n = b.shape[1] + w.shape[1] + 1
        mask = torch.cat([torch.ones(1, n, dtype=attention_mask.dtype), attention_mask], dim=1)
        return x, mask

    def full_logits(self, base, wrist, state, input_ids, attention_mask):
        x, mask = self.prefix(base, wrist, state, input_ids, attention_mask)
        h, presents = self.lm.run(x, mask, torch.arange(x.shape[1]), None)
        return self.lm.head(h), presents


class FastPrefill(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, base, wrist, state, input_ids, attention_mask):
        x, mask = self.m.prefix(base, wrist, state, input_ids, attention_mask)
        h, presents = self.m.lm.run(x, mask, torch.arange(x.shape[1]), None)
        return (self.m.lm.head(h[:, -1:]), *presents)


def export_fast(tok, cases_spec):
    name = "tiny_fast"
    folder = fresh_folder(name)
    corpus = [fast_string(fast_target_chunk(s)) for s in range(200)]
    fast = ByteLevelBpe(corpus, num_merges=120)
    n_fast = len(fast.vocab)
    T = len(tok.vocab)
    vocab_model = T + n_fast + FAST_SKIP

    def to_model(t):
        return vocab_model - 1 - FAST_SKIP - t

    eos = tok.vocab["</s>"]
    fast_range = (to_model(n_fast - 1), to_model(0) + 1)
    allowed = sorted([fast_range, (eos, eos + 1)])

    # Statistics of a 6-joint arm + gripper (absolute joint positions, rad; gripper 0..1), and its state.
    q01 = np.array([-1.2, -0.9, -0.8, -1.5, -1.1, -2.0, 0.0])
    q99 = np.array([1.1, 0.7, 1.0, 1.4, 1.2, 2.1, 1.0])
    mask = np.array([True] * 6 + [False])
    stats = {"tiny_arm": {
        "action": {"q01": f64list(q01), "q99": f64list(q99), "mask": [bool(x) for x in mask],
                   "mean": f64list((q01 + q99) / 2), "std": f64list((q99 - q01) / 4),
                   "min": f64list(q01 - 0.1), "max": f64list(q99 + 0.1)},
        "proprio": {"q01": f64list(q01), "q99": f64list(q99), "mask": [True] * 7,
                    "mean": f64list((q01 + q99) / 2), "std": f64list((q99 - q01) / 4),
                    "min": f64list(q01 - 0.1), "max": f64list(q99 + 0.1)},
    }}
    template = "Task: {instruction};\nAction:"
    prompts = [[tok.vocab["<s>"]] + tok.encode(template.format(instruction=c["instruction"].lower())) for c in cases_spec]
    targets = []
    for i, spec in enumerate(cases_spec):
        chunk = fast_target_chunk(1000 + i)
        s = fast_string(chunk)
        fast_ids = fast.encode(s)
        assert fast.decode(fast_ids) == s
        targets.append((chunk, s, fast_ids, [to_model(t) for t in fast_ids] + [eos]))

    def inputs(spec):
        base = torch.from_numpy(normalize_image(spec["base"], [0.5] * 3, [0.5] * 3, layout="nhwc"))
        wrist = torch.from_numpy(normalize_image(spec["wrist"], [0.5] * 3, [0.5] * 3, layout="nhwc"))
        st = np.asarray(spec["state"])
        st_n = np.where([True] * 7, 2 * (st - q01) / (q99 - q01) - 1, st)
        return base, wrist, torch.tensor(st_n[None], dtype=torch.float32)

    for _, _, _, tgt in targets:
        assert len(tgt) <= FAST_MAX_NEW, f"target of {len(tgt)} tokens exceeds max_new_tokens"
    torch.manual_seed(3)
    m = FastLike(vocab_model, 7)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    feeds = [inputs(s) for s in cases_spec]

    def teacher_forced_loss():
        loss = 0.0
        for (base, wrist, st), ids, (_, _, _, tgt) in zip(feeds, prompts, targets):
            seq = torch.tensor([ids + tgt[:-1]])
            logits, _ = m.full_logits(base, wrist, st, seq, torch.ones_like(seq))
            loss = loss + F.cross_entropy(logits[0, -len(tgt):], torch.tensor(tgt))
        return loss

    for it in range(4000):
        loss = teacher_forced_loss()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if loss.item() < 1e-3:
            break
    m.eval()
    print(f"  tiny_fast: trained {it + 1} steps, loss {loss.item():.2e}")

    results = []
    with torch.no_grad():
        for (base, wrist, st), ids, (_, _, _, tgt) in zip(feeds, prompts, targets):
            seq = list(ids)
            x_mask = torch.ones(1, len(seq), dtype=torch.int64)
            logits, presents = m.full_logits(base, wrist, st, torch.tensor([seq]), x_mask)
            past = pairs(presents)
            last = logits[0, -1].numpy()
            toks, margins, logits_all = [], [], []
            for _ in range(FAST_MAX_NEW):
                ref, _ = m.full_logits(base, wrist, st, torch.tensor([seq]), torch.ones(1, len(seq), dtype=torch.int64))
                ref_last = ref[0, -1].numpy()
                assert np.allclose(ref_last, last, atol=1e-4), "KV cache and full recomputation differ"
                t, margin = restricted_argmax(ref_last, allowed)
                toks.append(t)
                margins.append(margin)
                logits_all.append(ref_last)
                if t == eos:
                    break
                seq.append(t)
                total = past[0][0].shape[2] + 1
                res = KvDecode(m.lm, False)(torch.tensor([[t]]), torch.ones(1, total, dtype=torch.int64),
                                            *[x for kv in past for x in kv])
                last = res[0][0, -1].numpy()
                past = pairs(res[1:])
            assert toks == tgt, "the trained model does not reproduce its target"
            assert min(margins) > MIN_MARGIN
            results.append((toks, margins, logits_all))

    layers, heads, hd = m.lm.layers, m.lm.heads, m.lm.d // m.lm.heads
    kv_in, kv_out = kv_names(layers)
    base, wrist, st = feeds[0]
    ids = torch.tensor([prompts[0]])
    export(FastPrefill(m), (base, wrist, st, ids, torch.ones_like(ids)), os.path.join(folder, "prefill.onnx"),
           ["base_rgb", "wrist_rgb", "state", "input_ids", "attention_mask"], ["logits", *kv_out],
           {"input_ids": {1: "sequence_length"}, "attention_mask": {1: "sequence_length"},
            **{n: {2: "total_sequence_length"} for n in kv_out}})
    past = [torch.zeros(1, heads, 5, hd) for _ in range(2 * layers)]
    export(KvDecode(m.lm, False), (torch.tensor([[3]]), torch.ones(1, 6, dtype=torch.int64), *past),
           os.path.join(folder, "decode.onnx"), ["input_ids", "attention_mask", *kv_in], ["logits", *kv_out],
           {"attention_mask": {1: "total_sequence_length"}, **kv_axes(layers)})
    write_json(os.path.join(folder, "tokenizer.json"), tok.to_json())
    write_json(os.path.join(folder, "fast_tokenizer.json"), fast.to_json())
    write_json(os.path.join(folder, "dataset_statistics.json"), stats)

    c = dct_matrix(FAST_HORIZON)
    cases = []
    for i, (spec, ids, (chunk, s, fast_ids, tgt), (toks, margins, logits)) in enumerate(
            zip(cases_spec, prompts, targets, results)):
        codes = np.array([ord(ch) for ch in fast.decode([vocab_model - 1 - FAST_SKIP - t for t in toks[:-1]])])
        coeffs = (codes + FAST_MIN_TOKEN).reshape(FAST_HORIZON, FAST_DIMS)
        n = c.T @ (coeffs / FAST_SCALE)
        a = quantile_unnormalize(n, q01, q99, mask)
        cases.append({
            "name": spec["name"], "instruction": spec["instruction"],
            "images": golden_images(folder, i, {"base": spec["base"], "wrist": spec["wrist"]}),
            "state": f64list(spec["state"]), "input_ids": ids, "tokens": toks, "fast_ids": fast_ids,
            "coefficients": [[int(v) for v in r] for r in coeffs], "min_margin": min(margins),
            "logits_ranges": [list(r) for r in allowed], "logits": [logits_over(l, allowed) for l in logits],
            "normalized": rows(n), "unnormalized": rows(a), "actions": rows(gripper_to_unit(a, 6, 0.0, 1.0)),
        })
    write_json(os.path.join(folder, "golden.json"), {"policy": name, "model_vocab_size": vocab_model, "cases": cases}, compact=True)
    write_text(os.path.join(folder, "manifest.yaml"), f"""# pi0-FAST-style test policy: DCT coefficients of a {FAST_HORIZON}-step chunk, byte-level BPE, action ids mapped onto
# the tail of the model vocab as openpi does; two cameras (NHWC float) and a quantile-normalized joint state.
# Trained by tools/export_test_models.py until greedy decoding reproduces its two target chunks.
format: vla_bridge.policy/1
name: {name}
model:
  type: autoregressive
  prefill: prefill.onnx
  decode: decode.onnx
cameras:
{camera_yaml("base", "base_rgb", 64, "resize_with_pad", layout="nhwc")}{camera_yaml("wrist", "wrist_rgb", 64, "resize_with_pad", layout="nhwc")}prompt:
  tokenizer: tokenizer.json
  template: "Task: {{instruction}};\\nAction:"
  lowercase_instruction: true
  bos_token: "<s>"
state:
  tensor: state
  source: position
  dims: 7
{quantile_yaml(2, "tiny_arm/proprio")}action:
  space:
    names: [shoulder_pan, shoulder_lift, elbow_flex, wrist_flex, wrist_roll, wrist_yaw, gripper]
    kind: absolute
    frame: joint
    bounds:
      lower: [-3.2, -3.2, -3.2, -3.2, -3.2, -3.2, 0.0]
      upper: [3.2, 3.2, 3.2, 3.2, 3.2, 3.2, 1.0]
    gripper: {{ dimension: gripper, range: [0.0, 1.0], convention: open_is_1 }}
  decoder:
    type: fast
    tokenizer: fast_tokenizer.json
    min_token: {FAST_MIN_TOKEN}
    scale: {FAST_SCALE}
    token_mapping: {{ type: reversed_tail, vocab_size: {vocab_model}, skip_tokens: {FAST_SKIP} }}
    stop_token: "</s>"
    max_new_tokens: {FAST_MAX_NEW}
{quantile_yaml(2, "tiny_arm/action")}  chunk: {{ horizon: {FAST_HORIZON}, steps_to_execute: 8, step_dt_s: 0.05 }}
""")


# --------------------------------------------------------------------------------------------------------------
# tiny_act: continuous chunk head, external weights


class ActLike(nn.Module):
    def __init__(self, horizon, dims, state_dim):
        super().__init__()
        self.horizon, self.dims = horizon, dims
        d = 64
        self.top = PatchVision(d, patch=16)
        self.wrist = PatchVision(d, patch=16)
        self.state = nn.Linear(state_dim, d)
        self.blocks = nn.ModuleList([Block(d, 4, 128) for _ in range(2)])
        self.queries = nn.Parameter(torch.randn(1, horizon, d) * 0.5)
        self.out = nn.Linear(d, dims)

    def forward(self, top, wrist, state):
        w = wrist.permute(0, 3, 1, 2).float() / 255.0  # uint8 NHWC in, as the manifest says
        x = torch.cat([self.top(top), self.wrist(w), self.state(state)[:, None], self.queries], dim=1)
        h = x
        positions = torch.arange(x.shape[1])
        for blk in self.blocks:  # bidirectional: no mask
            h, _, _ = blk(h, torch.zeros(()), positions)
        actions = self.out(h[:, -self.horizon:])
        # A model that reads an impossible state answers NaN (state more than 50 sigma out): the runtime must
        # refuse such an output, and the tests use this to check that it does.
        return actions + 0.0 * torch.sqrt(state[:, :1, None] + 50.0)


def export_act(cases_spec):
    name = "tiny_act"
    folder = fresh_folder(name)
    horizon, dims = 10, 8
    torch.manual_seed(11)
    m = ActLike(horizon, dims, 8).eval()
    a_mean = np.array([0.0, -0.3, 0.0, -2.2, 0.0, 2.0, 0.8, 0.5])
    a_std = np.array([0.4, 0.5, 0.4, 0.5, 0.3, 0.4, 0.5, 0.45])
    s_mean, s_std = a_mean.copy(), a_std * 1.1
    stats = {
        "action": {"mean": f64list(a_mean), "std": f64list(a_std), "min": f64list(a_mean - 4 * a_std),
                   "max": f64list(a_mean + 4 * a_std)},
        "observation.state": {"mean": f64list(s_mean), "std": f64list(s_std), "min": f64list(s_mean - 4 * s_std),
                              "max": f64list(s_mean + 4 * s_std)},
    }

    def inputs(spec):
        top = torch.from_numpy(normalize_image(spec["top"], IMAGENET_MEAN, IMAGENET_STD))
        wrist = torch.from_numpy(area_downscale_2x(spec["wrist"])[None].copy())
        st = (np.asarray(spec["state"]) - s_mean) / s_std
        return top, wrist, torch.tensor(st[None], dtype=torch.float32)

    top, wrist, st = inputs(cases_spec[0])
    export(m, (top, wrist, st), os.path.join(folder, "model.onnx"),
           ["observation.images.top", "observation.images.wrist", "observation.state"], ["actions"], {},
           external_data=True)
    write_json(os.path.join(folder, "stats.json"), stats)
    cases = []
    with torch.no_grad():
        for i, spec in enumerate(cases_spec):
            out = m(*inputs(spec))[0].numpy().astype(np.float64)
            a = out * a_std + a_mean
            cases.append({
                "name": spec["name"], "instruction": "",
                # top is at model size; wrist is 96x96 and halves exactly to 48x48.
                "images": golden_images(folder, i, {"top": spec["top"], "wrist": spec["wrist"]}),
                "state": f64list(spec["state"]), "input_ids": [],
                "raw_output": f32list(out), "normalized": rows(out), "unnormalized": rows(a),
                "actions": rows(gripper_to_unit(a, 7, 0.0, 1.0)),
            })
    write_json(os.path.join(folder, "golden.json"), {"policy": name, "cases": cases}, compact=True)
    lower = [-3.0, -2.0, -3.0, -3.2, -3.0, 0.0, -3.0, 0.0]
    upper = [3.0, 2.0, 3.0, 0.0, 3.0, 4.0, 3.0, 1.0]
    write_text(os.path.join(folder, "manifest.yaml"), f"""# ACT-style continuous chunk head: two cameras (float32 NCHW, and uint8 NHWC), an 8-D joint state, gaussian
# normalization in LeRobot's stats.json layout, weights in model.onnx.data. Made by tools/export_test_models.py.
format: vla_bridge.policy/1
name: {name}
model:
  type: single_pass
  file: model.onnx
cameras:
{camera_yaml("top", "observation.images.top", 64, "resize", mean=IMAGENET_MEAN, std=IMAGENET_STD)}{camera_yaml("wrist", "observation.images.wrist", 48, "resize", layout="nhwc", dtype="uint8")}state:
  tensor: observation.state
  source: position
  dims: 8
  normalization:
    type: gaussian
    stats: {{ file: stats.json, path: observation.state }}
    mask: {yaml_list([True] * 8)}
action:
  space:
    names: [joint1, joint2, joint3, joint4, joint5, joint6, joint7, gripper]
    kind: absolute
    frame: joint
    bounds:
      lower: {yaml_list(lower)}
      upper: {yaml_list(upper)}
    gripper: {{ dimension: gripper, range: [0.0, 1.0], convention: open_is_1 }}
  decoder:
    type: continuous
    output: actions
  normalization:
    type: gaussian
    stats: {{ file: stats.json, path: action }}
    mask: {yaml_list([True] * 8)}
  chunk: {{ horizon: {horizon}, steps_to_execute: 5, step_dt_s: 0.02 }}
""")


# --------------------------------------------------------------------------------------------------------------


def export_bridge_decode_table(oxe):
    """Every bin token decoded with the real bridge_orig statistics, and sample actions encoded (numpy)."""
    stats = oxe["bridge_orig"]["action"]
    q01, q99, mask = np.array(stats["q01"]), np.array(stats["q99"]), np.array(stats["mask"])
    vocab_size = 32000
    tokens = np.arange(vocab_size - 256, vocab_size)
    table = []
    for t in tokens:
        n, a = openvla_decode([int(t)] * 7, vocab_size, q01, q99, mask)
        table.append({"token": int(t), "normalized": float(n[0, 0]), "actions": f64list(a[0])})
    rng = np.random.default_rng(5)
    samples = rng.uniform(q01 - 0.01, q99 + 0.01, (16, 7))
    samples[:, 6] = rng.choice([0.0, 1.0], 16)
    samples[0] = q01
    samples[1] = q99
    encoded = openvla_encode(samples, vocab_size, q01, q99, mask)
    write_json(os.path.join(os.path.dirname(OXE_STATS), "bridge_orig_openvla_bins.json"), {
        "about": "OpenVLA bin decoding (DESIGN 6) of every action token with the real bridge_orig statistics, and "
                 "sample actions encoded; computed with numpy by tools/export_test_models.py",
        "dataset": "bridge_orig", "vocab_size": vocab_size, "decode": table,
        "encode": {"actions": rows(samples), "tokens": [[int(x) for x in r] for r in encoded]},
    }, compact=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    oxe = load_oxe()
    export_bridge_decode_table(oxe)
    tok = LlamaLikeTokenizer(INSTRUCTION_WORDS, vocab_size=None)
    # OpenVLA: the tokenizer vocab's last 256 ids are the action bins (here filler tokens past the text ones).
    tok_bins = LlamaLikeTokenizer(INSTRUCTION_WORDS, vocab_size=len(tok.vocab) + 256)
    tok_rt2 = LlamaLikeTokenizer(INSTRUCTION_WORDS, number_tokens=256)

    red_cup = [(0.55, 0.35, 0.12, (200, 30, 40)), (0.3, 0.75, 0.1, (40, 60, 200))]
    blue_block = [(0.4, 0.6, 0.14, (30, 50, 210)), (0.7, 0.25, 0.09, (220, 200, 40))]
    bins_cases = [
        {"name": "red_cup", "instruction": "Pick up the red cup", "frame": scene(64, 64, 1, red_cup)},
        {"name": "blue_block", "instruction": "put the blue block in the bowl", "frame": scene(64, 64, 2, blue_block)},
    ]
    print("tiny_openvla")
    export_openvla(tok_bins, oxe["bridge_orig"]["action"], bins_cases)
    print("tiny_oft")
    export_oft(tok_bins, oxe["bridge_orig"]["action"], bins_cases)

    print("tiny_rt2")
    rt2_cases = []
    for i, (inst, objs) in enumerate([("pick up the green cup", red_cup), ("open the drawer", blue_block)]):
        frame = scene(96, 128, 10 + i, objs)
        rt2_cases.append({"name": f"case{i}", "instruction": inst, "frame": frame,
                          # What the model sees: BGR, halved exactly and padded to 64x64.
                          "frame_small": resize_with_pad_2x(frame, 64, 64)[:, :, ::-1].copy()})
    export_rt2(tok_rt2, oxe["fractal20220817_data"]["action"], rt2_cases)

    print("tiny_fast")
    fast_cases = []
    for i, (inst, objs) in enumerate([("Pick up the red block", red_cup), ("move the cup left", blue_block)]):
        base = scene(64, 64, 20 + i, objs)
        wrist = scene(64, 64, 30 + i, objs[::-1])
        fast_cases.append({"name": f"case{i}", "instruction": inst, "base": base, "wrist": wrist,
                           "state": [0.1 * (i + 1), -0.2, 0.3, -0.4 * i, 0.5, -0.6, 0.9 - 0.8 * i]})
    export_fast(tok, fast_cases)

    print("tiny_act")
    act_cases = []
    for i, objs in enumerate([red_cup, blue_block]):
        act_cases.append({"name": f"case{i}", "top": scene(64, 64, 40 + i, objs), "wrist": scene(96, 96, 50 + i, objs),
                          "state": [0.1, -0.4 + 0.2 * i, 0.05, -2.1, 0.0, 1.9 + 0.1 * i, 0.7, 0.3 + 0.5 * i]})
    export_act(act_cases)
    print("done:", OUT)


if __name__ == "__main__":
    main()
