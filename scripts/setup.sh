#!/usr/bin/env bash
# Sets vla_bridge up on a fresh Debian 12 / Ubuntu 22.04+ machine and runs the main job:
# system packages (apt), npm dependencies (npm ci, with the environment native modules need), the build,
# then the built-in demo (`npm start`). Pass --no-run to stop after the build.
set -euo pipefail
cd "$(dirname "$0")/.."

run_demo=1
for arg in "$@"; do
  case "$arg" in
    --no-run) run_demo=0 ;;
    *) echo "setup.sh: unknown argument $arg (use --no-run to skip the demo)" >&2; exit 2 ;;
  esac
done

# OpenCV headers and libraries for @u4/opencv4nodejs; a C++ toolchain and Python for node-gyp (opencv4nodejs,
# better-sqlite3); python3 also byte-compiles the ROS launch files in the tests; chromium renders the
# evaluation report in a test; python3-websockets, -msgpack and -numpy run the independent openpi-protocol peer
# server and client of the served-policy tests (test/peers); ffmpeg (with libsvtav1 and libx264) encodes the videos
# of LeRobot datasets (export-lerobot, record-demos) and its ffprobe checks them; python3-numpy also reads those
# datasets in tools/.
APT_PACKAGES=(libopencv-dev build-essential pkg-config python3 chromium python3-websockets python3-msgpack python3-numpy ffmpeg)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found $(node --version 2>/dev/null || echo none))" >&2
  exit 2
fi

# onnxruntime-node ships its CPU binaries; its optional CUDA download cannot work offline.
export ONNXRUNTIME_NODE_INSTALL=skip
# Build @u4/opencv4nodejs against the system OpenCV instead of downloading and compiling OpenCV itself.
export OPENCV4NODEJS_DISABLE_AUTOBUILD=1
export OPENCV_INCLUDE_DIR=/usr/include/opencv4
export OPENCV_LIB_DIR="/usr/lib/$(gcc -dumpmachine)"
export OPENCV_BIN_DIR=/usr/bin
export JOBS=max
# better-sqlite3: compile against Node's headers rather than fetching a prebuilt binary.
export npm_config_build_from_source=true

npm ci --no-audit --no-fund
npm run build

# rclnodejs is an optional dependency: when its native build fails, npm still says "up to date" and exits 0.
# With ROS 2 sourced, check that it loads, and say what to do when it does not.
if [ -n "${ROS_DISTRO:-}" ]; then
  if ! node -e '
    const { loadRclnodejs } = require("./dist/ros/rclnodejs/loadRclnodejs");
    try {
      loadRclnodejs();
    } catch (err) {
      console.error(`setup: ${err.message}${err.hint ? `\n  -> ${err.hint}` : ""}`);
      process.exit(2);
    }'; then
    echo "setup: ROS 2 $ROS_DISTRO is sourced but the ROS node cannot run (see above); the rest of vla_bridge is installed" >&2
    exit 2
  fi
  echo "setup: rclnodejs loads for ROS 2 $ROS_DISTRO (the ROS node can run: docs/ROS.md)" >&2
fi

if [ "$run_demo" -eq 1 ]; then
  npm start
fi
