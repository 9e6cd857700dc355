import type { Embodiment } from '../../config/Embodiment';

/** Topics the node itself offers (the pipeline adds cameras, joint states and commands from the embodiment). */
export const NODE_TOPICS = {
  status: '~/status',
  safetyEvents: '~/safety_events',
  actionChunk: '~/action_chunk',
  diagnostics: '/diagnostics',
  instruction: '~/instruction',
  estop: '~/estop',
} as const;

export const NODE_SERVICES = {
  setInstruction: '~/set_instruction',
  reset: '~/reset',
} as const;

/** Where a command topic's messages go in a dry run: `/arm_controller/joint_trajectory` -> `~/preview/arm_controller/joint_trajectory`. */
export function previewTopic(commandTopic: string): string {
  return `~/preview${commandTopic.startsWith('/') ? '' : '/'}${commandTopic}`;
}

/** Every topic on which the embodiment's commands go out (arm, and the gripper when it has its own topic). */
export function commandTopics(embodiment: Embodiment): string[] {
  const topics = [embodiment.config.control.command_topic];
  const gripperTopic = embodiment.config.gripper?.command_topic;
  if (gripperTopic !== undefined) topics.push(gripperTopic);
  return topics;
}
