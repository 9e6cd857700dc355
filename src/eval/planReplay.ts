import type { Embodiment } from '../config/Embodiment';
import { VlaError } from '../errors';
import type { JointStateMsg, JointTrajectoryMsg } from '../msgs/rosMessages';
import { type CommandChannel, commandChannelsFor } from './commandChannels';

/** A topic as the bag lists it (`BagReader.info()`). */
export interface BagTopicSummary {
  name: string;
  type: string;
  count: number;
}

/** Command types whose recorded messages evaluation can read (recordedCommandSamples). */
export const COMPARABLE_COMMAND_TYPES: readonly string[] = [
  'trajectory_msgs/msg/JointTrajectory',
  'std_msgs/msg/Float64MultiArray',
  'sensor_msgs/msg/JointState',
  'geometry_msgs/msg/TwistStamped',
  'geometry_msgs/msg/PoseStamped',
];

export interface PlannedChannel {
  channel: CommandChannel;
  /** The type of the recorded commands in the bag; undefined when the bag has none on this topic. */
  recordedType: string | undefined;
}

/** What a replay reads from a bag, checked against the embodiment before anything runs. */
export interface ReplayPlan {
  /** Fed to the pipeline in log-time order: the joint states, then every camera. */
  sensors: readonly { topic: string; type: string }[];
  /** The bag's instruction topic, when it has messages there. */
  instructionTopic: string | undefined;
  channels: readonly PlannedChannel[];
  /** Findings that do not stop the evaluation (a gripper topic the bag lacks). */
  warnings: readonly string[];
}

export interface PlanOptions {
  /** The bag's path, for messages. */
  bag: string;
  /** Given on the command line: then the bag need not hold one. */
  instruction?: string;
  instructionTopic: string;
}

function describeTopics(topics: readonly BagTopicSummary[]): string {
  return topics.length === 0 ? 'no topics' : topics.map((t) => `${t.name} (${t.type}, ${t.count})`).join(', ');
}

/**
 * Checks that a bag holds what replaying it for an embodiment needs, and says what to read: the joint states
 * and every camera of the embodiment (the watchdog needs them all), the recorded commands on
 * `control.command_topic`, the instruction unless one is given. Throws BAG_TOPIC_MISSING naming every missing
 * topic and listing the bag's, BAG_TOPIC_MISMATCH for a topic of another type, ARGUMENT_INVALID for an
 * instruction that is neither given nor recorded.
 */
export function planReplay(topics: readonly BagTopicSummary[], embodiment: Embodiment, options: PlanOptions): ReplayPlan {
  const byName = new Map(topics.map((t) => [t.name, t]));
  const { config } = embodiment;
  const wanted = [
    { topic: config.topics.joint_states, type: 'sensor_msgs/msg/JointState', what: 'joint states' },
    ...config.topics.cameras.map((c) => ({ topic: c.topic, type: c.type, what: `camera "${c.name}"` })),
  ];
  const missing: string[] = [];
  const wrongType = (topic: string, has: string, wants: string, field: string): VlaError =>
    new VlaError('BAG_TOPIC_MISMATCH', `the bag's ${topic} carries ${has}, and embodiment "${embodiment.name}" reads ${wants} there`, {
      file: options.bag,
      path: topic,
      hint: `point ${field} in ${embodiment.configFile} at a topic of the type it declares, or record ${wants} on ${topic}`,
    });
  for (const w of wanted) {
    const t = byName.get(w.topic);
    if (t === undefined || t.count === 0) missing.push(`${w.topic} (${w.type}, ${w.what})`);
    else if (t.type !== w.type)
      throw wrongType(w.topic, t.type, w.type, w.what === 'joint states' ? 'topics.joint_states' : 'topics.cameras');
  }
  const warnings: string[] = [];
  const channels = commandChannelsFor(embodiment).map((channel, index): PlannedChannel => {
    const t = byName.get(channel.topic);
    if (t === undefined || t.count === 0) {
      if (index === 0) missing.push(`${channel.topic} (the recorded commands to compare with)`);
      else warnings.push(`the bag has no commands on ${channel.topic}: ${channel.dimensions.join(', ')} not compared`);
      return { channel, recordedType: undefined };
    }
    if (!COMPARABLE_COMMAND_TYPES.includes(t.type))
      throw wrongType(channel.topic, t.type, `one of ${COMPARABLE_COMMAND_TYPES.join(', ')}`, 'control.command_topic');
    return { channel, recordedType: t.type };
  });
  if (missing.length > 0) {
    throw new VlaError(
      'BAG_TOPIC_MISSING',
      `the bag lacks what embodiment "${embodiment.name}" needs: ${missing.join('; ')}. The bag has: ${describeTopics(topics)}`,
      {
        file: options.bag,
        path: missing[0]!.split(' ')[0],
        hint:
          `record these topics, or point ${embodiment.configFile} (topics.joint_states, ` +
          `topics.cameras[].topic, control.command_topic) at the names the bag uses`,
      },
    );
  }
  const instruction = byName.get(options.instructionTopic);
  const hasInstruction = instruction !== undefined && instruction.count > 0;
  if (hasInstruction && instruction.type !== 'std_msgs/msg/String') {
    throw new VlaError(
      'BAG_TOPIC_MISMATCH',
      `the bag's instruction topic ${options.instructionTopic} carries ${instruction.type}, not std_msgs/msg/String`,
      {
        file: options.bag,
        path: options.instructionTopic,
        hint: "name the bag's instruction topic with --instruction-topic, or give the instruction with --instruction",
      },
    );
  }
  if (!hasInstruction && options.instruction === undefined) {
    throw new VlaError(
      'ARGUMENT_INVALID',
      `no instruction: the bag has no messages on ${options.instructionTopic} and --instruction was not given`,
      {
        file: options.bag,
        path: '--instruction',
        hint: 'give the task with --instruction "...", or name the bag\'s std_msgs/String instruction topic with --instruction-topic',
      },
    );
  }
  return {
    sensors: wanted.map(({ topic, type }) => ({ topic, type })),
    instructionTopic: hasInstruction ? options.instructionTopic : undefined,
    channels,
    warnings,
  };
}

function names(type: string, message: unknown): readonly string[] | undefined {
  if (type === 'sensor_msgs/msg/JointState') return (message as JointStateMsg).name;
  if (type === 'trajectory_msgs/msg/JointTrajectory') return (message as JointTrajectoryMsg).joint_names;
  return undefined;
}

/**
 * Checks the bag's first joint state and first recorded command against the embodiment: the joint states
 * must name every joint it commands (the pipeline maps them by name), and recorded joint commands must name
 * at least one of the joints compared. Throws BAG_TOPIC_MISMATCH naming the topic and the joints.
 */
export function checkJointNames(
  embodiment: Embodiment,
  bag: string,
  jointState: { topic: string; message: unknown } | undefined,
  command: { topic: string; type: string; message: unknown; dimensions: readonly string[] } | undefined,
): void {
  if (jointState !== undefined) {
    const has = (jointState.message as JointStateMsg).name;
    const missing = embodiment.commandJointNames.filter((j) => !has.includes(j));
    if (missing.length > 0) {
      throw new VlaError(
        'BAG_TOPIC_MISMATCH',
        `the joint states on ${jointState.topic} do not name ${missing.join(', ')} (they name ${has.join(', ') || 'no joints'})`,
        {
          file: bag,
          path: jointState.topic,
          joint: missing[0],
          hint: `evaluate with the embodiment this bag was recorded on; the joints of ${embodiment.configFile} must be the robot's`,
        },
      );
    }
  }
  const commanded = command === undefined ? undefined : names(command.type, command.message);
  if (command !== undefined && commanded !== undefined && !command.dimensions.some((d) => commanded.includes(d))) {
    throw new VlaError(
      'BAG_TOPIC_MISMATCH',
      `the recorded commands on ${command.topic} name ${commanded.join(', ') || 'no joints'}, none of ${command.dimensions.join(', ')}`,
      {
        file: bag,
        path: command.topic,
        hint: `evaluate with the embodiment this bag was recorded on`,
      },
    );
  }
}
