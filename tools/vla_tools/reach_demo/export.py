"""Greedy decoding, the ONNX export (prefill + decode, optimum convention) and the goldens."""

import os

import numpy as np
import torch

from vla_tools.actions import openvla_decode
from vla_tools.paths import OPSET
from vla_tools.tinylm import kv_axes, kv_names, restricted_argmax
from vla_tools.reach_demo.data import ARM_DIMS, COLORS, NUM_BINS, TEMPLATES, normalize_images, prompt_ids
from vla_tools.reach_demo.model import Decode, Prefill


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
