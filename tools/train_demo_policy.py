#!/usr/bin/env python3
"""Trains the demo policy (a tiny tokenized VLA) on simulator demonstrations and exports it as a policy folder.

Run by hand with Debian's torch, onnx and numpy (never at run time):

    node bin/vla-bridge.js record-demos --episodes 2000 --seed 1 --out /tmp/demos   # a LeRobot v3.0 dataset
    /usr/bin/python3 tools/train_demo_policy.py --data /tmp/demos --out policies/reach_demo

The model: a small convolutional patch encoder (96x96 RGB -> 6x6 patch tokens), a state token (the 8 joint
positions, quantile-normalized) and the instruction tokens after <s>, read by a 3-layer decoder-only
transformer (rotary positions, KV cache) that writes the action chunk as OpenVLA uniform-bin tokens: 4 steps
0.2 s apart x 7 joint deltas (relative to the observed joint positions), each quantile-normalized to [-1, 1]
with q01/q99 computed from the data and digitized into 256 bins, token = V - digitize(n, linspace(-1, 1, 256))
with V the tokenizer's vocab size (DESIGN 6). The LM head scores only the 256 action tokens; every other id gets
a constant -1e4, so even a decoder that does not restrict its choice to action ids reads action tokens.

Training data: for every recorded observation the dataset holds the expert's chunk toward each of the three
cubes (action.object_chunks), so each observation is trained with an instruction naming the true target or one
of the other two cubes: the instruction, not the arm's direction of travel, decides where to go. Two auxiliary
regression heads (dropped at export) speed up learning: the patch tokens predict where each coloured cube
is, and the last prompt position predicts where the named cube is.

Export: prefill.onnx (pixel_values, state, input_ids, attention_mask -> logits of the last position, present.*)
and decode.onnx (input_ids, attention_mask, position_ids, past_key_values.* -> logits, present.*) in the Hugging
Face optimum convention, opset 17; tokenizer.json (a SentencePiece-style BPE in HF format), the statistics
(dataset_statistics.json), manifest.yaml and TRAINING.md; goldens (a few held-out observations with the
PyTorch tokens and logits) for the tests, checked against onnxruntime at the end (logits to 1e-4).

The demonstrations are LeRobot v3.0 datasets (the format export-lerobot writes from rosbag2 recordings), read with
vla_tools.lerobot. The shipped policies/reach_demo weights were trained from the same recordings in the earlier
.npy layout of record-demos (TRAINING.md there); the pipeline was re-run end to end on the LeRobot layout.

A fast BLAS matters (Debian's torch links the reference libblas3): with libopenblas0-pthread installed, or its
library folder on LD_LIBRARY_PATH, training is several times faster.
"""

import argparse
import json
import math
import os
import subprocess
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from vla_tools.actions import openvla_decode, openvla_encode
from vla_tools.files import write_json, write_png, write_text
from vla_tools.lerobot import LeRobotDataset
from vla_tools.manifest import yaml_list
from vla_tools.paths import OPSET, SPIECE
from vla_tools.tinylm import Block as TinyBlock, kv_axes, kv_names, restricted_argmax, rope, run_blocks
from vla_tools.tokenizers import LlamaLikeTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "reach_demo"
COLORS = ["red", "green", "blue"]
# The simulator's instruction templates (src/sim/ReachTask.ts INSTRUCTION_TEMPLATES).
TEMPLATES = ["reach the {color} cube", "move to the {color} cube", "touch the {color} block"]
PROMPT_WORDS = ["reach", "move", "touch", "to", "the", "cube", "block", "red", "green", "blue"]
# The prompt is the lowercased instruction after <s> (the manifest's template "{instruction}", bos_token <s>).
TEMPLATE = "{instruction}"
NUM_BINS = 256
ARM_DIMS = 7
IMAGE_SIZE = 96
PATCH_GRID = 6
MEAN = [0.5, 0.5, 0.5]
STD = [0.5, 0.5, 0.5]


# --------------------------------------------------------------------------------------------------------------
# Data


class Demos:
    """record-demos datasets (LeRobot v3.0 with meta/vla_bridge_demos.json), concatenated over several folders."""

    def __init__(self, dirs):
        images, state, obj, episode, cubes, targets = [], [], [], [], [], []
        self.episodes = 0
        self.dropped_after_success = 0
        self.layout = None
        for d in dirs:
            with open(os.path.join(d, "meta", "vla_bridge_demos.json")) as f:
                meta = json.load(f)
            if meta["format"] != "vla_bridge.demos/2":
                raise SystemExit(f"{d}: not a vla_bridge.demos/2 dataset (record it with vla-bridge record-demos)")
            ds = LeRobotDataset(d)
            if "action.object_chunks" not in ds.columns:
                raise SystemExit(f"{d}: no action.object_chunks (record with object labels)")
            self.layout = self.layout or meta
            eps = meta["episodes"]
            by_dataset = {e["datasetEpisode"]: e for e in eps}
            ep = ds.columns["episode_index"]
            horizon, dims = meta["action"]["horizon"], len(meta["action"]["names"])
            # Episode ids made unique across folders; cube centres in the fixed colour order red, green, blue.
            remap = {}
            for e in eps:
                remap[e["datasetEpisode"]] = self.episodes
                self.episodes += 1
            centers = np.zeros((len(ep), 3, 2), np.float32)
            target = np.zeros(len(ep), np.int64)
            order = np.zeros((len(ep), 3), np.int64)  # object_chunks slot of each colour
            for i, e_index in enumerate(ep):
                e = by_dataset[int(e_index)]
                colors = [c["color"] for c in e["cubes"]]
                for k, color in enumerate(COLORS):
                    slot = colors.index(color)
                    order[i, k] = slot
                    centers[i, k] = e["cubes"][slot]["centerM"][:2]
                target[i] = COLORS.index(e["targetColor"])
            # Observations after the goal was reached (the arm holding still) are left out: near the cube they
            # look like the last few centimetres before it, and would teach the policy to stop short.
            t = ds.columns["timestamp"]
            done = np.array([by_dataset[int(x)]["timeToSuccessS"] for x in ep], dtype=object)
            keep = np.array([s is None or ti <= s + 1e-6 for ti, s in zip(t, done)])
            self.dropped_after_success += int((~keep).sum())
            a = ds.columns["action.object_chunks"].reshape(len(ep), -1, horizon, dims)
            a = np.take_along_axis(a, order[:, :, None, None], axis=1)  # reorder slots to colour order
            images.append(ds.images(meta["camera"]["name"])[keep])
            state.append(ds.columns["observation.state"][keep])
            obj.append(a[keep][..., :ARM_DIMS])
            episode.append(np.array([remap[int(x)] for x in ep], np.int64)[keep])
            cubes.append(centers[keep])
            targets.append(target[keep])
        self.images = np.concatenate(images)
        self.state = np.concatenate(state).astype(np.float64)
        # [N, 3 colours, horizon, 7] absolute joint targets -> deltas from the observed joint positions.
        obj = np.concatenate(obj).astype(np.float64)
        self.deltas = obj - self.state[:, None, None, :ARM_DIMS]
        self.episode = np.concatenate(episode)
        self.cubes = np.concatenate(cubes)
        self.target = np.concatenate(targets)
        self.n = len(self.state)
        self.horizon = self.deltas.shape[2]


def prompt_ids(tok, instruction):
    """The runtime's PromptBuilder for this manifest: <s>, then the template with the instruction lowercased."""
    return [tok.vocab["<s>"]] + tok.encode(TEMPLATE.format(instruction=instruction.strip().lower()))


def quantile_stats(x, mask=None):
    x = x.reshape(-1, x.shape[-1])
    q01, q99 = np.quantile(x, 0.01, axis=0), np.quantile(x, 0.99, axis=0)
    mask = [True] * x.shape[1] if mask is None else mask
    return {"q01": [float(v) for v in q01], "q99": [float(v) for v in q99], "mask": [bool(m) for m in mask],
            "mean": [float(v) for v in x.mean(0)], "std": [float(v) for v in x.std(0)],
            "min": [float(v) for v in x.min(0)], "max": [float(v) for v in x.max(0)]}


def normalize_state(state, stats):
    """The runtime's quantile normalization of the state (Normalization.normalize), float64 then float32."""
    q01, q99, mask = np.array(stats["q01"]), np.array(stats["q99"]), np.array(stats["mask"])
    width = np.where(mask, q99 - q01, 1.0)  # unmasked dimensions pass through (and may have zero width)
    return np.where(mask, 2 * (state - q01) / width - 1, state).astype(np.float32)


def normalize_images(u8):
    """uint8 NHWC -> float32 NCHW, x = (pixel / 255 - 0.5) / 0.5 as the manifest's camera normalize says."""
    x = u8.astype(np.float32) * np.float32(1 / 255.0)
    x = (x - np.asarray(MEAN, np.float32)) / np.asarray(STD, np.float32)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


# --------------------------------------------------------------------------------------------------------------
# Model


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


# --------------------------------------------------------------------------------------------------------------
# Training


def soft_targets(bins, sigma):
    """Gaussian-smoothed one-hot over the 256 bins (neighbouring bins are nearly as right)."""
    k = torch.arange(NUM_BINS, dtype=torch.float32)
    w = torch.exp(-0.5 * ((k[None, None, :] - bins[..., None].float()) / sigma) ** 2)
    return w / w.sum(-1, keepdim=True)


class Trainer:
    def __init__(self, data, tok, stats, args):
        self.data, self.tok, self.args = data, tok, args
        self.V = len(tok.vocab)
        self.stats = stats
        self.q01 = np.array(stats["action"]["q01"])
        self.q99 = np.array(stats["action"]["q99"])
        self.state_n = normalize_state(data.state, stats["proprio"])
        # Prompt ids for every (template, colour); all colours are one token, so a template fixes the length.
        self.prompts = {(t, c): prompt_ids(tok, TEMPLATES[t].format(color=COLORS[c]))
                        for t in range(len(TEMPLATES)) for c in range(3)}
        for t in range(len(TEMPLATES)):
            lengths = {len(self.prompts[(t, c)]) for c in range(3)}
            assert len(lengths) == 1, f"template {TEMPLATES[t]!r}: colour words must be single tokens"
        # Action tokens of every (sample, colour): [N, 3, horizon * 7], as offsets into the 256 action ids.
        tokens = openvla_encode(data.deltas, self.V, self.q01, self.q99, np.ones(ARM_DIMS, bool))
        self.bins = (tokens - (self.V - NUM_BINS)).reshape(data.n, 3, -1).astype(np.int64)
        rng = np.random.default_rng(args.seed)
        episodes = np.unique(data.episode)
        held = set(rng.choice(episodes, size=max(1, int(len(episodes) * args.val_fraction)), replace=False).tolist())
        is_val = np.array([e in held for e in data.episode])
        self.train_idx = np.nonzero(~is_val)[0]
        self.val_idx = np.nonzero(is_val)[0]
        self.rng = rng

    def batch(self, idx, template, colors):
        d = self.data
        pixels = torch.from_numpy(normalize_images(d.images[idx]))
        state = torch.from_numpy(self.state_n[idx])
        prompt = np.stack([self.prompts[(template, c)] for c in colors])
        bins = torch.from_numpy(self.bins[idx, colors])
        action_ids = bins + (self.V - NUM_BINS)
        ids = torch.from_numpy(np.concatenate([prompt, action_ids[:, :-1].numpy()], axis=1))
        cubes = torch.from_numpy(d.cubes[idx].reshape(len(idx), 6))
        goal = torch.from_numpy(d.cubes[idx, colors])
        return pixels, state, ids, prompt.shape[1], bins, cubes, goal

    def choose_colors(self, idx):
        """The true target half of the time, otherwise one of the other two cubes (counterfactual label)."""
        true = self.data.target[idx]
        other = (true + 1 + self.rng.integers(0, 2, size=len(idx))) % 3
        return np.where(self.rng.random(len(idx)) < self.args.true_target_share, true, other)

    def losses(self, model, batch):
        pixels, state, ids, prompt_len, bins, cubes, goal = batch
        x, patches = model.prefix(pixels, state, ids)
        n = x.shape[1]
        h, _ = model.run(x, causal_bias(n), torch.arange(n))
        steps = bins.shape[1]
        logits = model.action_logits(h[:, -steps:])
        target = soft_targets(bins, self.args.label_sigma)
        ce = -(target * F.log_softmax(logits, -1)).sum(-1).mean()
        acc = (logits.argmax(-1) == bins).float().mean()
        near = ((logits.argmax(-1) - bins).abs() <= 2).float().mean()
        aux_c = F.mse_loss(model.aux_cubes(patches.flatten(1)), (cubes - CUBE_MID) / CUBE_SCALE)
        aux_g = F.mse_loss(model.aux_goal(h[:, -steps]), (goal - CUBE_MID[:2]) / CUBE_SCALE)
        return ce, aux_c, aux_g, acc, near

    def train(self, model):
        a = self.args
        opt = torch.optim.AdamW([p for p in model.parameters()], lr=a.lr, weight_decay=0.01, betas=(0.9, 0.98))
        start = time.time()
        log = []
        step = 0
        while True:
            elapsed = time.time() - start
            if step >= a.steps or (a.minutes > 0 and elapsed > a.minutes * 60):
                break
            progress = step / a.steps if a.minutes <= 0 else max(step / a.steps, elapsed / (a.minutes * 60))
            lr = a.lr * min(1.0, (step + 1) / a.warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
            for g in opt.param_groups:
                g["lr"] = lr
            idx = self.rng.choice(self.train_idx, size=a.batch, replace=False)
            template = int(self.rng.integers(0, len(TEMPLATES)))
            model.train()
            ce, aux_c, aux_g, acc, near = self.losses(model, self.batch(idx, template, self.choose_colors(idx)))
            loss = ce + a.aux_weight * (aux_c + aux_g)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            if step % a.checkpoint_every == 0:
                torch.save(model.state_dict(), a.checkpoint)
            if step % a.log_every == 0 or step == 1:
                row = {"step": step, "minutes": round((time.time() - start) / 60, 2), "lr": lr, "ce": float(ce),
                       "aux_cubes": float(aux_c), "aux_goal": float(aux_g), "token_acc": float(acc),
                       "within_2_bins": float(near)}
                if step % (a.log_every * 5) == 0:
                    row.update(self.validate(model))
                log.append(row)
                print(json.dumps(row), flush=True)
        final = {"step": step, "minutes": round((time.time() - start) / 60, 2)}
        final.update(self.validate(model, batches=12))
        log.append(final)
        print(json.dumps(final), flush=True)
        return log, step, time.time() - start

    @torch.no_grad()
    def validate(self, model, batches=4):
        model.eval()
        rng = np.random.default_rng(123)
        sums = np.zeros(5)
        for b in range(batches):
            idx = rng.choice(self.val_idx, size=min(64, len(self.val_idx)), replace=False)
            colors = np.where(rng.random(len(idx)) < 0.5, self.data.target[idx], rng.integers(0, 3, len(idx)))
            sums += np.array([float(v) for v in self.losses(model, self.batch(idx, b % len(TEMPLATES), colors))])
        v = sums / batches
        return {"val_ce": v[0], "val_aux_cubes": v[1], "val_aux_goal": v[2], "val_token_acc": v[3], "val_within_2_bins": v[4]}


CUBE_MID = torch.tensor([0.5, 0.0, 0.5, 0.0, 0.5, 0.0])
CUBE_SCALE = 0.25


# --------------------------------------------------------------------------------------------------------------
# Greedy decoding with the KV cache (the export's reference), and the export


@torch.no_grad()
def greedy(model, pixels, state, ids, steps, V):
    """Prefill + cached decode steps in PyTorch, as the runtime runs the ONNX graphs; checked against a full
    recomputation at every step. Returns tokens, per-step logits over the action ids, and the smallest margin."""
    prefill, decode = Prefill(model).eval(), Decode(model).eval()
    ids_t = torch.tensor([ids])
    out = prefill(pixels, state, ids_t, torch.ones_like(ids_t))
    logits, past = out[0][0, -1].numpy(), list(out[1:])
    ranges = [(V - NUM_BINS, V)]
    tokens, rows, margins = [], [], []
    seq = list(ids)
    for step in range(steps):
        tok, margin = restricted_argmax(logits, ranges)
        tokens.append(tok)
        rows.append(logits[V - NUM_BINS:].copy())
        margins.append(margin)
        seq.append(tok)
        if step + 1 == steps:
            break
        total = past[0].shape[2] + 1
        out = decode(torch.tensor([[tok]]), torch.ones(1, total, dtype=torch.int64), torch.tensor([[total - 1]]), *past)
        logits, past = out[0][0, -1].numpy(), list(out[1:])
        # The reference: the whole sequence again, without the cache.
        seq_t = torch.tensor([seq])
        full = prefill(pixels, state, seq_t, torch.ones_like(seq_t))[0][0, -1].numpy()
        assert np.allclose(full, logits, atol=1e-4), f"KV-cache decoding differs from recomputation at step {step}"
    return tokens, rows, min(margins)


def export_onnx(model, folder, sample):
    pixels, state, ids = sample
    layers = model.layers
    kv_in, kv_out = kv_names(layers)
    prefill_path = os.path.join(folder, "prefill.onnx")
    decode_path = os.path.join(folder, "decode.onnx")
    ids_t = torch.tensor([ids])
    torch.onnx.export(Prefill(model).eval(), (pixels, state, ids_t, torch.ones_like(ids_t)), prefill_path,
                      input_names=["pixel_values", "state", "input_ids", "attention_mask"],
                      output_names=["logits", *kv_out], opset_version=OPSET, do_constant_folding=True,
                      dynamic_axes={"input_ids": {1: "sequence_length"}, "attention_mask": {1: "sequence_length"},
                                    **{n: {2: "total_sequence_length"} for n in kv_out}})
    hd = model.d // model.heads
    past = [torch.zeros(1, model.heads, 60, hd) for _ in range(2 * layers)]
    torch.onnx.export(Decode(model).eval(), (torch.tensor([[3]]), torch.ones(1, 61, dtype=torch.int64),
                                             torch.tensor([[60]]), *past), decode_path,
                      input_names=["input_ids", "attention_mask", "position_ids", *kv_in],
                      output_names=["logits", *kv_out], opset_version=OPSET, do_constant_folding=True,
                      dynamic_axes={"attention_mask": {1: "total_sequence_length"}, **kv_axes(layers)})
    import onnx
    for path in (prefill_path, decode_path):
        onnx.checker.check_model(onnx.load(path))
    return prefill_path, decode_path


def manifest_text(V, bounds, horizon, steps_to_execute, step_dt, joint_names, training_note):
    lower, upper = bounds
    return f"""# The demo policy: a tiny tokenized VLA trained in the built-in simulator to reach the cube named in the
# instruction ("reach the blue cube"; the other two cubes are distractors). OpenVLA-style: a 96x96 camera image,
# the joint state and the instruction in; {horizon} steps x 7 joint deltas out as uniform-bin action tokens
# (256 bins over the last 256 ids of the tokenizer vocab), quantile-unnormalized with the data's q01/q99.
# {training_note}
# Made by tools/train_demo_policy.py; see TRAINING.md.
format: vla_bridge.policy/1
name: {NAME}
description: tiny OpenVLA-style reaching policy for franka_panda in the built-in simulator (reach the <colour> cube)
model:
  type: autoregressive
  prefill: prefill.onnx
  decode: decode.onnx
cameras:
  - name: primary
    tensor: pixel_values
    width: {IMAGE_SIZE}
    height: {IMAGE_SIZE}
    color: rgb
    geometry: {{ mode: resize, interpolation: bilinear }}
    layout: nchw
    dtype: float32
    normalize: {{ scale: {1 / 255.0!r}, mean: {yaml_list(MEAN)}, std: {yaml_list(STD)} }}
prompt:
  tokenizer: tokenizer.json
  template: "{{instruction}}"
  lowercase_instruction: true
  bos_token: "<s>"
state:
  tensor: state
  source: position
  dims: 8
  normalization:
    type: quantile
    stats: {{ file: dataset_statistics.json, path: {NAME}/proprio }}
action:
  space:
    names: {yaml_list(joint_names)}
    kind: delta
    # Each step is an offset from the joint positions the policy observed (not from the previous step).
    delta_convention: relative_to_observation
    frame: joint
    bounds:
      lower: {yaml_list(lower)}
      upper: {yaml_list(upper)}
  decoder:
    type: uniform_bins
    vocab_size: {V}
    num_bins: {NUM_BINS}
  normalization:
    type: quantile
    stats: {{ file: dataset_statistics.json, path: {NAME}/action }}
  chunk: {{ horizon: {horizon}, steps_to_execute: {steps_to_execute}, step_dt_s: {step_dt} }}
"""

def golden_cases(trainer, model, V, count):
    """Held-out observations with an instruction naming the target or another cube, decoded in PyTorch."""
    d = trainer.data
    rng = np.random.default_rng(7)
    cases = []
    for idx in rng.choice(trainer.val_idx, size=min(len(trainer.val_idx), count * 4), replace=False):
        if len(cases) == count:
            break
        color = int(d.target[idx]) if len(cases) % 2 == 0 else int((d.target[idx] + 1) % 3)
        instruction = TEMPLATES[len(cases) % len(TEMPLATES)].format(color=COLORS[color])
        ids = prompt_ids(trainer.tok, instruction)
        pixels = torch.from_numpy(normalize_images(d.images[idx:idx + 1]))
        state = torch.from_numpy(trainer.state_n[idx:idx + 1])
        tokens, rows, margin = greedy(model, pixels, state, ids, d.horizon * ARM_DIMS, V)
        if margin < 2e-3:
            continue  # an unambiguous greedy choice at every step, so the runtime must agree exactly
        n, a = openvla_decode(tokens, V, trainer.q01, trainer.q99, np.ones(ARM_DIMS, bool))
        cases.append({"index": int(idx), "instruction": instruction, "image": d.images[idx],
                      "state": [float(v) for v in d.state[idx]], "input_ids": ids, "tokens": [int(t) for t in tokens],
                      "min_margin": margin, "logits": [[float("%.7g" % v) for v in r] for r in rows],
                      "normalized": n.tolist(), "actions": a.tolist(),
                      "expert": d.deltas[idx, color].tolist()})
    return cases


def training_md(data, layout, summary, log, args):
    final = summary["final"]
    last_train = [r for r in log if "ce" in r][-1]
    sources = ", ".join(os.path.relpath(d, ROOT) if d.startswith(ROOT) else d for d in args.data)
    expert = layout.get("expert", {})
    return f"""# reach_demo: how it was trained

Made by `tools/train_demo_policy.py` (Debian's python3-torch {torch.__version__}, CPU, {args.threads} threads).

## Data

- `vla-bridge record-demos` in the built-in simulator (franka_panda, 96x96 rgb8 camera), folders: {sources}
- {summary["episodes"]} episodes (scene seed {layout.get("seed")} for the first folder), {summary["samples"]} labelled
  observations (one every 0.1 s of each episode; {data.dropped_after_success} recorded after the tool had reached the
  goal were left out).
- Expert chunks: {expert.get("horizon")} waypoints {expert.get("step_dt_s")} s apart, {expert.get("steps_to_execute")} executed;
  DART noise on the executed chunks: {layout.get("perturbation")}.
- Every observation carries the expert's chunk toward each of the three cubes; training pairs it with an
  instruction naming the true target ({args.true_target_share:.0%}) or one of the other two cubes.
- Held out for validation: {args.val_fraction:.0%} of the episodes.

## Model

- {summary["parameters"]} parameters: 4-stage convolutional patch encoder (96x96 -> 6x6 tokens), state MLP, token
  embeddings (vocab {summary["vocab_size"]}: a SentencePiece-style BPE of the instruction words with byte fallback,
  then 256 action tokens), 3 transformer blocks (d 96, 4 heads, MLP 256, rotary positions), action head over the
  256 bin tokens.
- Sequence: `<s>`, 36 patch tokens, the state token, the instruction tokens, then 28 action tokens
  (4 steps x 7 joint deltas), generated greedily with the KV cache.
- Actions: joint deltas relative to the observed joint positions, quantile-normalized per joint (q01/q99 of the
  data, dataset_statistics.json), 256 uniform bins, OpenVLA's token mapping.

## Training

- {summary["steps"]} steps of batch {args.batch} ({summary["steps"] * args.batch} samples), AdamW lr {args.lr} with
  {args.warmup} warm-up steps and cosine decay, Gaussian-smoothed bin targets (sigma {args.label_sigma} bin), auxiliary
  cube-position losses (weight {args.aux_weight}).
- Wall time: {summary["minutes"]} min.
- Last training batch: cross-entropy {last_train["ce"]:.3f}, token accuracy {last_train["token_acc"]:.3f},
  within 2 bins {last_train["within_2_bins"]:.3f}.
- Validation (held-out episodes): cross-entropy {final["val_ce"]:.3f}, token accuracy {final["val_token_acc"]:.3f},
  within 2 bins {final["val_within_2_bins"]:.3f}, cube position error (normalized MSE) {final["val_aux_cubes"]:.4f}.
"""


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", nargs="+", required=True, help="record-demos output folder(s)")
    p.add_argument("--out", default=os.path.join(ROOT, "policies", NAME))
    p.add_argument("--golden-out", default=os.path.join(ROOT, "test", "fixtures", "demo"))
    p.add_argument("--steps", type=int, default=6000)
    p.add_argument("--minutes", type=float, default=0, help="stop after this much training time (0: --steps only)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--label-sigma", type=float, default=1.0)
    p.add_argument("--aux-weight", type=float, default=1.0)
    p.add_argument("--true-target-share", type=float, default=0.5)
    p.add_argument("--val-fraction", type=float, default=0.05)
    p.add_argument("--steps-to-execute", type=int, help="chunk steps executed (default: as the expert recorded)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--init", help="start from this checkpoint (.pt) instead of random weights")
    p.add_argument("--stats", help="dataset_statistics.json to keep (with --init: the statistics the checkpoint was "
                                   "trained with, so its bins keep their meaning)")
    p.add_argument("--checkpoint", default="/tmp/reach_demo_checkpoint.pt", help="weights saved here during and after training")
    p.add_argument("--checkpoint-every", type=int, default=250)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(os.path.dirname(os.path.abspath(args.checkpoint)), exist_ok=True)

    data = Demos(args.data)
    layout = data.layout
    print(f"{data.n} samples from {data.episodes} episodes ({data.dropped_after_success} after success left out), "
          f"horizon {data.horizon}", flush=True)
    tok = LlamaLikeTokenizer([SPIECE + w for w in PROMPT_WORDS] + ["Out"], vocab_size=None)
    tok = LlamaLikeTokenizer([SPIECE + w for w in PROMPT_WORDS] + ["Out"], vocab_size=len(tok.vocab) + NUM_BINS)
    V = len(tok.vocab)
    state_names = layout["state"]["names"]
    state_mask = [True] * ARM_DIMS + [False] * (len(state_names) - ARM_DIMS)  # the finger is constant: raw
    stats = {"action": quantile_stats(data.deltas), "proprio": quantile_stats(data.state, state_mask)}
    if args.stats:
        with open(args.stats) as f:
            stats = json.load(f)[NAME]

    trainer = Trainer(data, tok, stats, args)
    model = DemoVla(V, len(state_names))
    if args.init:
        model.load_state_dict(torch.load(args.init))
    params = sum(p.numel() for n, p in model.named_parameters() if not n.startswith("aux_"))
    print(f"vocab {V}, {params} parameters (without the auxiliary heads)", flush=True)
    log, steps, seconds = trainer.train(model)
    torch.save(model.state_dict(), args.checkpoint)
    model.eval()

    folder = args.out
    if os.path.isdir(folder):
        for f in os.listdir(folder):
            if f.endswith((".onnx", ".json", ".yaml")):
                os.remove(os.path.join(folder, f))
    os.makedirs(folder, exist_ok=True)
    joint_names = layout["action"]["names"][:ARM_DIMS]
    q01, q99 = np.array(stats["action"]["q01"]), np.array(stats["action"]["q99"])
    reach = np.maximum(np.abs(q01), np.abs(q99)) + 0.1
    bounds = ([float(-round(r, 2)) for r in reach], [float(round(r, 2)) for r in reach])
    first = trainer.val_idx[0]
    sample = (torch.from_numpy(normalize_images(data.images[first:first + 1])),
              torch.from_numpy(trainer.state_n[first:first + 1]),
              prompt_ids(tok, TEMPLATES[0].format(color=COLORS[int(data.target[first])])))
    export_onnx(model, folder, sample)
    write_json(os.path.join(folder, "tokenizer.json"), tok.to_json())
    write_json(os.path.join(folder, "dataset_statistics.json"), {NAME: stats})
    note = (f"Trained on {data.n} observations from {data.episodes} scripted episodes, {steps} steps "
            f"({seconds / 60:.1f} min on CPU).")
    write_text(os.path.join(folder, "manifest.yaml"),
               manifest_text(V, bounds, data.horizon, args.steps_to_execute or layout["expert"]["steps_to_execute"],
                             layout["action"]["step_dt_s"],
                             joint_names, note))

    cases = golden_cases(trainer, model, V, 4)
    os.makedirs(args.golden_out, exist_ok=True)
    golden = []
    for i, c in enumerate(cases):
        png = f"{NAME}_golden_{i}.png"
        write_png(os.path.join(args.golden_out, png), c.pop("image"))
        golden.append({"png": png, **c})
    write_json(os.path.join(args.golden_out, f"{NAME}_golden.json"),
               {"policy": NAME, "vocab_size": V, "logits_range": [V - NUM_BINS, V], "cases": golden}, compact=True)
    summary = {"samples": int(data.n), "episodes": int(data.episodes), "steps": steps, "minutes": round(seconds / 60, 1),
               "batch": args.batch, "parameters": params, "vocab_size": V, "final": log[-1],
               "args": {k: v for k, v in vars(args).items()}}
    write_json(os.path.join(args.golden_out, f"{NAME}_training_log.json"), {"summary": summary, "log": log})
    write_text(os.path.join(folder, "TRAINING.md"), training_md(data, layout, summary, log, args))
    print(json.dumps(summary), flush=True)
    check = subprocess.run(["npx", "--no-install", "tsx", os.path.join(ROOT, "tools", "check_demo_export.ts"), folder,
                            os.path.join(args.golden_out, f"{NAME}_golden.json")], cwd=ROOT)
    if check.returncode != 0:
        raise SystemExit("the exported ONNX model does not reproduce the PyTorch logits")
    sizes = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    print(f"exported {folder}: {sizes / 1e6:.2f} MB", flush=True)


if __name__ == "__main__":
    main()
