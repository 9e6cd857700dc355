"""tiny_oft: OpenVLA-OFT-style parallel decoding of a whole chunk of bin tokens."""

import os

import numpy as np
import torch
import torch.nn as nn

from vla_tools.files import logits_over, normalize_image, rows, write_json, write_text
from vla_tools.tinylm import TinyLM, export, restricted_argmax
from vla_tools.actions import gripper_to_unit, openvla_decode
from vla_tools.manifest import BRIDGE_LOWER, BRIDGE_UPPER, MIN_MARGIN, camera_yaml, ee_space_yaml, first_seed, fresh_folder, golden_images, quantile_yaml
from vla_tools.models.openvla import PatchVision


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
