"""The demo policy: a patch encoder, a state token and a tiny decoder-only transformer writing OpenVLA bin tokens."""

import math

import torch
import torch.nn as nn

from vla_tools.tinylm import Block as TinyBlock, rope, run_blocks
from vla_tools.reach_demo.data import NUM_BINS, PATCH_GRID


class Block(TinyBlock):
    """The test models' transformer block (pre-LN, rotary positions, KV cache), run on batches."""

    def forward(self, x, bias, positions, past_k=None, past_v=None):
        b, n, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        q = rope(q.reshape(b, n, self.heads, self.hd).transpose(1, 2), positions)
        k = rope(k.reshape(b, n, self.heads, self.hd).transpose(1, 2), positions)
        v = v.reshape(b, n, self.heads, self.hd).transpose(1, 2)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.hd) + bias, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(b, n, self.heads * self.hd)
        x = x + self.proj(o)
        x = x + self.mlp(self.ln2(x))
        return x, k, v


class PatchEncoder(nn.Module):
    """96x96 RGB -> 36 patch tokens: a 4x4 patchify convolution, then two strided stages with 3x3 context."""

    def __init__(self, d):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 32, 4, stride=4), nn.GELU(),            # 24x24
            nn.Conv2d(32, 64, 2, stride=2), nn.GELU(),           # 12x12
            nn.Conv2d(64, 64, 3, padding=1), nn.GELU(),          # 12x12
            nn.Conv2d(64, d, 2, stride=2),                       # 6x6
        )
        self.pos = nn.Parameter(torch.zeros(1, PATCH_GRID * PATCH_GRID, d))
        self.ln = nn.LayerNorm(d)

    def forward(self, pixels):
        x = self.net(pixels).flatten(2).transpose(1, 2)
        return self.ln(x + self.pos)


class DemoVla(nn.Module):
    def __init__(self, vocab, state_dim, d=96, heads=4, layers=3, mlp=256):
        super().__init__()
        self.vocab = vocab
        self.d, self.heads, self.layers = d, heads, layers
        self.embed = nn.Embedding(vocab, d)
        self.vision = PatchEncoder(d)
        self.state = nn.Sequential(nn.Linear(state_dim, d), nn.GELU(), nn.Linear(d, d))
        self.blocks = nn.ModuleList([Block(d, heads, mlp) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, NUM_BINS)  # scores of the action tokens V-256 .. V-1, in id order
        self.aux_cubes = nn.Linear(PATCH_GRID * PATCH_GRID * d, 6)  # training only: where each coloured cube is
        self.aux_goal = nn.Linear(d, 2)  # training only: where the named cube is

    def prefix(self, pixels, state, ids):
        """OpenVLA's order: <s>, the image patches, then (ours) the state token, then the rest of the prompt."""
        patches = self.vision(pixels)
        emb = self.embed(ids)
        x = torch.cat([emb[:, :1], patches, self.state(state)[:, None], emb[:, 1:]], dim=1)
        return x, patches

    def run(self, x, bias, positions, past=None):
        return run_blocks(self.blocks, self.ln, x, bias, positions, past)

    def action_logits(self, h):
        return self.head(h)

    def full_vocab_logits(self, h):
        """[.., 256] action scores placed at ids V-256..V-1 of a V-wide row; other ids get -1e4."""
        a = self.head(h)
        fill = torch.full(a.shape[:-1] + (self.vocab - NUM_BINS,), -1e4, dtype=a.dtype)
        return torch.cat([fill, a], dim=-1)


def causal_bias(n, past=0):
    i = torch.arange(n)[:, None] + past
    j = torch.arange(past + n)[None, :]
    return torch.where(j <= i, torch.zeros(()), torch.full((), -1e9))[None, None]


class Prefill(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values, state, input_ids, attention_mask):
        x, _ = self.m.prefix(pixel_values, state, input_ids)
        extra = x.shape[1] - input_ids.shape[1]
        ones = torch.ones(1, extra, dtype=attention_mask.dtype)
        mask = torch.cat([attention_mask[:, :1], ones, attention_mask[:, 1:]], dim=1)
        n = x.shape[1]
        bias = causal_bias(n) + torch.where(mask[0] > 0, torch.zeros(()), torch.full((), -1e9))[None, None, None, :]
        h, presents = self.m.run(x, bias, torch.arange(n))
        return (self.m.full_vocab_logits(h[:, -1:]), *presents)


class Decode(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask, position_ids, *flat):
        past = [(flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]
        bias = torch.where(attention_mask[0] > 0, torch.zeros(()), torch.full((), -1e9))[None, None, None, :]
        h, presents = self.m.run(self.m.embed(input_ids), bias, position_ids[0], past)
        return (self.m.full_vocab_logits(h[:, -1:]), *presents)
