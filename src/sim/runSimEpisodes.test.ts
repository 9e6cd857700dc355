import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BagReader } from '../bag/BagReader';
import type { Embodiment } from '../config/Embodiment';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { runSimEpisodes } from './runSimEpisodes';

const panda = loadEmbodiment('franka_panda');

describe('runSimEpisodes', () => {
  it('the scripted expert reaches the named cube through the whole pipeline, without safety interventions', async () => {
    const s = await runSimEpisodes({ embodiment: panda, policy: 'scripted', episodes: 3, seed: 11 });
    expect(s.success_rate).toBe(1);
    expect(s.safety_interventions).toBe(0);
    expect(s.overdue_ticks).toBe(0);
    expect(s.results.every((r) => r.finalDistanceM <= 0.05)).toBe(true);
    expect(Object.values(s.per_task).reduce((n, t) => n + t.episodes, 0)).toBe(3);
  });

  it.each<[string, Partial<Embodiment['config']['control']>]>([
    [
      'Cartesian pose (PoseStamped)',
      { mode: 'cartesian_pose', command_type: 'geometry_msgs/msg/PoseStamped', command_topic: '/servo/pose' },
    ],
    [
      'Cartesian twist (TwistStamped)',
      { mode: 'cartesian_twist', command_type: 'geometry_msgs/msg/TwistStamped', command_topic: '/servo/twist' },
    ],
    [
      'joint velocity (Float64MultiArray)',
      { mode: 'joint_velocity', command_type: 'std_msgs/msg/Float64MultiArray', command_topic: '/velocity_controller/commands' },
    ],
    [
      'joint position (JointState)',
      { mode: 'joint_position', command_type: 'sensor_msgs/msg/JointState', command_topic: '/joint_command' },
    ],
  ])('drives the simulated arm to the goal in %s mode', async (_name, control) => {
    const embodiment = { ...panda, config: { ...panda.config, control: { ...panda.config.control, ...control } } };
    const s = await runSimEpisodes({ embodiment, policy: 'scripted', episodes: 1, seed: 1 });
    expect(s.success_rate).toBe(1);
    expect(s.safety_interventions).toBe(0);
  });

  it('is deterministic for a seed', async () => {
    const a = await runSimEpisodes({ embodiment: panda, policy: 'scripted', episodes: 2, seed: 3 });
    const b = await runSimEpisodes({ embodiment: panda, policy: 'scripted', episodes: 2, seed: 3 });
    const key = (s: typeof a) => s.results.map((r) => [r.instruction, r.durationS, r.finalDistanceM, r.stats.commandsSent]);
    expect(key(b)).toEqual(key(a));
  });

  it('records camera, joint states, commands and instructions as a rosbag2 MCAP with ROS 2 schemas', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vla-sim-'));
    try {
      const s = await runSimEpisodes({ embodiment: panda, policy: 'scripted', episodes: 1, seed: 2, recordPath: join(dir, 'run.mcap') });
      const reader = await BagReader.open(s.recording!);
      const info = await reader.info();
      const types = Object.fromEntries(info.topics.map((t) => [t.name, t.type]));
      expect(types).toMatchObject({
        '/camera/color/image_raw': 'sensor_msgs/msg/Image',
        '/joint_states': 'sensor_msgs/msg/JointState',
        '/panda_arm_controller/joint_trajectory': 'trajectory_msgs/msg/JointTrajectory',
        '/gripper_controller/commands': 'std_msgs/msg/Float64MultiArray',
        '/vla_bridge/instruction': 'std_msgs/msg/String',
      });
      const commands = info.topics.find((t) => t.name === '/panda_arm_controller/joint_trajectory')!;
      expect(commands.count).toBe(s.results[0]!.stats.commandsSent / 2);
      for await (const m of reader.messages<{ width: number; height: number; encoding: string; data: Uint8Array }>({
        topics: ['/camera/color/image_raw'],
      })) {
        expect([m.message.width, m.message.height, m.message.encoding, m.message.data.length]).toEqual([96, 96, 'rgb8', 96 * 96 * 3]);
        break;
      }
      await reader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
