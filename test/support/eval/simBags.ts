import { BagReader, type RawBagMessage } from '../../../src/bag/BagReader';
import { McapRecorder } from '../../../src/bag/McapRecorder';
import type { Embodiment } from '../../../src/config/Embodiment';
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
