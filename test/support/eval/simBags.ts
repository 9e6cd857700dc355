import { BagReader, type RawBagMessage } from '../../../src/bag/BagReader';
import { McapRecorder } from '../../../src/bag/McapRecorder';
import type { Embodiment } from '../../../src/config/Embodiment';
import type { TimeMsg } from '../../../src/msgs/rosMessages';
import { nsToTime, timeToNs } from '../../../src/time/rosTime';
import { cdr, type TestMessage, type TestTopic, writeMcapFile, writeSqliteBag } from '../bag/writeTestBags';
import type { Policy } from '../../../src/policy/Policy';
import { ScriptedReachPolicy, type ScriptedReachOptions } from '../../../src/sim/ScriptedReachPolicy';
import type { SimBag } from '../../../src/sim/recordSimBag';
import { SimWorld } from '../../../src/sim/SimWorld';

/**
 * The recording expert again, for replay: the scripted policy reads the goal from the simulator, so it is
 * given a world set to the task of the episode each observation belongs to. Its chunks on the replayed
 * observations are the ones it made while recording.
 */
export function expertFor(embodiment: Embodiment, bag: SimBag, options: ScriptedReachOptions = {}): Policy {
  const world = new SimWorld(embodiment);
  const expert = new ScriptedReachPolicy(world, options);
  let current = -1;
  return {
    name: 'scripted_reach (replayed)',
    space: expert.space,
    horizon: expert.horizon,
    stepDtS: expert.stepDtS,
    stepsToExecute: expert.stepsToExecute,
    cameras: expert.cameras,
    infer: (observation) => {
      let index = 0;
      bag.episodes.forEach((e, i) => {
        if (observation.stampS >= e.startS - 1e-9) index = i;
      });
      if (index !== current) {
        world.reset(bag.episodes[index]!.task, bag.episodes[index]!.startS);
        current = index;
      }
      return expert.infer(observation);
    },
    close: () => expert.close(),
  };
}

/** Copies a bag message for message (serialized bytes as they are), leaving out those `keep` refuses. */
export async function copyBag(from: string, to: string, keep: (m: RawBagMessage) => boolean): Promise<string> {
  const reader = await BagReader.open(from);
  const recorder = await McapRecorder.open(to);
  try {
    for await (const m of reader.rawMessages()) if (keep(m)) void recorder.writeSerialized(m.topic, m.type, m.logTimeNs, m.data);
  } finally {
    await recorder.close();
    await reader.close();
  }
  return to;
}

/** How `retimeBag` changes a bag's clocks. */
export interface Retiming {
  storage: 'mcap' | 'sqlite3';
  /** Added to every log time (header stamps stay): a recorder on another clock than the sensors, ns. */
  logShiftNs: bigint;
  /** Added to every header stamp (default 0; a simulator's first stamps are 0 s, which reads as no stamp once logged later), ns. */
  stampShiftNs?: bigint;
  /** Topics whose header stamps are set to zero (a driver that leaves them unset). */
  zeroStampTopics?: readonly string[];
  /** Only these types are copied (default: the observation, command and instruction types). */
  types?: readonly string[];
}

const RETIMED_TYPES = [
  'sensor_msgs/msg/JointState',
  'sensor_msgs/msg/Image',
  'sensor_msgs/msg/CompressedImage',
  'trajectory_msgs/msg/JointTrajectory',
  'std_msgs/msg/Float64MultiArray',
  'std_msgs/msg/String',
];

/**
 * A copy of a bag as a recorder on another clock would have written it, in one file (`to` ends in .mcap or
 * .db3; sqlite3 in the Iron layout): log times shifted, header stamps as they were (or zeroed). With a shift of
 * wall-clock epoch seconds, a simulator recording becomes one made without --use-sim-time.
 */
export async function retimeBag(from: string, to: string, retiming: Retiming): Promise<string> {
  const keep = new Set(retiming.types ?? RETIMED_TYPES);
  const zero = new Set(retiming.zeroStampTopics ?? []);
  const topics = new Map<string, TestTopic>();
  const messages: TestMessage[] = [];
  const reader = await BagReader.open(from);
  try {
    for await (const m of reader.messages()) {
      if (!keep.has(m.type)) continue;
      topics.set(m.topic, { name: m.topic, type: m.type });
      const logTimeNs = m.logTimeNs + retiming.logShiftNs;
      const header = (m.message as { header?: { stamp: TimeMsg } }).header;
      if (header !== undefined)
        header.stamp = zero.has(m.topic) ? { sec: 0, nanosec: 0 } : nsToTime(timeToNs(header.stamp) + (retiming.stampShiftNs ?? 0n));
      messages.push({ topic: m.topic, logTimeNs, data: cdr(m.type, m.message) });
    }
  } finally {
    await reader.close();
  }
  if (retiming.storage === 'mcap') await writeMcapFile(to, { topics: [...topics.values()], messages });
  else writeSqliteBag(to, { layout: 'iron', topics: [...topics.values()], messages });
  return to;
}

/** The bag's episodes with their starts moved by `shiftS` (for `expertFor` on a retimed bag judged by log time). */
export function shiftedEpisodes(bag: SimBag, shiftS: number): SimBag {
  return { ...bag, episodes: bag.episodes.map((e) => ({ ...e, startS: e.startS + shiftS })) };
}
