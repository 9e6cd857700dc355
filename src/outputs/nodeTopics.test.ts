import { loadEmbodiment } from '../config/loadEmbodiment';
import {
  commandTopics,
  DEFAULT_INSTRUCTION_TOPIC,
  NODE_TOPICS,
  previewTopic,
  RESOLVED_NODE_TOPICS,
  resolvedPreviewTopic,
  resolveNodeName,
} from './nodeTopics';

describe('the node topics', () => {
  it('resolve for the default node name as rcl expands them', () => {
    expect(RESOLVED_NODE_TOPICS).toEqual({
      status: '/vla_bridge/status',
      safetyEvents: '/vla_bridge/safety_events',
      actionChunk: '/vla_bridge/action_chunk',
      diagnostics: '/diagnostics',
      instruction: '/vla_bridge/instruction',
      estop: '/vla_bridge/estop',
    });
    expect(DEFAULT_INSTRUCTION_TOPIC).toBe('/vla_bridge/instruction');
    expect(resolveNodeName(NODE_TOPICS.status, 'arm_bridge', '/left')).toBe('/left/arm_bridge/status');
  });

  it('send dry-run commands under ~/preview, absolute and relative command topics alike', () => {
    expect(previewTopic('/arm_controller/joint_trajectory')).toBe('~/preview/arm_controller/joint_trajectory');
    expect(previewTopic('arm_controller/commands')).toBe('~/preview/arm_controller/commands');
    expect(resolvedPreviewTopic('/arm_controller/joint_trajectory')).toBe('/vla_bridge/preview/arm_controller/joint_trajectory');
  });

  it('list the arm command topic, then the gripper topic when the gripper has its own', () => {
    expect(commandTopics(loadEmbodiment('franka_panda'))).toEqual([
      '/panda_arm_controller/joint_trajectory',
      '/gripper_controller/commands',
    ]);
    for (const name of ['ur5e', 'widowx_250s', 'so101']) {
      const e = loadEmbodiment(name);
      expect(commandTopics(e)[0]).toBe(e.config.control.command_topic);
      expect(commandTopics(e)).toHaveLength(e.config.gripper?.command_topic === undefined ? 1 : 2);
    }
  });
});
