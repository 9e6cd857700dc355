import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bagMetadataYaml, readBagMetadata } from './BagMetadata';
import { removeTempDirs, tempDir, writeMetadataYaml } from '../../test/support/bag/writeTestBags';

const FIXTURES = join(__dirname, '../../test/fixtures/bags');
afterAll(removeTempDirs);

describe('readBagMetadata', () => {
  it.each([
    ['mcap/talker', 4, 'mcap'],
    ['mcap/array_msgs', 5, 'mcap'],
    ['mcap/cdr_test', 7, 'mcap'],
    ['sqlite3/talker', 4, 'sqlite3'],
  ])('reads the real %s metadata.yaml (version %i)', (bag, version, storage) => {
    const m = readBagMetadata(join(FIXTURES, bag, 'metadata.yaml'));
    expect(m.version).toBe(version);
    expect(m.storage_identifier).toBe(storage);
    expect(m.relative_file_paths.length).toBe(1);
    expect(m.topics_with_message_count.length).toBeGreaterThan(0);
  });

  it('keeps every digit of epoch nanoseconds', () => {
    const m = readBagMetadata(join(FIXTURES, 'mcap/array_msgs/metadata.yaml'));
    expect(m.starting_time!.nanoseconds_since_epoch).toBe(1754489469740737342n);
    expect(m.duration!.nanoseconds).toBe(1302834343n);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9])('reads the fields rosbag2 writes at version %i', (version) => {
    const dir = tempDir();
    writeMetadataYaml(dir, {
      version,
      storage: 'mcap',
      files: [{ path: 'b_0.mcap', messageCount: 3 }],
      topics: [{ name: '/a', type: 'std_msgs/msg/String', count: 3 }],
      startNs: 1754489469740737342n,
      durationNs: 5n,
    });
    const m = readBagMetadata(join(dir, 'metadata.yaml'));
    expect(m.version).toBe(version);
    expect(m.relative_file_paths).toEqual(['b_0.mcap']);
    expect(m.topics_with_message_count[0]!.topic_metadata.name).toBe('/a');
    expect(m.topics_with_message_count[0]!.message_count).toBe(3n);
    expect(m.files === undefined || m.files === null ? undefined : m.files[0]!.path).toBe(version >= 5 ? 'b_0.mcap' : undefined);
  });

  it('names the missing field', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'metadata.yaml'),
      'rosbag2_bagfile_information:\n  version: 5\n  storage_identifier: mcap\n  ' +
        'topics_with_message_count:\n    - topic_metadata: {type: std_msgs/msg/String}\n',
    );
    expect(() => readBagMetadata(join(dir, 'metadata.yaml'))).toThrow(
      expect.objectContaining({ code: 'BAG_INVALID', path: 'rosbag2_bagfile_information.topics_with_message_count.0.topic_metadata.name' }),
    );
  });
});

describe('bagMetadataYaml', () => {
  it('writes version 5 metadata that reads back with the same files, topics, counts and times', () => {
    const dir = tempDir();
    const yaml = bagMetadataYaml({
      storageIdentifier: 'mcap',
      topics: [
        {
          name: '/joint_states',
          type: 'sensor_msgs/msg/JointState',
          serializationFormat: 'cdr',
          offeredQosProfiles: '- history: 3',
          messageCount: 4,
        },
      ],
      files: [{ path: 'run_0.mcap', startNs: 1754489469740737342n, durationNs: 30n, messageCount: 4 }],
    });
    writeFileSync(join(dir, 'metadata.yaml'), yaml);
    const m = readBagMetadata(join(dir, 'metadata.yaml'));
    expect(m).toMatchObject({
      version: 5,
      storage_identifier: 'mcap',
      message_count: 4n,
      relative_file_paths: ['run_0.mcap'],
      compression_mode: '',
    });
    expect(m.starting_time!.nanoseconds_since_epoch).toBe(1754489469740737342n);
    expect(m.duration!.nanoseconds).toBe(30n);
    expect(m.files![0]).toMatchObject({ path: 'run_0.mcap', message_count: 4n });
    expect(m.topics_with_message_count[0]).toMatchObject({
      message_count: 4n,
      topic_metadata: {
        name: '/joint_states',
        type: 'sensor_msgs/msg/JointState',
        serialization_format: 'cdr',
        offered_qos_profiles: '- history: 3',
      },
    });
  });
});
