import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import type { JointStateMsg } from '../msgs/rosMessages';
import { BagReader } from './BagReader';
import { parseDefinitionText } from './definitions/parseDefinitionText';
import {
  cdr,
  jointState,
  removeTempDirs,
  type SqliteLayout,
  tempDir,
  type TestMessage,
  type TestTopic,
  writeMcapFile,
  writeMetadataYaml,
  writeSqliteBag,
} from '../../test/support/bag/writeTestBags';

const JOINTS = ['j1', 'j2'];
const JS: TestTopic = { name: '/joint_states', type: 'sensor_msgs/msg/JointState' };
const CMD: TestTopic = { name: '/cmd', type: 'std_msgs/msg/Float64MultiArray' };

function jsMessage(i: number, t0 = 1_700_000_000_000_000_000n): TestMessage {
  const t = t0 + BigInt(i) * 10_000_000n;
  return { topic: JS.name, logTimeNs: t, data: cdr(JS.type, jointState(t, JOINTS, [i, -i])) };
}

function cmdMessage(i: number, t0 = 1_700_000_000_005_000_000n): TestMessage {
  return {
    topic: CMD.name,
    logTimeNs: t0 + BigInt(i) * 10_000_000n,
    data: cdr(CMD.type, { layout: { dim: [], data_offset: 0 }, data: [i * 0.5] }),
  };
}

async function read(path: string): Promise<{
  info: Awaited<ReturnType<BagReader['info']>>;
  messages: { topic: string; logTimeNs: bigint; message: unknown }[];
  warnings: string[];
}> {
  const reader = await BagReader.open(path);
  try {
    const info = await reader.info();
    const messages = [];
    for await (const m of reader.messages()) messages.push({ topic: m.topic, logTimeNs: m.logTimeNs, message: m.message });
    return { info, messages, warnings: reader.warnings };
  } finally {
    await reader.close();
  }
}

function counts(info: Awaited<ReturnType<BagReader['info']>>): Record<string, number> {
  return Object.fromEntries(info.topics.map((t) => [t.name, t.count]));
}

afterAll(removeTempDirs);

describe('MCAP variants', () => {
  it.each(['zstd', 'lz4', 'none'] as const)('reads chunks compressed with %s, several chunks per file', async (compression) => {
    const dir = tempDir();
    const messages = Array.from({ length: 200 }, (_, i) => jsMessage(i));
    await writeMcapFile(join(dir, 'b_0.mcap'), { topics: [JS], messages, compression, chunkSizeBytes: 2000 });
    const got = await read(dir);
    expect(got.info.storage).toBe('mcap');
    expect(counts(got.info)).toEqual({ '/joint_states': 200 });
    expect(got.info.durationNs).toBe(199n * 10_000_000n);
    expect(Array.from((got.messages[150]!.message as JointStateMsg).position)).toEqual([150, -150]);
  });

  it('reads an MCAP without summary or index by one sequential pass, in log-time order even when records are not', async () => {
    const dir = tempDir();
    const messages = [jsMessage(3), jsMessage(0), cmdMessage(1), jsMessage(2), jsMessage(1)];
    await writeMcapFile(join(dir, 'unindexed.mcap'), { topics: [JS, CMD], messages, indexed: false });
    const got = await read(join(dir, 'unindexed.mcap'));
    expect(counts(got.info)).toEqual({ '/cmd': 1, '/joint_states': 4 });
    const times = got.messages.map((m) => m.logTimeNs);
    expect(times).toEqual([...messages.map((m) => m.logTimeNs)].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('reads an MCAP whose messages are outside chunks', async () => {
    const dir = tempDir();
    await writeMcapFile(join(dir, 'unchunked.mcap'), { topics: [JS], messages: [jsMessage(0), jsMessage(1)], chunked: false });
    const got = await read(join(dir, 'unchunked.mcap'));
    expect(got.messages.map((m) => (m.message as JointStateMsg).position[0])).toEqual([0, 1]);
  });

  it('accepts dependency names spelled pkg/msg/Name in a stored definition', async () => {
    const dir = tempDir();
    const text =
      'std_msgs/msg/Header header\nstring[] name\nfloat64[] position\nfloat64[] velocity\nfloat64[] effort\n' +
      `${'='.repeat(80)}\nMSG: std_msgs/msg/Header\nbuiltin_interfaces/msg/Time stamp\nstring frame_id\n` +
      `${'='.repeat(80)}\nMSG: builtin_interfaces/msg/Time\nint32 sec\nuint32 nanosec\n`;
    await writeMcapFile(join(dir, 'b.mcap'), { topics: [{ ...JS, definition: { encoding: 'ros2msg', text } }], messages: [jsMessage(7)] });
    const got = await read(join(dir, 'b.mcap'));
    expect(Array.from((got.messages[0]!.message as JointStateMsg).position)).toEqual([7, -7]);
    expect(got.warnings).toEqual([]);
  });

  it('decodes a type stored as ros2idl with its own definition, and says so', async () => {
    const dir = tempDir();
    const idl = `${'='.repeat(80)}\nIDL: sensor_msgs/msg/JointState\nmodule sensor_msgs { module msg { struct JointState { }; }; };\n`;
    await writeMcapFile(join(dir, 'b.mcap'), {
      topics: [{ ...JS, definition: { encoding: 'ros2idl', text: idl } }],
      messages: [jsMessage(1)],
    });
    const got = await read(join(dir, 'b.mcap'));
    expect(Array.from((got.messages[0]!.message as JointStateMsg).position)).toEqual([1, -1]);
    expect(got.warnings.join('\n')).toMatch(/ros2idl.*own definition/);
  });
});

describe('split bags and folders', () => {
  it('merges a split MCAP bag listed in metadata.yaml in log-time order across files', async () => {
    const dir = tempDir();
    // Interleaved times across the two files check the merge, not just concatenation.
    await writeMcapFile(join(dir, 'run_0.mcap'), { topics: [JS], messages: [0, 2, 4, 6].map((i) => jsMessage(i)) });
    await writeMcapFile(join(dir, 'run_1.mcap'), { topics: [JS, CMD], messages: [jsMessage(5), cmdMessage(5), jsMessage(8)] });
    writeMetadataYaml(dir, {
      version: 8,
      storage: 'mcap',
      files: [
        { path: 'run_0.mcap', messageCount: 4 },
        { path: 'run_1.mcap', messageCount: 3 },
      ],
      topics: [
        { name: JS.name, type: JS.type, count: 6 },
        { name: CMD.name, type: CMD.type, count: 1 },
      ],
    });
    const got = await read(dir);
    expect(got.info.files.map((f) => [f.path.split('/').pop(), f.messageCount])).toEqual([
      ['run_0.mcap', 4],
      ['run_1.mcap', 3],
    ]);
    expect(counts(got.info)).toEqual({ '/cmd': 1, '/joint_states': 6 });
    const order = got.messages.map((m) => (m.topic === CMD.name ? 'c5' : `j${(m.message as JointStateMsg).position[0]}`));
    expect(order).toEqual(['j0', 'j2', 'j4', 'j5', 'c5', 'j6', 'j8']);
    expect(got.warnings).toEqual([]);
  });

  it('reads a split sqlite3 bag without metadata.yaml, files in split-index order (2 before 10)', async () => {
    const dir = tempDir();
    for (const [index, from] of [
      [10, 20],
      [2, 10],
      [0, 0],
    ] as const) {
      writeSqliteBag(join(dir, `b_${index}.db3`), {
        layout: 'humble',
        topics: [JS],
        messages: Array.from({ length: 10 }, (_, i) => jsMessage(from + i)),
      });
    }
    const got = await read(dir);
    expect(got.info.files.map((f) => f.path.split('/').pop())).toEqual(['b_0.db3', 'b_2.db3', 'b_10.db3']);
    expect(got.messages.map((m) => (m.message as JointStateMsg).position[0])).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it("warns when metadata.yaml counts differ from the files, and shows the files' counts", async () => {
    const dir = tempDir();
    await writeMcapFile(join(dir, 'b_0.mcap'), { topics: [JS], messages: [jsMessage(0), jsMessage(1)] });
    writeMetadataYaml(dir, {
      version: 5,
      storage: 'mcap',
      files: [{ path: 'b_0.mcap', messageCount: 5 }],
      topics: [{ name: JS.name, type: JS.type, count: 5 }],
    });
    const got = await read(dir);
    expect(counts(got.info)).toEqual({ '/joint_states': 2 });
    expect(got.warnings.join('\n')).toMatch(/metadata\.yaml counts 5 messages on \/joint_states but the files hold 2/);
  });

  it('finds files that old metadata.yaml lists relative to the parent folder or without extension', async () => {
    const parent = tempDir();
    const dir = join(parent, 'old_bag');
    mkdirSync(dir);
    writeSqliteBag(join(dir, 'old_bag_0.db3'), { layout: 'foxy', topics: [JS], messages: [jsMessage(0)] });
    writeSqliteBag(join(dir, 'old_bag_1.db3'), { layout: 'foxy', topics: [JS], messages: [jsMessage(1)] });
    writeMetadataYaml(dir, {
      version: 4,
      storage: 'sqlite3',
      files: [
        { path: 'old_bag/old_bag_0.db3', messageCount: 1 },
        { path: 'old_bag_1', messageCount: 1 },
      ],
      topics: [{ name: JS.name, type: JS.type, count: 2 }],
    });
    const got = await read(dir);
    expect(got.info.messageCount).toBe(2);
  });
});

describe('sqlite3 schema generations', () => {
  it.each<[SqliteLayout, boolean]>([
    ['dashing', false],
    ['foxy', false],
    ['humble', false],
    ['humble', true],
    ['iron', false],
    ['iron', true],
  ])('reads a %s-layout .db3 (WAL %s) and leaves no side file', async (layout, wal) => {
    const dir = tempDir();
    const type = layout === 'dashing' ? 'sensor_msgs/JointState' : JS.type;
    writeSqliteBag(join(dir, 'b_0.db3'), {
      layout,
      wal,
      topics: [{ ...JS, type }, CMD],
      messages: [jsMessage(0), cmdMessage(0), jsMessage(1)],
    });
    const got = await read(join(dir, 'b_0.db3'));
    expect(got.info.topics.map((t) => [t.name, t.type, t.count])).toEqual([
      ['/cmd', 'std_msgs/msg/Float64MultiArray', 1],
      ['/joint_states', 'sensor_msgs/msg/JointState', 2],
    ]);
    expect(got.messages.map((m) => m.topic)).toEqual(['/joint_states', '/cmd', '/joint_states']);
    expect(Array.from((got.messages[2]!.message as JointStateMsg).position)).toEqual([1, -1]);
    expect(readdirSync(dir)).toEqual(['b_0.db3']);
  });

  it('keeps message order for equal timestamps (insertion order)', async () => {
    const dir = tempDir();
    const t = 5_000_000_000n;
    const same = [3, 1, 2].map((i) => ({ ...jsMessage(i), logTimeNs: t }));
    writeSqliteBag(join(dir, 'b.db3'), { layout: 'iron', topics: [JS], messages: same });
    const got = await read(join(dir, 'b.db3'));
    expect(got.messages.map((m) => (m.message as JointStateMsg).position[0])).toEqual([3, 1, 2]);
  });
});

describe('unusual but real bags', () => {
  it.each(['mcap', 'sqlite3'] as const)('reads an empty %s bag: topics with count 0, duration 0', async (storage) => {
    const dir = tempDir();
    if (storage === 'mcap') await writeMcapFile(join(dir, 'e_0.mcap'), { topics: [JS], messages: [] });
    else writeSqliteBag(join(dir, 'e_0.db3'), { layout: 'iron', topics: [JS], messages: [] });
    writeMetadataYaml(dir, {
      version: 9,
      storage,
      files: [{ path: `e_0.${storage === 'mcap' ? 'mcap' : 'db3'}`, messageCount: 0 }],
      topics: [{ name: JS.name, type: JS.type, count: 0 }],
    });
    const got = await read(dir);
    expect(got.info.messageCount).toBe(0);
    expect(got.info.durationNs).toBe(0n);
    expect(got.info.startNs).toBeUndefined();
    expect(counts(got.info)).toEqual({ '/joint_states': 0 });
    expect(got.messages).toEqual([]);
  });

  it('lists service event topics with their pkg/srv/Name_Event types', async () => {
    const dir = tempDir();
    const event: TestTopic = {
      name: '/add_two_ints/_service_event',
      type: 'example_interfaces/srv/AddTwoInts_Event',
      definition: {
        encoding: 'ros2msg',
        text:
          'service_msgs/ServiceEventInfo info\nexample_interfaces/AddTwoInts_Request[<=1] request\nexample_interfaces/AddTwoInts_Response[<=1] response\n' +
          `${'='.repeat(80)}\nMSG: service_msgs/ServiceEventInfo\nuint8 REQUEST_SENT = 0\nint8 ` +
          `event_type\nbuiltin_interfaces/Time stamp\nchar[16] client_gid\nint64 sequence_number\n` +
          `${'='.repeat(80)}\nMSG: example_interfaces/AddTwoInts_Request\nint64 a\nint64 b\n` +
          `${'='.repeat(80)}\nMSG: example_interfaces/AddTwoInts_Response\nint64 sum\n`,
      },
    };
    const writer = new MessageWriter(parseDefinitionText(event.definition!.text));
    const data = writer.writeMessage({
      info: { event_type: 0, stamp: { sec: 1, nanosec: 2 }, client_gid: new Uint8Array(16), sequence_number: 7n },
      request: [{ a: 2n, b: 3n }],
      response: [],
    });
    await writeMcapFile(join(dir, 's.mcap'), {
      topics: [event, JS],
      messages: [{ topic: event.name, logTimeNs: 10n, data }, jsMessage(0, 20n)],
    });
    const got = await read(join(dir, 's.mcap'));
    expect(got.info.topics.map((t) => [t.name, t.type, t.count])).toEqual([
      ['/add_two_ints/_service_event', 'example_interfaces/srv/AddTwoInts_Event', 1],
      ['/joint_states', 'sensor_msgs/msg/JointState', 1],
    ]);
    expect(got.messages[0]!.message).toMatchObject({ info: { sequence_number: 7n }, request: [{ a: 2n, b: 3n }], response: [] });
  });

  it('counts a topic with an unknown message encoding, warns, and refuses to decode it by name', async () => {
    const dir = tempDir();
    const json: TestTopic = { name: '/status_json', type: 'std_msgs/msg/String', serializationFormat: 'json' };
    await writeMcapFile(join(dir, 'u.mcap'), {
      topics: [json, JS],
      messages: [{ topic: json.name, logTimeNs: 1n, data: new TextEncoder().encode('{"data":"x"}') }, jsMessage(0, 2n)],
    });
    const reader = await BagReader.open(join(dir, 'u.mcap'));
    const info = await reader.info();
    expect(info.topics.map((t) => [t.name, t.serializationFormat, t.count])).toEqual([
      ['/joint_states', 'cdr', 1],
      ['/status_json', 'json', 1],
    ]);
    expect(reader.warnings.join('\n')).toMatch(/\/status_json uses message encoding "json"/);
    const decodeJson = async (): Promise<void> => {
      for await (const _ of reader.messages({ topics: ['/status_json'] })) void _;
    };
    await expect(decodeJson()).rejects.toMatchObject({
      code: 'BAG_UNSUPPORTED',
      kind: 'input',
      message: expect.stringMatching(/message encoding "json"/),
    });
    const js = [];
    for await (const m of reader.messages({ topics: ['/joint_states'] })) js.push(m);
    expect(js).toHaveLength(1);
    await reader.close();
  });
});
