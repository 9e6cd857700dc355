import { parse } from '@foxglove/rosmsg';

/** A parsed message definition: the root type first, then every type it uses. */
export type ParsedDefinitions = ReturnType<typeof parse>;

/** The line rosbag2 puts between the definitions of a `ros2msg` full text. */
export const DEFINITION_SEPARATOR = '='.repeat(80);

// `MSG: pkg/msg/Name` and field types `pkg/msg/Name` are spelled `pkg/Name` by the parser.
const MSG_HEADER_WITH_NAMESPACE = /^MSG:\s*([A-Za-z][A-Za-z0-9_]*)\/msg\/([A-Za-z][A-Za-z0-9_]*)\s*$/;
const FIELD_TYPE_WITH_NAMESPACE = /^(\s*)([A-Za-z][A-Za-z0-9_]*)\/msg\/([A-Za-z][A-Za-z0-9_]*)(?=[\s[])/;

/**
 * Parses a `ros2msg` full text (the root .msg, then `====...` / `MSG: pkg/Name` / text for each dependency),
 * as rosbag2 stores it in MCAP schemas and the sqlite3 message_definitions table. Accepts both spellings of
 * dependency names (`std_msgs/Header` and `std_msgs/msg/Header`). Throws the parser's error on bad text.
 */
export function parseDefinitionText(text: string): ParsedDefinitions {
  const lines = text.split(/\r?\n/).map((line) => {
    const header = MSG_HEADER_WITH_NAMESPACE.exec(line);
    if (header !== null) return `MSG: ${header[1]}/${header[2]}`;
    return line.replace(FIELD_TYPE_WITH_NAMESPACE, '$1$2/$3');
  });
  return parse(lines.join('\n'), { ros2: true });
}
