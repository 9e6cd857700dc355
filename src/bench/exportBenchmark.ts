import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { McapRecorder } from '../bag/McapRecorder';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { exportLerobot } from '../export/exportLerobot';
import { VideoEncoder } from '../export/VideoEncoder';
import { DEFAULT_INSTRUCTION_TOPIC } from '../outputs/nodeTopics';
import { benchTempDir } from './benchTempDir';
import type { Benchmark, BenchFigure } from './BenchFigure';
import { median, percentile } from '../stats/orderStatistics';

const WIDTH_PX = 640;
const HEIGHT_PX = 480;
const CAMERA_HZ = 30;
const JOINT_HZ = 100;

/** A moving colour gradient, so the encoder has real work (a flat frame compresses to nothing). */
function pixels(frame: number): Uint8Array {
  const rgb = new Uint8Array(WIDTH_PX * HEIGHT_PX * 3);
  for (let y = 0, i = 0; y < HEIGHT_PX; y++) {
    for (let x = 0; x < WIDTH_PX; x++, i += 3) {
      rgb[i] = (x + frame * 4) & 255;
      rgb[i + 1] = (y + frame * 2) & 255;
      rgb[i + 2] = ((x ^ y) + frame) & 255;
    }
  }
  return rgb;
}

/** A franka_panda teleoperation bag: 640x480 rgb8 camera at 30 Hz, joint states and commands at 100 Hz, one instruction. */
async function writeBag(file: string, seconds: number): Promise<Uint8Array[]> {
  const joints = loadEmbodiment('franka_panda').commandJointNames;
  const stamp = (ns: bigint) => ({ sec: Number(ns / 1_000_000_000n), nanosec: Number(ns % 1_000_000_000n) });
  const messages: { topic: string; type: string; tNs: bigint; message: unknown }[] = [
    { topic: DEFAULT_INSTRUCTION_TOPIC, type: 'std_msgs/msg/String', tNs: 0n, message: { data: 'pick up the red cube' } },
  ];
  for (let k = 0; k < seconds * JOINT_HZ; k++) {
    const tNs = BigInt(k) * 10_000_000n;
    const header = { stamp: stamp(tNs), frame_id: '' };
    const q = joints.map((_, j) => 0.1 * Math.sin(k / 50 + j));
    const empty = new Float64Array(0);
    messages.push({
      topic: '/joint_states',
      type: 'sensor_msgs/msg/JointState',
      tNs,
      message: { header, name: [...joints], position: Float64Array.from(q), velocity: empty, effort: empty },
    });
    const point = {
      positions: Float64Array.from(q.slice(0, 7)),
      velocities: empty,
      accelerations: empty,
      effort: empty,
      time_from_start: { sec: 0, nanosec: 10_000_000 },
    };
    messages.push({
      topic: '/panda_arm_controller/joint_trajectory',
      type: 'trajectory_msgs/msg/JointTrajectory',
      tNs,
      message: { header, joint_names: joints.slice(0, 7), points: [point] },
    });
    messages.push({
      topic: '/gripper_controller/commands',
      type: 'std_msgs/msg/Float64MultiArray',
      tNs,
      message: { layout: { dim: [], data_offset: 0 }, data: Float64Array.of(0.04) },
    });
  }
  const frames: Uint8Array[] = [];
  for (let f = 0; f < seconds * CAMERA_HZ; f++) {
    const tNs = BigInt(Math.round((f * 1e9) / CAMERA_HZ));
    const rgb = pixels(f);
    frames.push(rgb);
    const image = {
      header: { stamp: stamp(tNs), frame_id: 'camera' },
      height: HEIGHT_PX,
      width: WIDTH_PX,
      encoding: 'rgb8',
      is_bigendian: 0,
      step: WIDTH_PX * 3,
      data: rgb,
    };
    messages.push({ topic: '/camera/color/image_raw', type: 'sensor_msgs/msg/Image', tNs, message: image });
  }
  messages.sort((a, b) => (a.tNs < b.tNs ? -1 : a.tNs > b.tNs ? 1 : 0));
  const recorder = await McapRecorder.open(file);
  for (const m of messages) void recorder.write(m.topic, m.type, m.tNs, m.message);
  await recorder.close();
  return frames;
}

/** ffmpeg alone encoding the same raw frames to the same codec and settings, s. */
async function ffmpegAloneS(frames: readonly Uint8Array[], file: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const encoder = new VideoEncoder({ file, widthPx: WIDTH_PX, heightPx: HEIGHT_PX, fps: CAMERA_HZ, codec: 'av1' });
  for (const f of frames) await encoder.write(f);
  await encoder.close();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * `export.frames_per_s`: dataset frames written per wall second by `vla-bridge export-lerobot` (bag read and
 * decoded, observation assembly, parquet, AV1 video through ffmpeg) for one 640x480 camera at 30 fps, against
 * ffmpeg alone encoding the same raw frames with the same settings, in the same run.
 */
export const exportBenchmark: Benchmark = {
  name: 'export',
  async run({ quick }): Promise<BenchFigure[]> {
    const dir = benchTempDir('vla-bridge-bench-export-');
    try {
      const seconds = quick ? 1 : 5;
      const bag = join(dir, 'teleop');
      const frames = await writeBag(bag, seconds);
      const embodiment = loadEmbodiment('franka_panda');
      const runs = quick ? 1 : 3;
      const exportFps: number[] = [];
      const aloneFps: number[] = [];
      let written = 0;
      for (let r = -1; r < runs; r++) {
        const t0 = process.hrtime.bigint();
        const outDir = join(dir, `ds${r}`);
        const result = await exportLerobot({
          bagPath: bag,
          embodiment,
          outDir,
          fps: CAMERA_HZ,
          instructionTopic: DEFAULT_INSTRUCTION_TOPIC,
          codec: 'av1',
        });
        const exportS = Number(process.hrtime.bigint() - t0) / 1e9;
        const aloneS = await ffmpegAloneS(frames.slice(0, result.frames), join(dir, `alone${r}.mp4`));
        written = result.frames;
        if (r < 0) continue; // warm-up
        exportFps.push(result.frames / exportS);
        aloneFps.push(result.frames / aloneS);
      }
      return [
        {
          name: 'export.frames_per_s',
          median: median(exportFps),
          p99: percentile(exportFps, 1),
          unit: 'frames/s',
          baseline: 'ffmpeg alone (libsvtav1, same settings) encoding the same raw 640x480 frames piped from memory',
          ratio: median(exportFps) / median(aloneFps),
          method:
            `a ${seconds} s franka_panda bag (rgb8 640x480 camera at 30 Hz, joint states and ` +
            `trajectory commands at 100 Hz) exported at 30 fps with AV1 video; frames per wall ` +
            `second of the whole export, median of ${runs} runs after a warm-up; p99 is the rate ` +
            `99% of runs beat; ratio = export rate / ffmpeg-alone rate`,
          extra: { frames: written, ffmpeg_alone_frames_per_s: median(aloneFps) },
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
