"""tiny_rt2: RT-2-style integer-string actions, one model.onnx for prefill and decode."""

import os

import numpy as np
import torch
import torch.nn as nn

from vla_tools.paths import SPIECE
from vla_tools.files import logits_over, normalize_image, rows, write_json, write_text
from vla_tools.tinylm import TinyLM, export, kv_axes, kv_names, pairs, restricted_argmax
from vla_tools.actions import gripper_to_unit, quantile_unnormalize
from vla_tools.manifest import MIN_MARGIN, camera_yaml, ee_space_yaml, first_seed, fresh_folder, golden_images, quantile_yaml
from vla_tools.models.openvla import PatchVision


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
