import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { FileHandleReadable } from '@mcap/nodejs';
import { BagReader } from './BagReader';
import { readBagMetadata } from './BagMetadata';
import { MessageDefinitionLibrary } from './definitions/MessageDefinitionLibrary';
import { DEFINITION_SEPARATOR } from './definitions/parseDefinitionText';
import { McapRecorder } from './McapRecorder';
import { McapIndexedReader } from './mcapModules';
import { removeTempDirs, tempDir } from '../../test/support/bag/writeTestBags';

afterAll(removeTempDirs);

const header = (sec: number, nanosec = 0, frame_id = ''): Record<string, unknown> => ({ stamp: { sec, nanosec }, frame_id });

/** One message of each type the bridge writes, in the decoded shape (typed numeric arrays). */
const SAMPLES: [string, string, Record<string, unknown>][] = [
  [
    '/joint_states',
    'sensor_msgs/msg/JointState',
    {
      header: header(1, 5),
      name: ['a', 'b'],
      position: new Float64Array([0.5, -1]),
      velocity: new Float64Array([0, 0.1]),
      effort: new Float64Array(0),
    },
  ],
  [
    '/camera/image_raw',
    'sensor_msgs/msg/Image',
    {
      header: header(1, 6, 'cam'),
      height: 2,
      width: 3,
      encoding: 'rgb8',
      is_bigendian: 0,
      step: 9,
      data: new Uint8Array(18).map((_, i) => i),
    },
  ],
  [
    '/camera/compressed',
    'sensor_msgs/msg/CompressedImage',
    { header: header(1, 7, 'cam'), format: 'jpeg', data: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]) },
  ],
  [
    '/arm/joint_trajectory',
    'trajectory_msgs/msg/JointTrajectory',
    {
      header: header(1, 8),
      joint_names: ['a', 'b'],
      points: [
        {
          positions: new Float64Array([1, 2]),
          velocities: new Float64Array(0),
          accelerations: new Float64Array(0),
          effort: new Float64Array(0),
          time_from_start: { sec: 0, nanosec: 10_000_000 },
        },
      ],
    },
  ],
  [
    '/arm/commands',
    'std_msgs/msg/Float64MultiArray',
    { layout: { dim: [{ label: 'joints', size: 2, stride: 2 }], data_offset: 0 }, data: new Float64Array([0.1, 0.2]) },
  ],
  [
    '/servo/delta_twist_cmds',
    'geometry_msgs/msg/TwistStamped',
    { header: header(1, 9, 'base'), twist: { linear: { x: 0.1, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -0.2 } } },
  ],
  [
    '/target_pose',
    'geometry_msgs/msg/PoseStamped',
    { header: header(1, 10, 'base'), pose: { position: { x: 0.3, y: 0, z: 0.5 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } },
  ],
  [
    '/diagnostics',
    'diagnostic_msgs/msg/DiagnosticArray',
    {
      header: header(1, 11),
      status: [{ level: 1, name: 'safety', message: 'clamped', hardware_id: '', values: [{ key: 'joint', value: 'a' }] }],
    },
  ],
];

async function readBack(path: string): Promise<{ topic: string; type: string; logTimeNs: bigint; message: unknown }[]> {
  const reader = await BagReader.open(path);
  const out = [];
  for await (const m of reader.messages()) out.push({ topic: m.topic, type: m.type, logTimeNs: m.logTimeNs, message: m.message });
  await reader.close();
  return out;
}

describe('McapRecorder', () => {
  it.each(['zstd', 'lz4', 'none'] as const)('round-trips every message type the bridge writes (%s chunks)', async (compression) => {
    const dir = join(tempDir(), 'run');
    const recorder = await McapRecorder.open(dir, { compression, chunkSizeBytes: 256 });
    SAMPLES.forEach(([topic, type, message], i) => void recorder.write(topic, type, 1_000_000_000n + BigInt(i), message));
    await recorder.close();
    expect(readdirSync(dir).sort()).toEqual(['metadata.yaml', 'run_0.mcap']);
    const back = await readBack(dir);
    expect(back).toEqual(SAMPLES.map(([topic, type, message], i) => ({ topic, type, logTimeNs: 1_000_000_000n + BigInt(i), message })));
  });

  it('writes what rosbag2 writes: profile ros2, ros2msg schemas with the full text, cdr channels with QoS, zstd chunks', async () => {
    const file = join(tempDir(), 'predictions.mcap');
    const recorder = await McapRecorder.open(file);
    await recorder.write('/joint_states', 'sensor_msgs/msg/JointState', 5n, SAMPLES[0]![2]);
    await recorder.close();
    const handle = await open(file, 'r');
    const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
    expect(reader.header.profile).toBe('ros2');
    const [schema] = [...reader.schemasById.values()];
    expect(schema).toMatchObject({ name: 'sensor_msgs/msg/JointState', encoding: 'ros2msg' });
    const text = new TextDecoder().decode(schema!.data);
    expect(text).toBe(new MessageDefinitionLibrary().fullText('sensor_msgs/msg/JointState'));
    expect(text).toContain(`${DEFINITION_SEPARATOR}\nMSG: std_msgs/Header\n`);
    const [channel] = [...reader.channelsById.values()];
    expect(channel).toMatchObject({ topic: '/joint_states', messageEncoding: 'cdr' });
    expect(channel!.metadata.get('offered_qos_profiles')).toMatch(/^- history: 3\n/);
    expect(reader.chunkIndexes.map((c) => c.compression)).toEqual(['zstd']);
    await handle.close();
    const metadata = readBagMetadata(join(file, '..', 'metadata.yaml'));
    expect(metadata).toMatchObject({
      version: 5,
      storage_identifier: 'mcap',
      relative_file_paths: ['predictions.mcap'],
      message_count: 1n,
    });
  });

  it('writes byte-identical files for identical input', async () => {
    const write = async (): Promise<Buffer> => {
      const file = join(tempDir(), 'same.mcap');
      const recorder = await McapRecorder.open(file, { compression: 'lz4' });
      for (let i = 0; i < 20; i++)
        for (const [topic, type, message] of SAMPLES) void recorder.write(topic, type, BigInt(i) * 1000n, message);
      await recorder.close();
      return readFileSync(file);
    };
    expect(Buffer.compare(await write(), await write())).toBe(0);
  });

  it("records this package's own message types from .msg files read at run time", async () => {
    const root = tempDir();
    mkdirSync(join(root, 'msg'));
    writeFileSync(join(root, 'msg', 'SafetyEvent.msg'), 'std_msgs/Header header\nstring joint\nstring limit\nfloat64 excess\n');
    writeFileSync(join(root, 'msg', 'PolicyStatus.msg'), 'uint8 OK=0\nuint8 state\nSafetyEvent[] events\nfloat64[] latest_actions\n');
    const library = new MessageDefinitionLibrary({ msgDirectories: [{ package: 'vla_bridge', dir: join(root, 'msg') }] });
    const dir = join(root, 'bag');
    const recorder = await McapRecorder.open(dir, { library });
    const status = {
      state: 0,
      events: [{ header: header(2), joint: 'a', limit: 'velocity', excess: 0.25 }],
      latest_actions: new Float64Array([1, 2]),
    };
    await recorder.write('/vla_bridge/status', 'vla_bridge/msg/PolicyStatus', 7n, status);
    await recorder.close();
    const reader = await BagReader.open(dir, { library: new MessageDefinitionLibrary({ msgDirectories: [] }) });
    const got = [];
    for await (const m of reader.messages()) got.push(m.message);
    await reader.close();
    // Decoded with the definition stored in the file: another machine needs no msg/ folder.
    expect(got).toEqual([status]);
  });

  it('refuses a message missing a field, naming it, and keeps recording the rest', async () => {
    const dir = join(tempDir(), 'bad');
    const recorder = await McapRecorder.open(dir);
    const bad = {
      header: header(1),
      joint_names: ['a'],
      points: [{ positions: [1], velocities: [], accelerations: [], time_from_start: { sec: 0, nanosec: 0 } }],
    };
    await expect(recorder.write('/cmd', 'trajectory_msgs/msg/JointTrajectory', 1n, bad)).rejects.toMatchObject({
      code: 'MESSAGE_INVALID',
      message: expect.stringMatching(/no field "points\[0\]\.effort"/),
    });
    await expect(recorder.write('/cmd', 'trajectory_msgs/msg/JointTrajectory', 2n, SAMPLES[3]![2])).resolves.toBeUndefined();
    await expect(recorder.write('/cmd', 'std_msgs/msg/Float64MultiArray', 3n, SAMPLES[4]![2])).rejects.toThrow(
      /recorded as trajectory_msgs\/msg\/JointTrajectory/,
    );
    await expect(recorder.write('/x', 'unknown_msgs/msg/Thing', 4n, {})).rejects.toThrow(
      /no message definition for unknown_msgs\/msg\/Thing/,
    );
    await recorder.close();
    expect((await readBack(dir)).map((m) => m.logTimeNs)).toEqual([2n]);
    await expect(recorder.write('/cmd', 'trajectory_msgs/msg/JointTrajectory', 5n, SAMPLES[3]![2])).rejects.toThrow(/after close/);
  });

  it('writes an empty but valid bag when nothing was recorded', async () => {
    const dir = join(tempDir(), 'empty');
    await (await McapRecorder.open(dir)).close();
    const reader = await BagReader.open(dir);
    const info = await reader.info();
    await reader.close();
    expect(info).toMatchObject({ messageCount: 0, durationNs: 0n, topics: [] });
  });

  it('refuses a misspelled option', async () => {
    await expect(McapRecorder.open(join(tempDir(), 'x'), { compresion: 'lz4' } as never)).rejects.toThrow(
      /unknown McapRecorder option\(s\): compresion/,
    );
  });
});
