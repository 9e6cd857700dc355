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

The models and their helpers live in the vla_tools package beside this script (one module per model).
"""

import os

from vla_tools.files import resize_with_pad_2x, scene
from vla_tools.manifest import INSTRUCTION_WORDS, load_oxe
from vla_tools.models.act import export_act
from vla_tools.models.bridge_table import export_bridge_decode_table
from vla_tools.models.fast import export_fast
from vla_tools.models.oft import export_oft
from vla_tools.models.openvla import export_openvla
from vla_tools.models.rt2 import export_rt2
from vla_tools.paths import OUT
from vla_tools.tokenizers import LlamaLikeTokenizer


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
