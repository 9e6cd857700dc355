"""The OpenVLA bin table of the real bridge_orig statistics (a fixture of the decoder tests)."""

import os

import numpy as np

from vla_tools.paths import OXE_STATS
from vla_tools.files import f64list, rows, write_json
from vla_tools.actions import openvla_decode, openvla_encode


def export_bridge_decode_table(oxe):
    """Every bin token decoded with the real bridge_orig statistics, and sample actions encoded (numpy)."""
    stats = oxe["bridge_orig"]["action"]
    q01, q99, mask = np.array(stats["q01"]), np.array(stats["q99"]), np.array(stats["mask"])
    vocab_size = 32000
    tokens = np.arange(vocab_size - 256, vocab_size)
    table = []
    for t in tokens:
        n, a = openvla_decode([int(t)] * 7, vocab_size, q01, q99, mask)
        table.append({"token": int(t), "normalized": float(n[0, 0]), "actions": f64list(a[0])})
    rng = np.random.default_rng(5)
    samples = rng.uniform(q01 - 0.01, q99 + 0.01, (16, 7))
    samples[:, 6] = rng.choice([0.0, 1.0], 16)
    samples[0] = q01
    samples[1] = q99
    encoded = openvla_encode(samples, vocab_size, q01, q99, mask)
    write_json(os.path.join(os.path.dirname(OXE_STATS), "bridge_orig_openvla_bins.json"), {
        "about": "OpenVLA bin decoding (DESIGN 6) of every action token with the real bridge_orig statistics, and "
                 "sample actions encoded; computed with numpy by tools/export_test_models.py",
        "dataset": "bridge_orig", "vocab_size": vocab_size, "decode": table,
        "encode": {"actions": rows(samples), "tokens": [[int(x) for x in r] for r in encoded]},
    }, compact=True)
