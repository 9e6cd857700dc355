import type { Embodiment } from '../config/Embodiment';
import { expandTopicName } from './expandTopicName';

/**
 * The node's own names, in one place: what it publishes and subscribes to besides the embodiment's sensor and
 * command topics, its services, and where dry-run commands go. Relative names (`~/...`) are what the node
 * creates; the resolved names are what they become for the default node name, as `sim --record`, `eval`
 * and `export-lerobot` write and read them in bags.
 */

/** The node's name when nothing renames it (launch files and `vla-bridge run` use it). */
export const NODE_NAME = 'vla_bridge';

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

/** A node topic or service name as rcl resolves it for a node named `nodeName` in `namespace`. */
export function resolveNodeName(name: string, nodeName = NODE_NAME, namespace = '/'): string {
  return expandTopicName(name, nodeName, namespace);
}

type Resolved<T> = { readonly [K in keyof T]: string };
const resolveAll = <T extends Record<string, string>>(names: T): Resolved<T> =>
  Object.fromEntries(Object.entries(names).map(([key, name]) => [key, resolveNodeName(name)])) as Resolved<T>;

/** NODE_TOPICS resolved for the default node name (`~/status` -> `/vla_bridge/status`). */
export const RESOLVED_NODE_TOPICS = resolveAll(NODE_TOPICS);

/** The bag topic of the instruction by default: the node's ~/instruction, as `vla-bridge sim --record` writes it. */
export const DEFAULT_INSTRUCTION_TOPIC = RESOLVED_NODE_TOPICS.instruction;

/** Where a command topic's messages go in a dry run: `/arm_controller/joint_trajectory` -> `~/preview/arm_controller/joint_trajectory`. */
export function previewTopic(commandTopic: string): string {
  return `~/preview${commandTopic.startsWith('/') ? '' : '/'}${commandTopic}`;
}

/** previewTopic resolved for the default node name: `/vla_bridge/preview/arm_controller/joint_trajectory`. */
export function resolvedPreviewTopic(commandTopic: string): string {
  return resolveNodeName(previewTopic(commandTopic));
}

/** Every topic on which the embodiment's commands go out (arm, and the gripper when it has its own topic). */
export function commandTopics(embodiment: Embodiment): string[] {
  const topics = [embodiment.config.control.command_topic];
  const gripperTopic = embodiment.config.gripper?.command_topic;
  if (gripperTopic !== undefined) topics.push(gripperTopic);
  return topics;
}
