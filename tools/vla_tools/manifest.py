"""Hand-written manifest.yaml pieces, and the helpers every test model uses for its folder and goldens."""

import json
import os
import shutil

import numpy as np

from vla_tools.paths import OUT, OXE_STATS, SPIECE
from vla_tools.files import write_png


def yaml_list(values):
    return "[" + ", ".join(yaml_scalar(v) for v in values) + "]"


def yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, float):
        return repr(float(v))
    return json.dumps(v, ensure_ascii=False)


def camera_yaml(name, tensor, size, geometry, layout="nchw", dtype="float32", color="rgb", mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)):
    """One entry of a manifest's cameras list."""
    text = (f"  - name: {name}\n    tensor: {tensor}\n    width: {size}\n    height: {size}\n    color: {color}\n"
            f"    geometry: {{ mode: {geometry}, interpolation: bilinear }}\n    layout: {layout}\n    dtype: {dtype}\n")
    if dtype == "float32":
        text += f"    normalize: {{ scale: {1 / 255.0!r}, mean: {yaml_list(mean)}, std: {yaml_list(std)} }}\n"
    return text


def ee_space_yaml(delta_convention, lower, upper):
    """The 7-D end-effector delta action space of Bridge / RT-1 data (xyz, rpy, gripper 0..1 open)."""
    return (f"  space:\n    names: [x, y, z, roll, pitch, yaw, gripper]\n    kind: delta\n"
            f"    delta_convention: {delta_convention}\n    frame: end_effector\n    bounds:\n"
            f"      lower: {yaml_list(lower)}\n      upper: {yaml_list(upper)}\n"
            f"    gripper: {{ dimension: gripper, range: [0.0, 1.0], convention: open_is_1 }}\n")


def quantile_yaml(indent, path, file="dataset_statistics.json"):
    pad = " " * indent
    return f"{pad}normalization:\n{pad}  type: quantile\n{pad}  stats: {{ file: {file}, path: {path} }}\n"


BRIDGE_LOWER = [-0.1, -0.1, -0.1, -0.5, -0.5, -0.5, 0.0]
BRIDGE_UPPER = [0.1, 0.1, 0.1, 0.5, 0.5, 0.5, 1.0]


INSTRUCTION_WORDS = [
    SPIECE + w
    for w in ["In", "What", "action", "should", "the", "robot", "take", "to", "pick", "up", "put", "place", "red",
              "blue", "green", "cup", "block", "bowl", "on", "in", "open", "close", "drawer", "move", "left",
              "right", "Task", "Action", "and", "a"]
] + ["Out", "Task", "Action"]


def golden_images(folder, case, frames):
    """Writes each camera frame as PNG; returns the golden's image table."""
    out = {}
    for cam, img in frames.items():
        name = f"golden_{case}_{cam}.png"
        write_png(os.path.join(folder, name), img)
        out[cam] = {"png": name, "width": int(img.shape[1]), "height": int(img.shape[0]), "encoding": "rgb8"}
    return out


def fresh_folder(name):
    folder = os.path.join(OUT, name)
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    return folder


def load_oxe():
    with open(OXE_STATS) as f:
        return json.load(f)


def first_seed(make, check, seeds=range(100)):
    """Builds with successive seeds until check() accepts (greedy margins large enough to be unambiguous)."""
    import torch  # here, so that the manifest helpers need only numpy

    for seed in seeds:
        torch.manual_seed(seed)
        built = make()
        if check(built):
            return built
    raise RuntimeError("no seed gave unambiguous greedy choices")


MIN_MARGIN = 2e-3
