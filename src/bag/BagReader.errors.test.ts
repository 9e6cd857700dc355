import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { VlaError } from '../errors';
import { BagReader } from './BagReader';
import {
  cdr,
  jointState,
  removeTempDirs,
  tempDir,
  type TestMessage,
  writeMcapFile,
  writeMetadataYaml,
  writeSqliteBag,
} from '../../test/support/bag/writeTestBags';

const FIXTURES = join(__dirname, '../../test/fixtures/bags');
const JS = { name: '/joint_states', type: 'sensor_msgs/msg/JointState' };

function js(i: number): TestMessage {
  const t = 1_000_000_000n + BigInt(i) * 1_000_000n;
  return { topic: JS.name, logTimeNs: t, data: cdr(JS.type, jointState(t, ['a'], [i])) };
}

/** Opens, summarizes with verification and reads every message; resolves to the error, or undefined. */
async function failure(path: string, verify = true): Promise<VlaError | undefined> {
  try {
    const reader = await BagReader.open(path);
    try {
      await reader.info({ verify });
      for await (const _ of reader.messages()) void _;
    } finally {
      await reader.close();
    }
    return undefined;
  } catch (err) {
    return err as VlaError;
  }
}

function truncatedCopy(source: string, fraction: number, name: string): string {
  const bytes = readFileSync(source);
  const file = join(tempDir(), name);
  writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return file;
}

afterAll(removeTempDirs);

describe('truncated and corrupt bags: BAG_INVALID (exit 2) naming the file and what to do', () => {
  it.each([0.1, 0.5, 0.95])('refuses an MCAP cut at %s of its length as truncated', async (fraction) => {
    const file = truncatedCopy(join(FIXTURES, 'mcap/talker/talker.mcap'), fraction, 'talker.mcap');
    const err = await failure(file);
    expect(err).toMatchObject({ code: 'BAG_INVALID', kind: 'input', file });
    expect(err!.message).toMatch(/truncated/);
    expect(err!.hint).toMatch(/mcap recover/);
  });

  it.each([0.3, 0.6, 0.9])('refuses a .db3 cut at %s of its length', async (fraction) => {
    const file = truncatedCopy(join(FIXTURES, 'sqlite3/legacy_images/sample.db3'), fraction, 'sample.db3');
    const err = await failure(file);
    expect(err).toMatchObject({ code: 'BAG_INVALID', kind: 'input', file });
    expect(err!.message).toMatch(/corrupt or truncated/);
  });

  it('refuses empty files', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.mcap'), '');
    writeFileSync(join(dir, 'b.db3'), '');
    expect(await failure(join(dir, 'a.mcap'))).toMatchObject({ code: 'BAG_INVALID', message: expect.stringMatching(/empty/) });
    expect(await failure(join(dir, 'b.db3'))).toMatchObject({ code: 'BAG_INVALID', message: expect.stringMatching(/empty/) });
  });

  it('finds a damaged byte inside a chunk through the chunk CRC', async () => {
    const dir = tempDir();
    const file = join(dir, 'c.mcap');
    await writeMcapFile(file, { topics: [JS], messages: Array.from({ length: 50 }, (_, i) => js(i)), compression: 'none' });
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('/joint_states')) + 2000; // inside the first chunk's messages
    bytes[at]! ^= 0x55;
    writeFileSync(file, bytes);
    const err = await failure(file);
    expect(err).toMatchObject({ code: 'BAG_INVALID', file });
    expect(err!.message).toMatch(/corrupt.*CRC/);
  });

  it('still reads every message when only the summary section is damaged (real talker.mcap, summary CRC set)', async () => {
    const bytes = readFileSync(join(FIXTURES, 'mcap/talker/talker.mcap'));
    // The summary repeats the schemas after DataEnd; damage the last copy of the Log schema's text.
    const at = bytes.lastIndexOf(Buffer.from('Severity level constants'));
    bytes[at]! ^= 0x20;
    const file = join(tempDir(), 'talker.mcap');
    writeFileSync(file, bytes);
    const reader = await BagReader.open(file);
    const info = await reader.info();
    let n = 0;
    for await (const _ of reader.messages()) n++;
    await reader.close();
    expect(info.topics.map((t) => [t.name, t.count])).toEqual([
      ['/parameter_events', 0],
      ['/rosout', 10],
      ['/topic', 10],
    ]);
    expect(n).toBe(20);
  });

  it('refuses a file with a bag extension but other contents, and an unknown file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.mcap'), 'this is not an MCAP file at all, just text');
    writeFileSync(join(dir, 'x.db3'), 'SQLite format 3\0 but then garbage garbage garbage garbage garbage garbage');
    writeFileSync(join(dir, 'notes.txt'), 'hello world, this is text');
    expect(await failure(join(dir, 'x.mcap'))).toMatchObject({ code: 'BAG_INVALID', message: expect.stringMatching(/MCAP magic/) });
    expect(await failure(join(dir, 'x.db3'))).toMatchObject({ code: 'BAG_INVALID', file: join(dir, 'x.db3') });
    expect(await failure(join(dir, 'notes.txt'))).toMatchObject({
      code: 'BAG_INVALID',
      message: expect.stringMatching(/not a rosbag2 storage file/),
    });
  });

  it('refuses a sqlite3 database that is not a bag', async () => {
    const dir = tempDir();
    const file = join(dir, 'other.db3');
    const db = new Database(file);
    db.exec('CREATE TABLE t(x)');
    db.close();
    expect(await failure(file)).toMatchObject({ code: 'BAG_INVALID', message: expect.stringMatching(/no "topics" table/) });
  });

  it('refuses a message whose bytes do not decode, naming the topic', async () => {
    const dir = tempDir();
    const file = join(dir, 'g.mcap');
    await writeMcapFile(file, {
      topics: [JS],
      messages: [{ topic: JS.name, logTimeNs: 5n, data: new Uint8Array([0, 1, 0, 0, 0xff, 0xff, 0xff, 0x7f]) }],
    });
    expect(await failure(file)).toMatchObject({
      code: 'BAG_INVALID',
      path: '/joint_states',
      message: expect.stringMatching(/cannot be decoded as sensor_msgs\/msg\/JointState/),
    });
  });
});

describe('bags vla-bridge does not read: BAG_UNSUPPORTED (exit 2) with the way out', () => {
  it('says a ROS 1 bag is one, and how to convert it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'old.bag'), '#ROSBAG V2.0\n\0\0\0\0');
    expect(await failure(join(dir, 'old.bag'))).toMatchObject({
      code: 'BAG_UNSUPPORTED',
      message: expect.stringMatching(/ROS 1/),
      hint: expect.stringMatching(/rosbags-convert/),
    });
  });

  it('refuses rosbag2 compression other than zstd file and message mode, naming the field', async () => {
    const yaml = readFileSync(join(FIXTURES, 'sqlite3/talker_zstd_file/metadata.yaml'), 'utf8');
    const lz4 = tempDir();
    copyFileSync(join(FIXTURES, 'sqlite3/talker_zstd_file/talker.db3.zstd'), join(lz4, 'talker.db3.zstd'));
    writeFileSync(join(lz4, 'metadata.yaml'), yaml.replace('compression_format: zstd', 'compression_format: lz4'));
    expect(await failure(lz4)).toMatchObject({
      code: 'BAG_UNSUPPORTED',
      path: 'rosbag2_bagfile_information.compression_format',
      message: expect.stringMatching(/file compression \(lz4\).*zstd/),
      hint: expect.stringMatching(/ros2 bag convert/),
    });
    const mode = tempDir();
    writeFileSync(join(mode, 'metadata.yaml'), yaml.replace('compression_mode: FILE', 'compression_mode: CHUNK'));
    expect(await failure(mode)).toMatchObject({
      code: 'BAG_UNSUPPORTED',
      path: 'rosbag2_bagfile_information.compression_mode',
      message: expect.stringMatching(/chunk compression \(zstd\)/),
    });
    const lz4File = join(tempDir(), 'b_0.db3.lz4');
    writeFileSync(lz4File, Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0, 0, 0, 0]));
    expect(await failure(lz4File)).toMatchObject({ code: 'BAG_UNSUPPORTED', message: expect.stringMatching(/lz4/) });
  });

  it('refuses an unknown storage plugin named in metadata.yaml', async () => {
    const dir = tempDir();
    writeMetadataYaml(dir, { version: 8, storage: 'rosbag_v2', files: [{ path: 'b.bag', messageCount: 1 }], topics: [] });
    expect(await failure(dir)).toMatchObject({ code: 'BAG_UNSUPPORTED', message: expect.stringMatching(/storage "rosbag_v2"/) });
  });
});

describe('bag folders with problems', () => {
  it('names metadata.yaml and the missing split file', async () => {
    const dir = tempDir();
    writeSqliteBag(join(dir, 'b_0.db3'), { layout: 'iron', topics: [JS], messages: [js(0)] });
    writeMetadataYaml(dir, {
      version: 7,
      storage: 'sqlite3',
      files: [
        { path: 'b_0.db3', messageCount: 1 },
        { path: 'b_1.db3', messageCount: 1 },
      ],
      topics: [{ name: JS.name, type: JS.type, count: 2 }],
    });
    expect(await failure(dir)).toMatchObject({
      code: 'FILE_NOT_FOUND',
      file: join(dir, 'metadata.yaml'),
      message: expect.stringMatching(/"b_1\.db3"/),
    });
  });

  it('refuses metadata.yaml that is not YAML or not rosbag2 metadata, naming the field', async () => {
    const bad = tempDir();
    writeFileSync(join(bad, 'metadata.yaml'), 'rosbag2_bagfile_information: [unclosed');
    expect(await failure(bad)).toMatchObject({ code: 'BAG_INVALID', message: expect.stringMatching(/not valid YAML/) });
    const wrong = tempDir();
    writeFileSync(join(wrong, 'metadata.yaml'), 'rosbag2_bagfile_information:\n  version: 5\n');
    expect(await failure(wrong)).toMatchObject({ code: 'BAG_INVALID', path: 'rosbag2_bagfile_information.storage_identifier' });
  });

  it('refuses an empty folder and one mixing .mcap and .db3 without metadata.yaml', async () => {
    const empty = tempDir();
    expect(await failure(empty)).toMatchObject({
      code: 'BAG_INVALID',
      message: expect.stringMatching(/no metadata\.yaml and no \.mcap or \.db3/),
    });
    const mixed = tempDir();
    await writeMcapFile(join(mixed, 'a.mcap'), { topics: [JS], messages: [js(0)] });
    writeSqliteBag(join(mixed, 'b.db3'), { layout: 'iron', topics: [JS], messages: [js(1)] });
    expect(await failure(mixed)).toMatchObject({ code: 'BAG_INVALID', message: expect.stringMatching(/both \.mcap and \.db3/) });
  });

  it('reads a folder whose metadata.yaml lists no files from the files that are there', async () => {
    const dir = join(tempDir(), 'bag');
    mkdirSync(dir);
    await writeMcapFile(join(dir, 'bag_0.mcap'), { topics: [JS], messages: [js(0), js(1)] });
    writeMetadataYaml(dir, { version: 5, storage: 'mcap', files: [], topics: [] });
    expect(await failure(dir)).toBeUndefined();
  });
});
