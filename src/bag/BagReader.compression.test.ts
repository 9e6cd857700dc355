import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VlaError } from '../errors';
import { type BagInfo, BagReader } from './BagReader';
import {
  cdr,
  jointState,
  removeTempDirs,
  tempDir,
  type TestMessage,
  writeMcapFile,
  writeMetadataYaml,
  writeSqliteBag,
  zstdFrame,
} from '../../test/support/bag/writeTestBags';

const FIXTURES = join(__dirname, '../../test/fixtures/bags');
const JS = { name: '/joint_states', type: 'sensor_msgs/msg/JointState' };

function js(i: number): TestMessage {
  const t = 1_000_000_000n + BigInt(i) * 1_000_000n;
  return { topic: JS.name, logTimeNs: t, data: cdr(JS.type, jointState(t, ['a'], [i])) };
}

interface ReadBack {
  info: BagInfo;
  topics: { name: string; type: string; serializationFormat: string }[];
  messages: { topic: string; type: string; logTimeNs: bigint; data: Buffer; message: unknown }[];
}

async function readAll(path: string): Promise<ReadBack> {
  const reader = await BagReader.open(path);
  try {
    const info = await reader.info();
    const topics = reader.topics.map((t) => ({ name: t.name, type: t.type, serializationFormat: t.serializationFormat }));
    const messages = [];
    for await (const m of reader.messages())
      messages.push({ topic: m.topic, type: m.type, logTimeNs: m.logTimeNs, data: Buffer.from(m.data), message: m.message });
    return { info, topics, messages };
  } finally {
    await reader.close();
  }
}

/** Opens, summarizes with verification and reads every message; resolves to the error, or undefined. */
async function failure(path: string): Promise<VlaError | undefined> {
  try {
    await readAll(path);
    return undefined;
  } catch (err) {
    return err as VlaError;
  }
}

/** A file rosbag2 compressed as a whole: one zstd frame with the content size (older rosbag2). */
async function compressFile(source: string, target: string): Promise<string> {
  writeFileSync(target, await zstdFrame(readFileSync(source)));
  return target;
}

afterAll(removeTempDirs);

describe('bags recorded with rosbag2 zstd compression read message for message like their originals', () => {
  it.each([
    ['sqlite3/talker_zstd_file', 'sqlite3/talker', 'file', 'talker.db3.zstd'],
    ['mcap/talker_zstd_file', 'mcap/talker', 'file', 'talker.mcap.zstd'],
    ['sqlite3/talker_zstd_message', 'sqlite3/talker', 'message', 'talker.db3'],
    ['sqlite3/talker_zstd_file/talker.db3.zstd', 'sqlite3/talker', 'file', 'talker.db3.zstd'],
    ['mcap/talker_zstd_file/talker.mcap.zstd', 'mcap/talker', 'file', 'talker.mcap.zstd'],
  ])('%s (original %s): zstd %s compression', async (bag, original, mode, fileName) => {
    const got = await readAll(join(FIXTURES, bag));
    const want = await readAll(join(FIXTURES, original));
    expect(got.info.compression).toEqual({ format: 'zstd', mode });
    expect(want.info.compression).toBeUndefined();
    expect(got.info.files.map((f) => f.path)).toEqual([join(FIXTURES, bag.endsWith('.zstd') ? bag : `${bag}/${fileName}`)]);
    expect(got.topics).toEqual(want.topics);
    expect(got.info.topics).toEqual(want.info.topics);
    expect([got.info.storage, got.info.messageCount, got.info.startNs, got.info.endNs]).toEqual([
      want.info.storage,
      want.info.messageCount,
      want.info.startNs,
      want.info.endNs,
    ]);
    expect(got.messages).toHaveLength(20);
    expect(got.messages).toEqual(want.messages);
  });

  it('reads an MCAP bag with message compression, and its file-compressed copy given without metadata.yaml', async () => {
    const plain = tempDir();
    const messages = Array.from({ length: 30 }, (_, i) => js(i));
    await writeMcapFile(join(plain, 'b_0.mcap'), { topics: [JS], messages });
    const perMessage = tempDir();
    await writeMcapFile(join(perMessage, 'b_0.mcap'), {
      topics: [JS],
      messages: await Promise.all(messages.map(async (m) => ({ ...m, data: await zstdFrame(m.data) }))),
    });
    writeMetadataYaml(perMessage, {
      version: 8,
      storage: 'mcap',
      compressionMode: 'MESSAGE',
      files: [{ path: 'b_0.mcap', messageCount: 30 }],
      topics: [{ name: JS.name, type: JS.type, count: 30 }],
    });
    const whole = await compressFile(join(plain, 'b_0.mcap'), join(tempDir(), 'b_0.mcap.zstd'));
    const want = await readAll(plain);
    for (const [path, mode] of [
      [perMessage, 'message'],
      [whole, 'file'],
    ] as const) {
      const got = await readAll(path);
      expect(got.info.compression).toEqual({ format: 'zstd', mode });
      expect(got.messages).toEqual(want.messages);
    }
  });

  it('takes compression_mode and compression_format in any case', async () => {
    const dir = tempDir();
    copyFileSync(join(FIXTURES, 'sqlite3/talker_zstd_message/talker.db3'), join(dir, 'talker.db3'));
    const yaml = readFileSync(join(FIXTURES, 'sqlite3/talker_zstd_message/metadata.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'metadata.yaml'),
      yaml
        .replace('compression_format: zstd', 'compression_format: ZSTD')
        .replace('compression_mode: MESSAGE', 'compression_mode: message'),
    );
    const got = await readAll(dir);
    expect(got.info.compression).toEqual({ format: 'zstd', mode: 'message' });
    expect(got.messages).toHaveLength(20);
  });
});

describe('file-compressed bag folders without metadata.yaml, or with files decompressed by hand', () => {
  it('reads a folder of .db3.zstd files, and a crashed recording whose last split file was never compressed', async () => {
    const plain = tempDir();
    writeSqliteBag(join(plain, 'b_0.db3'), { layout: 'iron', topics: [JS], messages: [js(0), js(1)] });
    writeSqliteBag(join(plain, 'b_1.db3'), { layout: 'iron', topics: [JS], messages: [js(2)] });
    const compressed = tempDir();
    await compressFile(join(plain, 'b_0.db3'), join(compressed, 'b_0.db3.zstd'));
    await compressFile(join(plain, 'b_1.db3'), join(compressed, 'b_1.db3.zstd'));
    const got = await readAll(compressed);
    expect(got.info.compression).toEqual({ format: 'zstd', mode: 'file' });
    expect(got.messages.map((m) => m.logTimeNs)).toEqual([js(0), js(1), js(2)].map((m) => m.logTimeNs));
    const crashed = tempDir();
    await compressFile(join(plain, 'b_0.db3'), join(crashed, 'b_0.db3.zstd'));
    copyFileSync(join(plain, 'b_1.db3'), join(crashed, 'b_1.db3'));
    expect((await readAll(crashed)).messages).toHaveLength(3);
  });

  it('reads X.db3 and leaves out X.db3.zstd when both are there; finds a listed .zstd file decompressed in place', async () => {
    const dir = tempDir();
    writeSqliteBag(join(dir, 'b_0.db3'), { layout: 'iron', topics: [JS], messages: [js(0), js(1)] });
    await compressFile(join(dir, 'b_0.db3'), join(dir, 'b_0.db3.zstd'));
    const both = await readAll(dir);
    expect(both.info.files.map((f) => f.path)).toEqual([join(dir, 'b_0.db3')]);
    expect(both.info.compression).toBeUndefined();
    const inPlace = tempDir();
    copyFileSync(join(dir, 'b_0.db3'), join(inPlace, 'b_0.db3'));
    writeMetadataYaml(inPlace, {
      version: 5,
      storage: 'sqlite3',
      compressionMode: 'FILE',
      files: [{ path: 'b_0.db3.zstd', messageCount: 2 }],
      topics: [{ name: JS.name, type: JS.type, count: 2 }],
    });
    expect((await readAll(inPlace)).messages).toHaveLength(2);
  });
});

describe('the decompressed copy of a file-compressed bag lives in the temporary folder until close', () => {
  let tmp: string;
  let inputs: string;

  // A private temporary folder (jest's process.env does not reach os.tmpdir(), so TMPDIR cannot be set here).
  beforeEach(() => {
    inputs = tempDir();
    tmp = tempDir('vla-bridge-tmpdir-');
    jest.spyOn(jest.requireActual<typeof import('node:os')>('node:os'), 'tmpdir').mockReturnValue(tmp);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each(['sqlite3/talker_zstd_file', 'mcap/talker_zstd_file'])('%s: one copy while open, none after close', async (bag) => {
    const reader = await BagReader.open(join(FIXTURES, bag));
    try {
      // (A WAL-mode .db3 is read through a link in a second private folder, as any WAL-mode .db3.)
      const copies = readdirSync(tmp).filter((name) => name.startsWith('vla-bridge-zstd-'));
      expect(copies).toHaveLength(1);
      expect(readdirSync(join(tmp, copies[0]!))).toEqual([bag.startsWith('mcap') ? 'talker.mcap' : 'talker.db3']);
      for await (const _ of reader.messages()) void _;
    } finally {
      await reader.close();
    }
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('none after an error: a truncated file, a corrupt second split file, a copy that is not a bag', async () => {
    const bytes = readFileSync(join(FIXTURES, 'sqlite3/talker_zstd_file/talker.db3.zstd'));
    writeFileSync(join(inputs, 'cut.db3.zstd'), bytes.subarray(0, bytes.length >> 1));
    const split = join(inputs, 'split');
    mkdirSync(split);
    copyFileSync(join(FIXTURES, 'sqlite3/talker_zstd_file/talker.db3.zstd'), join(split, 'b_0.db3.zstd'));
    writeFileSync(join(split, 'b_1.db3.zstd'), bytes.subarray(0, bytes.length - 10));
    // Decompresses fine, but holds the first half of a .db3 only.
    const db3 = readFileSync(join(FIXTURES, 'sqlite3/talker/talker.db3'));
    writeFileSync(join(inputs, 'half.db3.zstd'), await zstdFrame(db3.subarray(0, db3.length >> 1)));
    for (const path of [join(inputs, 'cut.db3.zstd'), split, join(inputs, 'half.db3.zstd')]) {
      expect(await failure(path)).toMatchObject({ code: 'BAG_INVALID' });
      expect({ path, left: readdirSync(tmp) }).toEqual({ path, left: [] });
    }
  });
});

describe('corrupt or truncated zstd: BAG_INVALID (exit 2) naming the file and what to do', () => {
  it.each([0.05, 0.5, 0.95])('refuses a .mcap.zstd cut at %s of its length as truncated', async (fraction) => {
    const bytes = readFileSync(join(FIXTURES, 'mcap/talker_zstd_file/talker.mcap.zstd'));
    const file = join(tempDir(), 'talker.mcap.zstd');
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * fraction)));
    const err = await failure(file);
    expect(err).toMatchObject({ code: 'BAG_INVALID', kind: 'input', file });
    expect(err!.message).toMatch(/truncated/);
    expect(err!.hint).toMatch(/zstd -t/);
  });

  // The first of the file's two frames holds the MCAP data section (the reader tolerates a damaged summary).
  it.each([20, 500, 1500, 3000, 4500])('refuses a .mcap.zstd with a damaged byte at %s, through zstd or the MCAP CRCs', async (at) => {
    const bytes = readFileSync(join(FIXTURES, 'mcap/talker_zstd_file/talker.mcap.zstd'));
    bytes[at]! ^= 0x55;
    const file = join(tempDir(), 'talker.mcap.zstd');
    writeFileSync(file, bytes);
    const err = await failure(file);
    expect(err).toMatchObject({ code: 'BAG_INVALID', file });
    expect(err!.message).toMatch(/zstd|corrupt/);
  });

  it('refuses zstd data that is not a bag, or not zstd after its magic number', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'text.db3.zstd'), await zstdFrame(new TextEncoder().encode('hello, this is not a sqlite3 database')));
    writeFileSync(join(dir, 'junk.mcap.zstd'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    expect(await failure(join(dir, 'text.db3.zstd'))).toMatchObject({
      code: 'BAG_INVALID',
      file: join(dir, 'text.db3.zstd'),
      message: expect.stringMatching(/once decompressed/),
    });
    expect(await failure(join(dir, 'junk.mcap.zstd'))).toMatchObject({
      code: 'BAG_INVALID',
      file: join(dir, 'junk.mcap.zstd'),
      message: expect.stringMatching(/does not decompress/),
    });
  });

  it('names the topic and the message whose payload does not decompress in a message-compressed bag', async () => {
    const messages = await Promise.all(Array.from({ length: 5 }, async (_, i) => ({ ...js(i), data: await zstdFrame(js(i).data) })));
    const cut = tempDir();
    writeSqliteBag(join(cut, 'b_0.db3'), {
      layout: 'iron',
      topics: [JS],
      messages: messages.map((m, i) => (i === 3 ? { ...m, data: m.data.subarray(0, m.data.length - 4) } : m)),
    });
    writeMetadataYaml(cut, {
      version: 8,
      storage: 'sqlite3',
      compressionMode: 'MESSAGE',
      files: [{ path: 'b_0.db3', messageCount: 5 }],
      topics: [{ name: JS.name, type: JS.type, count: 5 }],
    });
    const err = await failure(cut);
    expect(err).toMatchObject({
      code: 'BAG_INVALID',
      file: join(cut, 'b_0.db3'),
      path: JS.name,
      message: expect.stringMatching(/^message 3 on \/joint_states \(log time 1003000000 ns\) does not decompress: .*truncated/),
    });
    const plain = tempDir();
    writeSqliteBag(join(plain, 'b_0.db3'), { layout: 'iron', topics: [JS], messages: [js(0)] });
    writeMetadataYaml(plain, {
      version: 8,
      storage: 'sqlite3',
      compressionMode: 'MESSAGE',
      files: [{ path: 'b_0.db3', messageCount: 1 }],
      topics: [{ name: JS.name, type: JS.type, count: 1 }],
    });
    expect(await failure(plain)).toMatchObject({
      code: 'BAG_INVALID',
      path: JS.name,
      message: expect.stringMatching(/message 0 .* not zstd data/),
      hint: expect.stringMatching(/compression_mode/),
    });
  });
});
