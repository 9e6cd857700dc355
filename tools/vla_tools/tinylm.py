"""The tiny decoder-only transformer the tokenized test models share, KV-cache naming and ONNX export."""

import math
import os

import numpy as np
import onnx
import torch
import torch.nn as nn

from vla_tools.paths import OPSET


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
        return run_blocks(self.blocks, self.ln, x, attention_bias(mask_full, x.shape[1]), positions, past)


def run_blocks(blocks, ln, x, bias, positions, past):
    """The transformer stack with a KV cache: past is a list of (k, v) per layer or None. Returns ln(x), presents."""
    presents = []
    for i, blk in enumerate(blocks):
        pk, pv = past[i] if past is not None else (None, None)
        x, k, v = blk(x, bias, positions, pk, pv)
        presents += [k, v]
    return ln(x), presents


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
