import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BagReader } from '../BagReader';
import { ROS_TYPES } from '../../msgs/rosMessages';
import { MessageDefinitionLibrary, msgDependencies } from './MessageDefinitionLibrary';
import { DEFINITION_SEPARATOR, parseDefinitionText } from './parseDefinitionText';

const FIXTURES = join(__dirname, '../../../test/fixtures/bags');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Parsed definitions without the parts that do not change the encoding (comments are gone already). */
function shape(text: string): unknown {
  return parseDefinitionText(text).map((d) => ({
    name: d.name,
    fields: d.definitions.filter((f) => f.isConstant !== true).map((f) => [f.name, f.type, f.isArray ?? false, f.arrayLength]),
  }));
}

describe('MessageDefinitionLibrary', () => {
  it('writes the full text in rosbag2 layout: root, then 80 "=" and "MSG: pkg/Name" per dependency', () => {
    const text = new MessageDefinitionLibrary({ msgDirectories: [] }).fullText('sensor_msgs/msg/JointState')!;
    expect(text.startsWith('std_msgs/Header header\nstring[] name\nfloat64[] position\n')).toBe(true);
    expect(text).toContain(`\n${DEFINITION_SEPARATOR}\nMSG: std_msgs/Header\nbuiltin_interfaces/Time stamp\nstring frame_id\n`);
    expect(text).toContain(`\n${DEFINITION_SEPARATOR}\nMSG: builtin_interfaces/Time\nint32 sec\nuint32 nanosec\n`);
    expect(text.split(DEFINITION_SEPARATOR)).toHaveLength(3);
  });

  it('describes JointState exactly as the definition a real Humble bag stores', async () => {
    const reader = await BagReader.open(join(FIXTURES, 'mcap/array_msgs'));
    const stored = reader.topic('/one_shot/joint_state')!.definition!.text;
    await reader.close();
    const ours = new MessageDefinitionLibrary({ msgDirectories: [] }).fullText('sensor_msgs/msg/JointState')!;
    expect(shape(ours)).toEqual(shape(stored));
  });

  it('knows every message type the bridge reads or writes', () => {
    const library = new MessageDefinitionLibrary({ msgDirectories: [] });
    for (const type of Object.values(ROS_TYPES)) expect({ type, known: library.parsed(type) !== undefined }).toEqual({ type, known: true });
    expect(library.fullText('nonexistent_msgs/msg/Nothing')).toBeUndefined();
  });

  it('reads a package .msg folder at run time, resolving same-package and common dependencies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vla-msg-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'msg'));
    writeFileSync(join(dir, 'msg', 'Sample.msg'), '# one sample\nstd_msgs/Header header\nfloat64 value\n');
    writeFileSync(join(dir, 'msg', 'Batch.msg'), 'uint8 KIND_A=1\nSample[] samples\nstring<=8 label\nfloat32[3] xyz\n');
    const library = new MessageDefinitionLibrary({ msgDirectories: [{ package: 'my_pkg', dir: join(dir, 'msg') }] });
    const text = library.fullText('my_pkg/msg/Batch')!;
    expect(text.startsWith('uint8 KIND_A=1\nSample[] samples\n')).toBe(true);
    expect(text).toContain('MSG: my_pkg/Sample\n# one sample\n');
    expect(text).toContain('MSG: std_msgs/Header\n');
    const parsed = library.parsed('my_pkg/msg/Batch')!;
    expect(parsed[0]!.definitions.map((f) => f.name)).toEqual(['KIND_A', 'samples', 'label', 'xyz']);
    expect(library.fullText('other_pkg/msg/Batch')).toBeUndefined();
  });

  it('lists dependencies like rosbag2 does: non-primitive field types, unqualified ones in the package', () => {
    expect(
      msgDependencies(
        '# Header header\nHeader header\nstd_msgs/Header h2\nfloat64[] x\nstring<=4 s\nPoint[<=3] p\nint32 C=1\n',
        'geometry_msgs',
      ),
    ).toEqual(['geometry_msgs/Header', 'geometry_msgs/Point', 'std_msgs/Header']);
  });
});
