"""tiny_openvla: OpenVLA-style uniform bins, KV-cache prefill.onnx + decode.onnx."""

import os

import numpy as np
import torch
import torch.nn as nn

from vla_tools.paths import IMAGENET_MEAN, IMAGENET_STD, SPIECE
from vla_tools.files import logits_over, normalize_image, rows, write_json, write_text
from vla_tools.tinylm import TinyLM, export, kv_axes, kv_names, pairs, restricted_argmax
from vla_tools.actions import gripper_to_unit, openvla_decode
from vla_tools.manifest import BRIDGE_LOWER, BRIDGE_UPPER, MIN_MARGIN, camera_yaml, ee_space_yaml, first_seed, fresh_folder, golden_images, quantile_yaml


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
