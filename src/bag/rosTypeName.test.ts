import { isServiceEventTopic, normalizeTypeName, shortTypeName, typePackage } from './rosTypeName';

describe('ROS type names', () => {
  it('normalizes legacy names to pkg/msg/Name and leaves full names alone', () => {
    expect(normalizeTypeName('sensor_msgs/Image')).toBe('sensor_msgs/msg/Image');
    expect(normalizeTypeName('sensor_msgs/msg/Image')).toBe('sensor_msgs/msg/Image');
    expect(normalizeTypeName('example_interfaces/srv/AddTwoInts_Event')).toBe('example_interfaces/srv/AddTwoInts_Event');
    expect(normalizeTypeName(' std_msgs/String ')).toBe('std_msgs/msg/String');
  });

  it('shortens message names for .msg text, not service or action names', () => {
    expect(shortTypeName('std_msgs/msg/Header')).toBe('std_msgs/Header');
    expect(shortTypeName('std_msgs/Header')).toBe('std_msgs/Header');
    expect(shortTypeName('pkg/srv/Name_Event')).toBe('pkg/srv/Name_Event');
    expect(typePackage('pkg/msg/Name')).toBe('pkg');
    expect(typePackage('Name')).toBeUndefined();
  });

  it('recognizes service event topics as rosbag2 does', () => {
    expect(isServiceEventTopic('/add_two_ints/_service_event', 'example_interfaces/srv/AddTwoInts_Event')).toBe(true);
    expect(isServiceEventTopic('/add_two_ints/_service_event', 'std_msgs/msg/String')).toBe(false);
    expect(isServiceEventTopic('/chatter', 'example_interfaces/srv/AddTwoInts_Event')).toBe(false);
  });
});
