import { copyFileSync, cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { VlaError } from '../errors';
import type { CompressedImageMsg, ImageMsg, JointStateMsg } from '../msgs/rosMessages';
import { BagReader } from './BagReader';
import { removeTempDirs, tempDir } from '../../test/support/bag/writeTestBags';

const FIXTURES = join(__dirname, '../../test/fixtures/bags');

async function infoOf(
  path: string,
): Promise<{ storage: string; durationNs: bigint; messageCount: number; topics: [string, string, number][]; warnings: string[] }> {
  const reader = await BagReader.open(path);
  try {
    const info = await reader.info();
    return {
      storage: info.storage,
      durationNs: info.durationNs,
      messageCount: info.messageCount,
      topics: info.topics.map((t) => [t.name, t.type, t.count]),
      warnings: reader.warnings,
    };
  } finally {
    await reader.close();
  }
}

async function allMessages(
  path: string,
  topics?: string[],
): Promise<{ topic: string; type: string; logTimeNs: bigint; message: unknown }[]> {
  const reader = await BagReader.open(path);
  try {
    const out = [];
    for await (const m of reader.messages(topics === undefined ? {} : { topics }))
      out.push({ topic: m.topic, type: m.type, logTimeNs: m.logTimeNs, message: m.message });
    return out;
  } finally {
    await reader.close();
  }
}

describe('BagReader on real rosbag2 recordings', () => {
  afterAll(removeTempDirs);

  it.each(['mcap', 'sqlite3'])('reads the %s cdr_test bag: topics, types, counts, duration', async (storage) => {
    const info = await infoOf(join(FIXTURES, storage, 'cdr_test'));
    expect(info.storage).toBe(storage);
    expect(info.topics).toEqual([
      ['/array_topic', 'test_msgs/msg/Arrays', 4],
      ['/test_topic', 'test_msgs/msg/BasicTypes', 3],
    ]);
    expect(info.messageCount).toBe(7);
    expect(info.durationNs).toBe(151137181n);
    expect(info.warnings).toEqual([]);
  });

  it.each(['mcap', 'sqlite3'])('reads the %s talker bag, listing the topic without messages', async (storage) => {
    const info = await infoOf(join(FIXTURES, storage, 'talker'));
    expect(info.topics).toEqual([
      ['/parameter_events', 'rcl_interfaces/msg/ParameterEvent', 0],
      ['/rosout', 'rcl_interfaces/msg/Log', 10],
      ['/topic', 'std_msgs/msg/String', 10],
    ]);
    expect(info.durationNs).toBe(4531096768n);
  });

  it('decodes the zstd-chunked MCAP talker bag in log-time order', async () => {
    const messages = await allMessages(join(FIXTURES, 'mcap/talker'));
    expect(messages).toHaveLength(20);
    const times = messages.map((m) => m.logTimeNs);
    expect([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(times);
    const strings = messages.filter((m) => m.topic === '/topic').map((m) => (m.message as { data: string }).data);
    expect(strings).toEqual(Array.from({ length: 10 }, (_, i) => `Hello, world! ${i}`));
    const log = messages.find((m) => m.topic === '/rosout')!.message as { level: number; name: string; msg: string };
    expect(log).toMatchObject({ level: 20, name: 'minimal_publisher', msg: "Publishing: 'Hello, world! 0'" });
  });

  it('decodes the WAL-mode sqlite3 talker bag without leaving -wal or -shm files beside it', async () => {
    const dir = tempDir();
    cpSync(join(FIXTURES, 'sqlite3/talker'), dir, { recursive: true });
    const messages = await allMessages(dir);
    expect(messages.filter((m) => m.topic === '/topic')).toHaveLength(10);
    expect(readdirSync(dir).sort()).toEqual(['metadata.yaml', 'talker.db3']);
  });

  it('falls back to its own definition when the one stored in the bag does not match the bytes (talker.db3 /rosout)', async () => {
    const dir = tempDir();
    cpSync(join(FIXTURES, 'sqlite3/talker'), dir, { recursive: true });
    const reader = await BagReader.open(dir);
    const logs: unknown[] = [];
    for await (const m of reader.messages({ topics: ['/rosout'] })) logs.push(m.message);
    await reader.close();
    // The stored definition is cut short ("uint8 level"); decoding with it would give { level: <a byte of the stamp> }.
    expect(logs[0]).toMatchObject({ stamp: { sec: 1585866235, nanosec: 112130688 }, level: 20, name: 'minimal_publisher', line: 38 });
    expect(reader.warnings.some((w) => w.includes('/rosout') && w.includes('does not match'))).toBe(true);
  });

  it('decodes the JointState of the array_msgs bag with typed arrays, like rclnodejs', async () => {
    const [m] = await allMessages(join(FIXTURES, 'mcap/array_msgs'), ['/one_shot/joint_state']);
    const js = m!.message as JointStateMsg;
    expect(m!.type).toBe('sensor_msgs/msg/JointState');
    expect(js.name).toEqual(['joint1', 'joint2', 'joint3']);
    expect(js.position).toBeInstanceOf(Float64Array);
    expect(Array.from(js.position)).toEqual([1.5, -0.5, 0.8]);
    expect(Array.from(js.velocity)).toEqual([0.1, 0.2, 0.3]);
    expect(Array.from(js.effort)).toEqual([10.1, 10.2, 10.3]);
  });

  it('decodes the cdr_test messages identically from MCAP and sqlite3', async () => {
    const fromMcap = await allMessages(join(FIXTURES, 'mcap/cdr_test'));
    const fromSqlite = await allMessages(join(FIXTURES, 'sqlite3/cdr_test'));
    expect(fromSqlite).toEqual(fromMcap);
    const basic = fromMcap.find((m) => m.topic === '/test_topic')!.message as Record<string, unknown>;
    expect(basic.int32_value).toBe(123);
    expect(basic.int64_value).toBe(0n);
  });

  it('reads the 2019 legacy bag: no metadata.yaml, no definitions, types without /msg/', async () => {
    const path = join(FIXTURES, 'sqlite3/legacy_images/sample.db3');
    const info = await infoOf(path);
    expect(info.topics).toEqual([
      ['/fix', 'sensor_msgs/msg/NavSatFix', 1],
      ['/image', 'sensor_msgs/msg/Image', 1],
      ['/image/compressed', 'sensor_msgs/msg/CompressedImage', 1],
      ['/imu', 'sensor_msgs/msg/Imu', 1],
      ['/text', 'std_msgs/msg/String', 1],
    ]);
    const messages = await allMessages(path, ['/image', '/image/compressed', '/text']);
    const image = messages.find((m) => m.topic === '/image')!.message as ImageMsg;
    expect(image).toMatchObject({ width: 640, height: 480, encoding: 'bgr8', step: 1920 });
    expect(image.data).toBeInstanceOf(Uint8Array);
    expect(image.data.length).toBe(640 * 480 * 3);
    const jpeg = messages.find((m) => m.topic === '/image/compressed')!.message as CompressedImageMsg;
    expect(Array.from(jpeg.data.slice(0, 3))).toEqual([0xff, 0xd8, 0xff]);
    expect((messages.find((m) => m.topic === '/text')!.message as { data: string }).data).toBe('Hello World');
  });

  it('refuses a topic the bag does not have, naming the ones it has', async () => {
    const reader = await BagReader.open(join(FIXTURES, 'mcap/talker'));
    const iterate = async (): Promise<void> => {
      for await (const _ of reader.messages({ topics: ['/camera'] })) void _;
    };
    await expect(iterate()).rejects.toThrow(/no topic \/camera \(it has: \/parameter_events, \/rosout, \/topic\)/);
    await reader.close();
  });

  it('filters by log time, bounds inclusive', async () => {
    const all = await allMessages(join(FIXTURES, 'mcap/talker'), ['/topic']);
    const reader = await BagReader.open(join(FIXTURES, 'mcap/talker'));
    const got: bigint[] = [];
    for await (const m of reader.rawMessages({ topics: ['/topic'], startNs: all[2]!.logTimeNs, endNs: all[4]!.logTimeNs }))
      got.push(m.logTimeNs);
    await reader.close();
    expect(got).toEqual([all[2]!.logTimeNs, all[3]!.logTimeNs, all[4]!.logTimeNs]);
  });

  it('opens a single storage file and a metadata.yaml path as well as a folder', async () => {
    const byFile = await infoOf(join(FIXTURES, 'mcap/talker/talker.mcap'));
    const byYaml = await infoOf(join(FIXTURES, 'mcap/talker/metadata.yaml'));
    const byFolder = await infoOf(join(FIXTURES, 'mcap/talker'));
    expect(byFile.topics).toEqual(byFolder.topics);
    expect(byYaml.topics).toEqual(byFolder.topics);
  });

  it('says "bag not found" with exit-2 kind for a missing path', async () => {
    const err = await BagReader.open('/nonexistent/bag').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VlaError);
    expect((err as VlaError).code).toBe('FILE_NOT_FOUND');
    expect((err as VlaError).kind).toBe('input');
  });

  it('reads a WAL-mode .db3 given as a file, leaving its folder as it was', async () => {
    const dir = tempDir();
    copyFileSync(join(FIXTURES, 'sqlite3/talker/talker.db3'), join(dir, 'talker.db3'));
    const info = await infoOf(join(dir, 'talker.db3'));
    expect(info.messageCount).toBe(20);
    expect(readdirSync(dir)).toEqual(['talker.db3']);
  });
});
