import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cdr, jointState, removeTempDirs, tempDir, writeMcapFile, writeMetadataYaml } from '../../../test/support/bag/writeTestBags';
import { runCli } from '../../../test/support/runCli';

const FIXTURES = join(__dirname, '../../../test/fixtures/bags');
afterAll(removeTempDirs);

interface InfoJson {
  storage: string;
  compression: { format: string; mode: string } | null;
  duration_s: number;
  messages: number;
  topics: { name: string; type: string; count: number; serialization_format: string }[];
  warnings: string[];
}

async function infoJson(path: string): Promise<InfoJson> {
  const result = await runCli(['bag-info', '--json', path]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as InfoJson;
}

describe('vla-bridge bag-info', () => {
  it.each([
    [
      'mcap/cdr_test',
      'mcap',
      0.151137181,
      [
        ['/array_topic', 'test_msgs/msg/Arrays', 4],
        ['/test_topic', 'test_msgs/msg/BasicTypes', 3],
      ],
    ],
    [
      'sqlite3/cdr_test',
      'sqlite3',
      0.151137181,
      [
        ['/array_topic', 'test_msgs/msg/Arrays', 4],
        ['/test_topic', 'test_msgs/msg/BasicTypes', 3],
      ],
    ],
    [
      'mcap/talker',
      'mcap',
      4.531096768,
      [
        ['/parameter_events', 'rcl_interfaces/msg/ParameterEvent', 0],
        ['/rosout', 'rcl_interfaces/msg/Log', 10],
        ['/topic', 'std_msgs/msg/String', 10],
      ],
    ],
    [
      'sqlite3/talker',
      'sqlite3',
      4.531096768,
      [
        ['/parameter_events', 'rcl_interfaces/msg/ParameterEvent', 0],
        ['/rosout', 'rcl_interfaces/msg/Log', 10],
        ['/topic', 'std_msgs/msg/String', 10],
      ],
    ],
    [
      'mcap/array_msgs',
      'mcap',
      1.302834343,
      [
        ['/one_shot/imu', 'sensor_msgs/msg/Imu', 1],
        ['/one_shot/joint_state', 'sensor_msgs/msg/JointState', 1],
      ],
    ],
    [
      'sqlite3/talker_zstd_file',
      'sqlite3',
      4.531096768,
      [
        ['/parameter_events', 'rcl_interfaces/msg/ParameterEvent', 0],
        ['/rosout', 'rcl_interfaces/msg/Log', 10],
        ['/topic', 'std_msgs/msg/String', 10],
      ],
    ],
    [
      'mcap/talker_zstd_file/talker.mcap.zstd',
      'mcap',
      4.531096768,
      [
        ['/parameter_events', 'rcl_interfaces/msg/ParameterEvent', 0],
        ['/rosout', 'rcl_interfaces/msg/Log', 10],
        ['/topic', 'std_msgs/msg/String', 10],
      ],
    ],
    [
      'sqlite3/talker_zstd_message',
      'sqlite3',
      4.531096768,
      [
        ['/parameter_events', 'rcl_interfaces/msg/ParameterEvent', 0],
        ['/rosout', 'rcl_interfaces/msg/Log', 10],
        ['/topic', 'std_msgs/msg/String', 10],
      ],
    ],
    [
      'sqlite3/legacy_images/sample.db3',
      'sqlite3',
      551507.905368949,
      [
        ['/fix', 'sensor_msgs/msg/NavSatFix', 1],
        ['/image', 'sensor_msgs/msg/Image', 1],
        ['/image/compressed', 'sensor_msgs/msg/CompressedImage', 1],
        ['/imu', 'sensor_msgs/msg/Imu', 1],
        ['/text', 'std_msgs/msg/String', 1],
      ],
    ],
  ])('--json for the real bag %s: storage, duration, topics with type and count', async (bag, storage, durationS, topics) => {
    const info = await infoJson(join(FIXTURES, bag));
    expect(info.storage).toBe(storage);
    expect(info.duration_s).toBeCloseTo(durationS, 9);
    expect(info.topics.map((t) => [t.name, t.type, t.count])).toEqual(topics);
    expect(info.messages).toBe((topics as [string, string, number][]).reduce((n, t) => n + t[2], 0));
  });

  it('prints a ros2-bag-info-like summary as text', async () => {
    const result = await runCli(['bag-info', join(FIXTURES, 'mcap/talker')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Files:               talker.mcap\n');
    expect(result.stdout).toContain('Storage id:          mcap\n');
    expect(result.stdout).toContain('Duration:            4.531096768s\n');
    expect(result.stdout).toContain('Start:               2020-04-02T22:23:55.112411371Z (1585866235.112411371)\n');
    expect(result.stdout).toContain('Messages:            20\n');
    expect(result.stdout).toContain(
      'Topic information:   Topic: /parameter_events | Type: rcl_interfaces/msg/ParameterEvent | Count: 0 | Serialization Format: cdr\n',
    );
    expect(result.stdout).toContain(
      '                     Topic: /topic | Type: std_msgs/msg/String | Count: 10 | Serialization Format: cdr\n',
    );
  });

  it('shows rosbag2 zstd compression, and the compressed files by name and size on disk', async () => {
    const file = await runCli(['bag-info', join(FIXTURES, 'sqlite3/talker_zstd_file')]);
    expect(file.code).toBe(0);
    expect(file.stdout).toContain('Files:               talker.db3.zstd\n');
    expect(file.stdout).toContain(
      `Bag size:            ${(statSync(join(FIXTURES, 'sqlite3/talker_zstd_file/talker.db3.zstd')).size / 1024).toFixed(1)} KiB\n`,
    );
    expect(file.stdout).toContain('Storage id:          sqlite3\nCompression:         zstd (file)\n');
    expect(file.stdout).toContain('Messages:            20\n');
    expect((await infoJson(join(FIXTURES, 'mcap/talker_zstd_file'))).compression).toEqual({ format: 'zstd', mode: 'file' });
    expect((await infoJson(join(FIXTURES, 'sqlite3/talker_zstd_message'))).compression).toEqual({ format: 'zstd', mode: 'message' });
    expect((await infoJson(join(FIXTURES, 'sqlite3/talker'))).compression).toBeNull();
    expect((await runCli(['bag-info', join(FIXTURES, 'sqlite3/talker')])).stdout).not.toContain('Compression:');
  });

  it('lists service event topics under services in text, and as topics in JSON', async () => {
    const dir = tempDir();
    const text =
      `service_msgs/ServiceEventInfo info\nexample_interfaces/AddTwoInts_Request[<=1] ` +
      `request\nexample_interfaces/AddTwoInts_Response[<=1] response\n${'='.repeat(80)}\nMSG: ` +
      `service_msgs/ServiceEventInfo\nint8 event_type\nbuiltin_interfaces/Time stamp\nchar[16] ` +
      `client_gid\nint64 sequence_number\n${'='.repeat(80)}\nMSG: ` +
      `example_interfaces/AddTwoInts_Request\nint64 a\nint64 b\n${'='.repeat(80)}\nMSG: ` +
      `example_interfaces/AddTwoInts_Response\nint64 sum\n`;
    const service = {
      name: '/add_two_ints/_service_event',
      type: 'example_interfaces/srv/AddTwoInts_Event',
      definition: { encoding: 'ros2msg', text },
    };
    const js = { name: '/joint_states', type: 'sensor_msgs/msg/JointState' };
    await writeMcapFile(join(dir, 's_0.mcap'), {
      topics: [service, js],
      messages: [
        { topic: js.name, logTimeNs: 1n, data: cdr(js.type, jointState(1n, ['a'], [0])) },
        { topic: service.name, logTimeNs: 2n, data: new Uint8Array(4) },
      ],
    });
    const result = await runCli(['bag-info', dir]);
    expect(result.stdout).toContain('Topic information:   Topic: /joint_states | Type: sensor_msgs/msg/JointState | Count: 1');
    expect(result.stdout).toContain(
      'Service information: Service: /add_two_ints | Type: example_interfaces/srv/AddTwoInts | Event Count: 1 | Serialization Format: cdr',
    );
    const info = await infoJson(dir);
    expect(info.topics.map((t) => t.name)).toEqual(['/add_two_ints/_service_event', '/joint_states']);
  });

  it('reports a split bag without metadata.yaml and an empty bag', async () => {
    const split = tempDir();
    const js = { name: '/joint_states', type: 'sensor_msgs/msg/JointState' };
    for (const i of [0, 1, 2]) {
      const t = BigInt(i) * 1_000_000_000n;
      await writeMcapFile(join(split, `split_${i}.mcap`), {
        topics: [js],
        messages: [{ topic: js.name, logTimeNs: t, data: cdr(js.type, jointState(t, ['a'], [i])) }],
      });
    }
    const info = await infoJson(split);
    expect(info).toMatchObject({ storage: 'mcap', duration_s: 2, messages: 3, topics: [{ name: '/joint_states', count: 3 }] });
    const empty = tempDir();
    await writeMcapFile(join(empty, 'e_0.mcap'), { topics: [js], messages: [] });
    writeMetadataYaml(empty, {
      version: 9,
      storage: 'mcap',
      files: [{ path: 'e_0.mcap', messageCount: 0 }],
      topics: [{ name: js.name, type: js.type, count: 0 }],
    });
    expect(await infoJson(empty)).toMatchObject({ duration_s: 0, messages: 0, topics: [{ name: '/joint_states', count: 0 }] });
  });

  it('warns on stderr about a topic it cannot decode, and still counts it (exit 0)', async () => {
    const dir = tempDir();
    await writeMcapFile(join(dir, 'u.mcap'), {
      topics: [{ name: '/cfg', type: 'std_msgs/msg/String', serializationFormat: 'json' }],
      messages: [{ topic: '/cfg', logTimeNs: 1n, data: new TextEncoder().encode('{}') }],
    });
    const result = await runCli(['bag-info', join(dir, 'u.mcap')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: topic \/cfg uses message encoding "json"/);
    expect(result.stdout).toContain('Count: 1 | Serialization Format: json');
  });

  it('exits 2 with one clear line for a truncated bag, a truncated .zstd file, a corrupt bag and a missing path', async () => {
    const dir = tempDir();
    const bytes = readFileSync(join(FIXTURES, 'mcap/talker/talker.mcap'));
    writeFileSync(join(dir, 'cut.mcap'), bytes.subarray(0, 5000));
    writeFileSync(join(dir, 'junk.db3'), Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(5000, 0xab)]));
    const zstd = readFileSync(join(FIXTURES, 'mcap/talker_zstd_file/talker.mcap.zstd'));
    writeFileSync(join(dir, 'cut.mcap.zstd'), zstd.subarray(0, zstd.length >> 1));
    for (const [path, pattern] of [
      [
        join(dir, 'cut.mcap.zstd'),
        /cut\.mcap\.zstd: the zstd-compressed bag file \(rosbag2 file compression\) does not decompress: .*truncated/,
      ],
      [join(dir, 'cut.mcap'), /cut\.mcap: the MCAP file is truncated/],
      [join(dir, 'junk.db3'), /junk\.db3: .*(corrupt|not a database|cannot read)/],
      [join(dir, 'nothing'), /nothing: bag not found/],
    ] as const) {
      const result = await runCli(['bag-info', path]);
      expect({ path, code: result.code }).toEqual({ path, code: 2 });
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe('');
    }
  });

  it('--no-verify trusts the index and gives the same counts on a healthy bag', async () => {
    const result = await runCli(['bag-info', '--json', '--no-verify', join(FIXTURES, 'mcap/talker')]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as InfoJson).topics.map((t) => t.count)).toEqual([0, 10, 10]);
  });
});
