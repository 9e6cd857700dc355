/**
 * ROS 2 interface type names. rosbag2 spells them `pkg/msg/Name` (services `pkg/srv/Name_Event`, actions
 * `pkg/action/Name_FeedbackMessage`); bags from 2019 and ROS 1 habits spell messages `pkg/Name`; .msg files
 * and the @foxglove parsers refer to other messages as `pkg/Name`.
 */

const FULL = /^([A-Za-z][A-Za-z0-9_]*)\/(msg|srv|action|idl)\/([A-Za-z][A-Za-z0-9_]*)$/;
const SHORT = /^([A-Za-z][A-Za-z0-9_]*)\/([A-Za-z][A-Za-z0-9_]*)$/;

/** `sensor_msgs/Image` -> `sensor_msgs/msg/Image`; full names and names it does not recognize come back unchanged. */
export function normalizeTypeName(type: string): string {
  const trimmed = type.trim();
  const short = SHORT.exec(trimmed);
  return short === null ? trimmed : `${short[1]}/msg/${short[2]}`;
}

/** `sensor_msgs/msg/Image` -> `sensor_msgs/Image` (how .msg text names a field type); other names unchanged. */
export function shortTypeName(type: string): string {
  const full = FULL.exec(type.trim());
  return full === null || full[2] !== 'msg' ? type.trim() : `${full[1]}/${full[3]}`;
}

/** The package of `pkg/msg/Name` or `pkg/Name`, if the name has one. */
export function typePackage(type: string): string | undefined {
  const full = FULL.exec(type) ?? SHORT.exec(type);
  return full?.[1];
}

/** rosbag2's test for a recorded service: the topic ends in `/_service_event` and the type is `pkg/srv/Name_Event`. */
export function isServiceEventTopic(topic: string, type: string): boolean {
  return topic.endsWith('/_service_event') && /^[^/]+\/srv\/[^/]+_Event$/.test(type);
}
