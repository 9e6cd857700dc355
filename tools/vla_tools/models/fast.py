"""tiny_fast: pi0-FAST-style DCT + byte-level BPE action tokens, two cameras and a state input."""

import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from vla_tools.files import f64list, logits_over, normalize_image, rows, write_json, write_text
from vla_tools.tokenizers import ByteLevelBpe
from vla_tools.tinylm import TinyLM, export, kv_axes, kv_names, pairs, restricted_argmax
from vla_tools.actions import dct_matrix, gripper_to_unit, quantile_unnormalize
from vla_tools.manifest import MIN_MARGIN, camera_yaml, fresh_folder, golden_images, quantile_yaml
from vla_tools.models.openvla import KvDecode, PatchVision


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
