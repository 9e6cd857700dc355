"""Where the tools write, and constants every model shares."""

import os


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "policies")
OXE_STATS = os.path.join(ROOT, "test", "fixtures", "normalization", "openvla_oxe_dataset_statistics.json")
OPSET = 17
SPIECE = "\u2581"

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
