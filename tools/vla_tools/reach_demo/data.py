"""The reaching task's demonstrations as training data: record-demos datasets (LeRobot v3.0), prompts, normalization."""

import json
import os

import numpy as np

from vla_tools.lerobot import LeRobotDataset


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
