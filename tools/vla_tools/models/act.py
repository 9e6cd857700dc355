"""tiny_act: a continuous ACT-style chunk head with gaussian normalization and external weights."""

import os

import numpy as np
import torch
import torch.nn as nn

from vla_tools.paths import IMAGENET_MEAN, IMAGENET_STD
from vla_tools.files import area_downscale_2x, f32list, f64list, normalize_image, rows, write_json, write_text
from vla_tools.tinylm import Block, export
from vla_tools.actions import gripper_to_unit
from vla_tools.manifest import camera_yaml, fresh_folder, golden_images, yaml_list
from vla_tools.models.openvla import PatchVision


class ActLike(nn.Module):
    def __init__(self, horizon, dims, state_dim):
        super().__init__()
        self.horizon, self.dims = horizon, dims
        d = 64
        self.top = PatchVision(d, patch=16)
        self.wrist = PatchVision(d, patch=16)
        self.state = nn.Linear(state_dim, d)
        self.blocks = nn.ModuleList([Block(d, 4, 128) for _ in range(2)])
        self.queries = nn.Parameter(torch.randn(1, horizon, d) * 0.5)
        self.out = nn.Linear(d, dims)

    def forward(self, top, wrist, state):
        w = wrist.permute(0, 3, 1, 2).float() / 255.0  # uint8 NHWC in, as the manifest says
        x = torch.cat([self.top(top), self.wrist(w), self.state(state)[:, None], self.queries], dim=1)
        h = x
        positions = torch.arange(x.shape[1])
        for blk in self.blocks:  # bidirectional: no mask
            h, _, _ = blk(h, torch.zeros(()), positions)
        actions = self.out(h[:, -self.horizon:])
        # A model that reads an impossible state answers NaN (state more than 50 sigma out): the runtime must
        # refuse such an output, and the tests use this to check that it does.
        return actions + 0.0 * torch.sqrt(state[:, :1, None] + 50.0)


def export_act(cases_spec):
    name = "tiny_act"
    folder = fresh_folder(name)
    horizon, dims = 10, 8
    torch.manual_seed(11)
    m = ActLike(horizon, dims, 8).eval()
    a_mean = np.array([0.0, -0.3, 0.0, -2.2, 0.0, 2.0, 0.8, 0.5])
    a_std = np.array([0.4, 0.5, 0.4, 0.5, 0.3, 0.4, 0.5, 0.45])
    s_mean, s_std = a_mean.copy(), a_std * 1.1
    stats = {
        "action": {"mean": f64list(a_mean), "std": f64list(a_std), "min": f64list(a_mean - 4 * a_std),
                   "max": f64list(a_mean + 4 * a_std)},
        "observation.state": {"mean": f64list(s_mean), "std": f64list(s_std), "min": f64list(s_mean - 4 * s_std),
                              "max": f64list(s_mean + 4 * s_std)},
    }

    def inputs(spec):
        top = torch.from_numpy(normalize_image(spec["top"], IMAGENET_MEAN, IMAGENET_STD))
        wrist = torch.from_numpy(area_downscale_2x(spec["wrist"])[None].copy())
        st = (np.asarray(spec["state"]) - s_mean) / s_std
        return top, wrist, torch.tensor(st[None], dtype=torch.float32)

    top, wrist, st = inputs(cases_spec[0])
    export(m, (top, wrist, st), os.path.join(folder, "model.onnx"),
           ["observation.images.top", "observation.images.wrist", "observation.state"], ["actions"], {},
           external_data=True)
    write_json(os.path.join(folder, "stats.json"), stats)
    cases = []
    with torch.no_grad():
        for i, spec in enumerate(cases_spec):
            out = m(*inputs(spec))[0].numpy().astype(np.float64)
            a = out * a_std + a_mean
            cases.append({
                "name": spec["name"], "instruction": "",
                # top is at model size; wrist is 96x96 and halves exactly to 48x48.
                "images": golden_images(folder, i, {"top": spec["top"], "wrist": spec["wrist"]}),
                "state": f64list(spec["state"]), "input_ids": [],
                "raw_output": f32list(out), "normalized": rows(out), "unnormalized": rows(a),
                "actions": rows(gripper_to_unit(a, 7, 0.0, 1.0)),
            })
    write_json(os.path.join(folder, "golden.json"), {"policy": name, "cases": cases}, compact=True)
    lower = [-3.0, -2.0, -3.0, -3.2, -3.0, 0.0, -3.0, 0.0]
    upper = [3.0, 2.0, 3.0, 0.0, 3.0, 4.0, 3.0, 1.0]
    write_text(os.path.join(folder, "manifest.yaml"), f"""# ACT-style continuous chunk head: two cameras (float32 NCHW, and uint8 NHWC), an 8-D joint state, gaussian
# normalization in LeRobot's stats.json layout, weights in model.onnx.data. Made by tools/export_test_models.py.
format: vla_bridge.policy/1
name: {name}
model:
  type: single_pass
  file: model.onnx
cameras:
{camera_yaml("top", "observation.images.top", 64, "resize", mean=IMAGENET_MEAN, std=IMAGENET_STD)}{camera_yaml("wrist", "observation.images.wrist", 48, "resize", layout="nhwc", dtype="uint8")}state:
  tensor: observation.state
  source: position
  dims: 8
  normalization:
    type: gaussian
    stats: {{ file: stats.json, path: observation.state }}
    mask: {yaml_list([True] * 8)}
action:
  space:
    names: [joint1, joint2, joint3, joint4, joint5, joint6, joint7, gripper]
    kind: absolute
    frame: joint
    bounds:
      lower: {yaml_list(lower)}
      upper: {yaml_list(upper)}
    gripper: {{ dimension: gripper, range: [0.0, 1.0], convention: open_is_1 }}
  decoder:
    type: continuous
    output: actions
  normalization:
    type: gaussian
    stats: {{ file: stats.json, path: action }}
    mask: {yaml_list([True] * 8)}
  chunk: {{ horizon: {horizon}, steps_to_execute: 5, step_dt_s: 0.02 }}
""")
