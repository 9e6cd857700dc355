import type { Embodiment } from '../config/Embodiment';
import { commandTopics, DEFAULT_INSTRUCTION_TOPIC } from '../outputs/nodeTopics';

/**
 * The topics a recording needs for `export-lerobot` and `eval`: the joint states, every camera, the commands
 * really sent (arm, then gripper), and the instruction that names each episode's task.
 */
export function recordTopicsFor(embodiment: Embodiment, instructionTopic = DEFAULT_INSTRUCTION_TOPIC): string[] {
  const { topics } = embodiment.config;
  return [topics.joint_states, ...topics.cameras.map((c) => c.topic), ...commandTopics(embodiment), instructionTopic];
}
