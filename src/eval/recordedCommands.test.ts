import { POSE_DIMENSIONS, recordedCommandSamples } from './recordedCommands';

const header = { stamp: { sec: 0, nanosec: 0 }, frame_id: '' };

describe('recordedCommandSamples', () => {
  it('maps a JointTrajectory by joint name, one sample per point, from the log time when the stamp is zero', () => {
    const msg = {
      header,
      joint_names: ['j2', 'j1'],
      points: [
        { positions: [0.2, 0.1], velocities: [], accelerations: [], effort: [], time_from_start: { sec: 0, nanosec: 0 } },
        { positions: [0.4, 0.3], velocities: [], accelerations: [], effort: [], time_from_start: { sec: 0, nanosec: 100_000_000 } },
      ],
    };
    const samples = recordedCommandSamples('trajectory_msgs/msg/JointTrajectory', msg, 1_000_000_000n, ['j1', 'j2', 'j3']);
    expect(samples.map((s) => [s.tNs, Array.from(s.values)])).toEqual([
      [1_000_000_000n, [0.1, 0.2, NaN]],
      [1_100_000_000n, [0.3, 0.4, NaN]],
    ]);
  });

  it('uses a JointTrajectory header stamp when it has one', () => {
    const msg = {
      header: { stamp: { sec: 5, nanosec: 0 }, frame_id: '' },
      joint_names: ['j1'],
      points: [{ positions: [1], velocities: [], accelerations: [], effort: [], time_from_start: { sec: 1, nanosec: 0 } }],
    };
    expect(recordedCommandSamples('trajectory_msgs/msg/JointTrajectory', msg, 99n, ['j1'])[0]!.tNs).toBe(6_000_000_000n);
  });

  it('maps JointState by name and Float64MultiArray in the controller order, refusing a wrong length', () => {
    const js = { header, name: ['b', 'a'], position: new Float64Array([2, 1]), velocity: [], effort: [] };
    expect(Array.from(recordedCommandSamples('sensor_msgs/msg/JointState', js, 7n, ['a', 'b'])[0]!.values)).toEqual([1, 2]);
    const arr = { layout: { dim: [], data_offset: 0 }, data: new Float64Array([1, 2]) };
    expect(Array.from(recordedCommandSamples('std_msgs/msg/Float64MultiArray', arr, 7n, ['a', 'b'])[0]!.values)).toEqual([1, 2]);
    expect(() => recordedCommandSamples('std_msgs/msg/Float64MultiArray', arr, 7n, ['a', 'b', 'c'])).toThrow(
      /2 values but the embodiment commands 3 joints/,
    );
  });

  it('reads Cartesian commands by axis and refuses other types', () => {
    const pose = { header, pose: { position: { x: 1, y: 2, z: 3 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } };
    expect(Array.from(recordedCommandSamples('geometry_msgs/msg/PoseStamped', pose, 1n, POSE_DIMENSIONS)[0]!.values)).toEqual([
      1, 2, 3, 0, 0, 0, 1,
    ]);
    expect(() => recordedCommandSamples('std_msgs/msg/String', { data: '' }, 1n, ['a'])).toThrow(
      expect.objectContaining({ code: 'BAG_UNSUPPORTED' }),
    );
  });
});

describe('recordedCommandSamples in joint_velocity mode', () => {
  it('reads the velocities of JointTrajectory points and JointState commands, by name', () => {
    const trajectory = {
      header,
      joint_names: ['j2', 'j1'],
      points: [{ positions: [0.2, 0.1], velocities: [2, 1], accelerations: [], effort: [], time_from_start: { sec: 0, nanosec: 0 } }],
    };
    expect(
      Array.from(recordedCommandSamples('trajectory_msgs/msg/JointTrajectory', trajectory, 5n, ['j1', 'j2'], 'velocity')[0]!.values),
    ).toEqual([1, 2]);
    const js = { header, name: ['j1', 'j2'], position: [], velocity: new Float64Array([0.5, -0.5]), effort: [] };
    expect(Array.from(recordedCommandSamples('sensor_msgs/msg/JointState', js, 5n, ['j2', 'j1'], 'velocity')[0]!.values)).toEqual([
      -0.5, 0.5,
    ]);
  });
});
