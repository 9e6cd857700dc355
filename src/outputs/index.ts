/**
 * The node's outputs in one place: its topic and service names (relative, and resolved for the default node
 * name), the dry-run preview topics, the embodiment's command topics, and the converters between the core's
 * types and the vla_bridge/msg/* messages. The ROS node, the simulator's recorder, eval and export use these.
 */
export { expandTopicName } from './expandTopicName';
export {
  commandTopics,
  DEFAULT_INSTRUCTION_TOPIC,
  NODE_NAME,
  NODE_SERVICES,
  NODE_TOPICS,
  previewTopic,
  RESOLVED_NODE_TOPICS,
  resolvedPreviewTopic,
  resolveNodeName,
} from './nodeTopics';
export { actionChunkFromMsg, actionChunkToMsg, safetyEventFromMsg, safetyEventToMsg } from './vlaConverters';
