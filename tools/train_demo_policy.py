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
import torch.nn.functional as F

from vla_tools.actions import openvla_encode
from vla_tools.files import write_json, write_png, write_text
from vla_tools.paths import SPIECE
from vla_tools.reach_demo.data import ARM_DIMS, COLORS, Demos, NAME, NUM_BINS, PROMPT_WORDS, TEMPLATES, normalize_images, normalize_state, prompt_ids, quantile_stats
from vla_tools.reach_demo.export import export_onnx, golden_cases
from vla_tools.reach_demo.manifest import manifest_text
from vla_tools.reach_demo.model import DemoVla, causal_bias
from vla_tools.tokenizers import LlamaLikeTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
