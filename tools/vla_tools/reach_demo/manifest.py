"""The demo policy's manifest.yaml (numpy only, no torch: tests generate it and compare it with the shipped one)."""

from vla_tools.manifest import yaml_list
from vla_tools.reach_demo.data import IMAGE_SIZE, MEAN, NAME, NUM_BINS, STD


# What clients of policies/openpi_sim_panda expect back: (10, 8) absolute targets, 0.1 s apart.
SERVED_HORIZON = 10
SERVED_STEP_DT_S = 0.1


def manifest_text(V, bounds, horizon, steps_to_execute, step_dt, joint_names, training_note):
    """The policy's manifest.yaml, with the `serve:` section `vla-bridge serve` reads to present the model to
    clients of policies/openpi_sim_panda. `training_note` may span several lines (each becomes a comment line)."""
    lower, upper = bounds
    note = "\n# ".join(training_note.splitlines())
    return f"""# The demo policy: a tiny tokenized VLA trained in the built-in simulator to reach the cube named in the
# instruction ("reach the blue cube"; the other two cubes are distractors). OpenVLA-style: a 96x96 camera image,
# the joint state and the instruction in; {horizon} steps x 7 joint deltas out as uniform-bin action tokens
# (256 bins over the last 256 ids of the tokenizer vocab), quantile-unnormalized with the data's q01/q99.
# {note}
# Made by tools/train_demo_policy.py; see TRAINING.md.
format: vla_bridge.policy/1
name: {NAME}
description: tiny OpenVLA-style reaching policy for franka_panda in the built-in simulator (reach the <colour> cube)
model:
  type: autoregressive
  prefill: prefill.onnx
  decode: decode.onnx
cameras:
  - name: primary
    tensor: pixel_values
    width: {IMAGE_SIZE}
    height: {IMAGE_SIZE}
    color: rgb
    geometry: {{ mode: resize, interpolation: bilinear }}
    layout: nchw
    dtype: float32
    normalize: {{ scale: {1 / 255.0!r}, mean: {yaml_list(MEAN)}, std: {yaml_list(STD)} }}
prompt:
  tokenizer: tokenizer.json
  template: "{{instruction}}"
  lowercase_instruction: true
  bos_token: "<s>"
state:
  tensor: state
  source: position
  dims: 8
  normalization:
    type: quantile
    stats: {{ file: dataset_statistics.json, path: {NAME}/proprio }}
action:
  space:
    names: {yaml_list(joint_names)}
    kind: delta
    # Each step is an offset from the joint positions the policy observed (not from the previous step).
    delta_convention: relative_to_observation
    frame: joint
    bounds:
      lower: {yaml_list(lower)}
      upper: {yaml_list(upper)}
  decoder:
    type: uniform_bins
    vocab_size: {V}
    num_bins: {NUM_BINS}
  normalization:
    type: quantile
    stats: {{ file: dataset_statistics.json, path: {NAME}/action }}
  chunk: {{ horizon: {horizon}, steps_to_execute: {steps_to_execute}, step_dt_s: {step_dt} }}
# How `vla-bridge serve --policy policies/{NAME}` presents this model to clients of policies/openpi_sim_panda
# (openpi LIBERO-like keys), adapting as openpi's policy transforms do on its servers: the wire's gripper in
# [0, 1] becomes the finger joint position the model was trained on (0.04 m open), the deltas (relative to the
# observed joints) become absolute targets, the {horizon} waypoints {step_dt} s apart are resampled to {SERVED_HORIZON} steps {SERVED_STEP_DT_S} s apart
# (holding the last), and the gripper stays open (the reaching task never closes it; the model has no gripper
# output). Local runs (`sim --policy policies/{NAME}`) do not read this section.
serve:
  cameras:
    - {{ name: primary, key: observation/image }}
  state:
    key: observation/state
    gripper: {{ index: 7, open_position: 0.04, closed_position: 0.0 }}
  prompt_key: prompt
  actions:
    key: actions
    to_absolute: true
    resample: {{ horizon: {SERVED_HORIZON}, step_dt_s: {SERVED_STEP_DT_S} }}
    append_gripper: 1.0
"""
