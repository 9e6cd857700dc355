"""Action tokenization math (OpenVLA bins, DCT, quantile and gripper conventions), in numpy."""

import math

import numpy as np


def openvla_decode(tokens, vocab_size, q01, q99, mask):
    bins = np.linspace(-1, 1, 256)
    centers = (bins[:-1] + bins[1:]) / 2.0
    k = np.clip(vocab_size - np.asarray(tokens) - 1, 0, centers.shape[0] - 1)
    n = centers[k]
    q01, q99, mask = np.asarray(q01), np.asarray(q99), np.asarray(mask)
    dims = q01.shape[0]
    n = n.reshape(-1, dims)
    a = np.where(mask, 0.5 * (n + 1) * (q99 - q01) + q01, n)
    return n, a


def openvla_encode(actions, vocab_size, q01, q99, mask):
    bins = np.linspace(-1, 1, 256)
    a = np.asarray(actions, dtype=np.float64)
    n = np.where(mask, np.clip(2 * (a - q01) / (q99 - q01 + 1e-8) - 1, -1, 1), np.clip(a, -1, 1))
    return (vocab_size - np.digitize(n, bins)).astype(np.int64)


def dct_matrix(n):
    """Orthonormal DCT-II matrix C (X = C @ x); its inverse is C.T."""
    c = np.zeros((n, n))
    for k in range(n):
        for i in range(n):
            c[k, i] = math.cos(math.pi * (i + 0.5) * k / n)
    c[0] *= math.sqrt(1.0 / n)
    c[1:] *= math.sqrt(2.0 / n)
    return c


def quantile_unnormalize(n, q01, q99, mask):
    return np.where(mask, 0.5 * (n + 1) * (np.asarray(q99) - np.asarray(q01)) + np.asarray(q01), n)


def gripper_to_unit(a, index, lo, hi):
    out = np.array(a, dtype=np.float64)
    out[:, index] = np.clip((out[:, index] - lo) / (hi - lo), 0.0, 1.0)
    return out
