import type { Embodiment } from '../config/Embodiment';
import type { EmbodimentConfig } from '../config/EmbodimentConfig';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { commandChannelsFor } from './commandChannels';
import { POSE_DIMENSIONS, TWIST_DIMENSIONS } from './recordedCommands';

const panda = loadEmbodiment('franka_panda');
const withControl = (e: Embodiment, control: Partial<EmbodimentConfig['control']>): Embodiment => ({
  ...e,
  config: { ...e.config, control: { ...e.config.control, ...control } },
});

describe('commandChannelsFor', () => {
  it('splits the arm topic and the gripper topic, each in the embodiment order, with units', () => {
    const [arm, gripper, ...rest] = commandChannelsFor(panda);
    expect(arm).toMatchObject({
      topic: '/panda_arm_controller/joint_trajectory',
      type: 'trajectory_msgs/msg/JointTrajectory',
      dimensions: panda.armJointNames,
      field: 'position',
    });
    expect(arm!.units).toEqual(Array(7).fill('rad'));
    expect(gripper).toMatchObject({
      topic: '/gripper_controller/commands',
      type: 'std_msgs/msg/Float64MultiArray',
      dimensions: ['panda_finger_joint1'],
      units: ['m'],
    });
    expect(rest).toEqual([]);
  });

  it('keeps the gripper in the arm command when it has no topic of its own', () => {
    const so101 = loadEmbodiment('so101');
    expect(commandChannelsFor(so101).map((c) => [c.topic, c.dimensions])).toEqual([
      ['/forward_position_controller/commands', so101.commandJointNames],
    ]);
  });

  it('compares velocities in joint_velocity mode and axes in the Cartesian modes', () => {
    expect(commandChannelsFor(withControl(panda, { mode: 'joint_velocity' }))[0]).toMatchObject({
      field: 'velocity',
      units: Array(7).fill('rad/s'),
    });
    expect(
      commandChannelsFor(withControl(panda, { mode: 'cartesian_twist', command_type: 'geometry_msgs/msg/TwistStamped' }))[0]!.dimensions,
    ).toEqual(TWIST_DIMENSIONS);
    expect(
      commandChannelsFor(withControl(panda, { mode: 'cartesian_pose', command_type: 'geometry_msgs/msg/PoseStamped' }))[0]!.dimensions,
    ).toEqual(POSE_DIMENSIONS);
  });
});
