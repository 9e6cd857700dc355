import { loadEmbodiment } from '../config/loadEmbodiment';
import { checkJointNames, planReplay } from './planReplay';

const panda = loadEmbodiment('franka_panda');
const BAG = [
  { name: '/camera/color/image_raw', type: 'sensor_msgs/msg/Image', count: 30 },
  { name: '/gripper_controller/commands', type: 'std_msgs/msg/Float64MultiArray', count: 200 },
  { name: '/joint_states', type: 'sensor_msgs/msg/JointState', count: 300 },
  { name: '/panda_arm_controller/joint_trajectory', type: 'trajectory_msgs/msg/JointTrajectory', count: 200 },
  { name: '/vla_bridge/instruction', type: 'std_msgs/msg/String', count: 1 },
];
const options = { bag: 'run.mcap', instructionTopic: '/vla_bridge/instruction' };
const without = (name: string) => BAG.filter((t) => t.name !== name);

describe('planReplay', () => {
  it("reads the embodiment's joint states and cameras, compares its command topics, and finds the instruction", () => {
    const plan = planReplay(BAG, panda, options);
    expect(plan.sensors).toEqual([
      { topic: '/joint_states', type: 'sensor_msgs/msg/JointState' },
      { topic: '/camera/color/image_raw', type: 'sensor_msgs/msg/Image' },
    ]);
    expect(plan.channels.map((c) => [c.channel.topic, c.recordedType, c.channel.dimensions.length])).toEqual([
      ['/panda_arm_controller/joint_trajectory', 'trajectory_msgs/msg/JointTrajectory', 7],
      ['/gripper_controller/commands', 'std_msgs/msg/Float64MultiArray', 1],
    ]);
    expect(plan.instructionTopic).toBe('/vla_bridge/instruction');
    expect(plan.warnings).toEqual([]);
  });

  it('names every missing topic (a topic without messages is missing) and lists what the bag has', () => {
    const bag = without('/joint_states').map((t) => (t.name === '/camera/color/image_raw' ? { ...t, count: 0 } : t));
    expect(() => planReplay(bag, panda, options)).toThrow(
      expect.objectContaining({
        code: 'BAG_TOPIC_MISSING',
        kind: 'input',
        file: 'run.mcap',
        path: '/joint_states',
        message: expect.stringMatching(
          /needs: \/joint_states \(sensor_msgs\/msg\/JointState, joint states\); \/camera\/color\/image_raw \(sensor_msgs\/msg\/Image, camera "primary"\)\. The bag has: \/camera\/color\/image_raw \(sensor_msgs\/msg\/Image, 0\)/,
        ),
      }),
    );
  });

  it('refuses a topic of another type, naming both types', () => {
    const bag = BAG.map((t) => (t.name === '/camera/color/image_raw' ? { ...t, type: 'sensor_msgs/msg/CompressedImage' } : t));
    expect(() => planReplay(bag, panda, options)).toThrow(
      expect.objectContaining({
        code: 'BAG_TOPIC_MISMATCH',
        message: expect.stringContaining(
          'carries sensor_msgs/msg/CompressedImage, and embodiment "franka_panda" reads sensor_msgs/msg/Image',
        ),
      }),
    );
  });

  it('goes on without a gripper topic (not compared, with a warning) but not without the arm commands', () => {
    expect(planReplay(without('/gripper_controller/commands'), panda, options).warnings).toEqual([
      'the bag has no commands on /gripper_controller/commands: panda_finger_joint1 not compared',
    ]);
    expect(() => planReplay(without('/panda_arm_controller/joint_trajectory'), panda, options)).toThrow(
      /\/panda_arm_controller\/joint_trajectory \(the recorded commands to compare with\)/,
    );
  });

  it('needs an instruction: in the bag or given', () => {
    expect(() => planReplay(without('/vla_bridge/instruction'), panda, options)).toThrow(
      expect.objectContaining({ code: 'ARGUMENT_INVALID', path: '--instruction' }),
    );
    expect(
      planReplay(without('/vla_bridge/instruction'), panda, { ...options, instruction: 'reach the red cube' }).instructionTopic,
    ).toBeUndefined();
  });
});

describe('checkJointNames', () => {
  const names = [...panda.commandJointNames];
  it('refuses joint states that do not name every commanded joint, naming the first missing', () => {
    const message = { name: names.slice(0, 7) };
    expect(() => checkJointNames(panda, 'b', { topic: '/joint_states', message }, undefined)).toThrow(
      expect.objectContaining({
        code: 'BAG_TOPIC_MISMATCH',
        joint: 'panda_finger_joint1',
        message: expect.stringContaining('do not name panda_finger_joint1'),
      }),
    );
    expect(() => checkJointNames(panda, 'b', { topic: '/joint_states', message: { name: names } }, undefined)).not.toThrow();
  });

  it('refuses recorded joint commands that name none of the compared joints', () => {
    const command = {
      topic: '/arm',
      type: 'trajectory_msgs/msg/JointTrajectory',
      message: { joint_names: ['shoulder_pan_joint'] },
      dimensions: names.slice(0, 7),
    };
    expect(() => checkJointNames(panda, 'b', undefined, command)).toThrow(/name shoulder_pan_joint, none of panda_joint1/);
    expect(() => checkJointNames(panda, 'b', undefined, { ...command, message: { joint_names: ['panda_joint3'] } })).not.toThrow();
  });
});
