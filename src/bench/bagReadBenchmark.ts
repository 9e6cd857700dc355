import { rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { FileHandleReadable } from '@mcap/nodejs';
import type { Benchmark, BenchFigure } from './BenchFigure';
import { median, percentile } from '../stats/orderStatistics';
import { BagReader } from '../bag/BagReader';
import { McapRecorder } from '../bag/McapRecorder';
import { loadDecompressHandlers, McapIndexedReader } from '../bag/mcapModules';
import { benchTempDir } from './benchTempDir';

const JOINTS = ['joint1', 'joint2', 'joint3', 'joint4', 'joint5', 'joint6', 'joint7'];
const PERIOD_NS = 10_000_000n;

async function writeJointStateBag(dir: string, count: number): Promise<string> {
  const recorder = await McapRecorder.open(join(dir, 'joint_states'));
  for (let i = 0; i < count; i++) {
    const t = BigInt(i) * PERIOD_NS;
    const position = Float64Array.from(JOINTS, (_, j) => Math.sin(i * 0.01 + j));
    void recorder.write('/joint_states', 'sensor_msgs/msg/JointState', t, {
      header: { stamp: { sec: Number(t / 1_000_000_000n), nanosec: Number(t % 1_000_000_000n) }, frame_id: '' },
      name: JOINTS,
      position,
      velocity: position.map((p) => p * 0.1),
      effort: new Float64Array(0),
    });
  }
  await recorder.close();
  return recorder.file;
}

async function writeImageBag(dir: string, count: number): Promise<string> {
  const recorder = await McapRecorder.open(join(dir, 'images'));
  const width = 640;
  const height = 480;
  for (let i = 0; i < count; i++) {
    // A moving gradient: compressible like camera frames, different every frame.
    const data = new Uint8Array(width * height * 3);
    for (let k = 0; k < data.length; k++) data[k] = (k + i * 7) & 0xff;
    const t = BigInt(i) * 33_333_333n;
    await recorder.write('/camera/image_raw', 'sensor_msgs/msg/Image', t, {
      header: { stamp: { sec: Number(t / 1_000_000_000n), nanosec: Number(t % 1_000_000_000n) }, frame_id: 'camera' },
      height,
      width,
      encoding: 'rgb8',
      is_bigendian: 0,
      step: width * 3,
      data,
    });
  }
  await recorder.close();
  return recorder.file;
}

/** Messages per second through BagReader (decoded, as replay reads them). */
async function oursRate(file: string, decode: boolean): Promise<number> {
  const t0 = process.hrtime.bigint();
  const reader = await BagReader.open(file);
  let n = 0;
  if (decode) for await (const _ of reader.messages()) n++;
  else for await (const _ of reader.rawMessages()) n++;
  await reader.close();
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Messages per second of bare @mcap/core iteration: indexed reader, readMessages, no decoding. */
async function bareRate(file: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const handle = await open(file, 'r');
  const reader = await McapIndexedReader.Initialize({
    readable: new FileHandleReadable(handle),
    decompressHandlers: await loadDecompressHandlers(),
  });
  let n = 0;
  for await (const _ of reader.readMessages()) n++;
  await handle.close();
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function measure(name: string, file: string, runs: number, what: string): Promise<BenchFigure> {
  const ours: number[] = [];
  const raw: number[] = [];
  const bare: number[] = [];
  await oursRate(file, true); // warm-up: WebAssembly, JIT, page cache
  await bareRate(file);
  for (let r = 0; r < runs; r++) {
    bare.push(await bareRate(file));
    ours.push(await oursRate(file, true));
    raw.push(await oursRate(file, false));
  }
  const base = median(bare);
  return {
    name,
    median: median(ours),
    p99: percentile(ours, 1),
    unit: 'msg/s',
    baseline: 'bare @mcap/core McapIndexedReader.readMessages on the same file',
    ratio: median(ours) / base,
    method:
      `${what}: BagReader.open + messages() decoding every message to plain objects, median of ` +
      `${runs} whole-file reads alternating with the baseline; p99 is the rate 99% of reads beat`,
    extra: { baseline_msg_per_s: base, undecoded_msg_per_s: median(raw), undecoded_ratio: median(raw) / base },
  };
}

/** Bag reading throughput against bare @mcap/core iteration over the same files (DESIGN §8). */
export const bagReadBenchmark: Benchmark = {
  name: 'bag',
  async run({ quick }): Promise<BenchFigure[]> {
    const dir = benchTempDir('vla-bridge-bench-bag-');
    try {
      const jointStates = await writeJointStateBag(dir, quick ? 2_000 : 50_000);
      const images = await writeImageBag(dir, quick ? 10 : 150);
      const runs = quick ? 2 : 7;
      return [
        await measure('bag.read_joint_states', jointStates, runs, `${quick ? 2_000 : 50_000} sensor_msgs/JointState (7 joints), zstd MCAP`),
        await measure('bag.read_images', images, runs, `${quick ? 10 : 150} sensor_msgs/Image 640x480 rgb8, zstd MCAP`),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
