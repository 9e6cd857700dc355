"""Tools that make the test and demo policies (Debian's python3, torch and onnx; never needed at run time).

One module per concern: paths, files (PNG/JSON writers, scenes), tokenizers, tinylm (the shared tiny
transformer and ONNX export), actions (bin/DCT math), manifest (YAML pieces, fixture helpers), lerobot (reading
LeRobot v3.0 datasets), and one module per test model under models/. The scripts in tools/ are the entry points.
"""
