"""Reading LeRobot v3.0 datasets (what `vla-bridge export-lerobot` and `record-demos` write) with numpy.

Parquet files are read by hyparquet through node (Debian 12 has no pyarrow; the package's node_modules has
hyparquet), videos decoded by ffmpeg to rgb24. Only the layout LeRobot documents is assumed: meta/info.json's path
templates, meta/episodes/*.parquet for the episodes, one row per frame, frame k of an episode at k / fps in its
video file from the episode's from_timestamp.
"""

import glob
import json
import os
import subprocess

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def read_parquet(path):
    """The rows of a parquet file as a list of dicts."""
    out = subprocess.run(["node", os.path.join(HERE, "parquet_to_json.mjs"), path], stdout=subprocess.PIPE, check=True)
    return json.loads(out.stdout)


def decode_video(path, width, height):
    """Every frame of a video as uint8 [N, height, width, 3] (rgb)."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
                         stdout=subprocess.PIPE, check=True)
    return np.frombuffer(out.stdout, np.uint8).reshape(-1, height, width, 3)


class LeRobotDataset:
    """A local LeRobot v3.0 dataset: info, tasks, episodes and the per-frame columns as numpy arrays."""

    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, "meta", "info.json")) as f:
            self.info = json.load(f)
        if self.info.get("codebase_version") != "v3.0":
            raise SystemExit(f"{root}: not a LeRobot v3.0 dataset (codebase_version {self.info.get('codebase_version')})")
        self.fps = self.info["fps"]
        self.features = self.info["features"]
        self.tasks = {int(r["task_index"]): r["task"] for r in read_parquet(os.path.join(root, "meta", "tasks.parquet"))}
        self.episodes = []
        for path in sorted(glob.glob(os.path.join(root, "meta", "episodes", "*", "*.parquet"))):
            self.episodes += read_parquet(path)
        self.episodes.sort(key=lambda e: e["episode_index"])
        rows = []
        for path in sorted(glob.glob(os.path.join(root, "data", "*", "*.parquet"))):
            rows += read_parquet(path)
        rows.sort(key=lambda r: r["index"])
        self.columns = {}
        for key, ft in self.features.items():
            if ft["dtype"] in ("video", "image"):
                continue
            dtype = np.float32 if ft["dtype"].startswith("float") else np.int64
            self.columns[key] = np.array([r[key] for r in rows], dtype)
        self.n = len(rows)
        if self.n != self.info["total_frames"]:
            raise SystemExit(f"{root}: {self.n} rows, info.json says {self.info['total_frames']}")

    def names(self, key):
        return self.features[key]["names"]

    def images(self, camera):
        """uint8 [N, H, W, 3]: each row's frame of `camera`, taken from the episodes' video files."""
        key = f"observation.images.{camera}"
        h, w, _ = self.features[key]["shape"]
        template = self.info["video_path"]
        out = np.zeros((self.n, h, w, 3), np.uint8)
        decoded = {}
        for e in self.episodes:
            chunk, file = e[f"videos/{key}/chunk_index"], e[f"videos/{key}/file_index"]
            if (chunk, file) not in decoded:
                path = template.format(video_key=key, chunk_index=chunk, file_index=file)
                decoded[(chunk, file)] = decode_video(os.path.join(self.root, path), w, h)
            first = int(round(e[f"videos/{key}/from_timestamp"] * self.fps))
            frames = decoded[(chunk, file)][first:first + e["length"]]
            if len(frames) != e["length"]:
                raise SystemExit(f"{self.root}: episode {e['episode_index']} has {e['length']} rows, its video {len(frames)} frames")
            out[e["dataset_from_index"]:e["dataset_to_index"]] = frames
        return out
