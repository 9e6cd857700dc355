import { join } from 'node:path';
import { BagReader, type RawBagMessage } from '../../bag/BagReader';
import { McapRecorder } from '../../bag/McapRecorder';
import type { Embodiment } from '../../config/Embodiment';
import type { Policy } from '../../policy/Policy';
import { type ReachTask, sampleReachTask } from '../../sim/ReachTask';
import { Rng } from '../../sim/Rng';
import { runSimEpisodes } from '../../sim/runSimEpisodes';
import { ScriptedReachPolicy, type ScriptedReachOptions } from '../../sim/ScriptedReachPolicy';
import { SimWorld } from '../../sim/SimWorld';

/** A bag the simulator recorded (`vla-bridge sim --record`) with the scripted expert, and what it holds. */
export interface SimBag {
  dir: string;
  seed: number;
  /** Each episode's task and its start in bag time, s. */
  episodes: { task: ReachTask; startS: number }[];
}

/** Records `episodes` episodes of the reaching task with the scripted expert into `<parent>/<name>`. */
export async function recordSimBag(
  embodiment: Embodiment,
  parent: string,
  options: { name?: string; episodes: number; seed: number; timeLimitS?: number; imageSizePx?: number },
): Promise<SimBag> {
  const dir = join(parent, options.name ?? 'sim_bag');
  const task = options.timeLimitS === undefined ? undefined : { timeLimitS: options.timeLimitS };
  const sim = options.imageSizePx === undefined ? undefined : { imageWidth: options.imageSizePx, imageHeight: options.imageSizePx };
  const summary = await runSimEpisodes({ embodiment, policy: 'scripted', episodes: options.episodes, seed: options.seed, recordPath: dir, task, sim });
  const geometry = new SimWorld(embodiment).geometry;
  let startS = 0;
  const episodes = summary.results.map((r, i) => {
    const episodeTask = sampleReachTask(geometry, Rng.forEpisode(options.seed, i), embodiment.limits, embodiment.armJointNames.length, task);
    const episode = { task: episodeTask, startS };
    // runSimEpisodes leaves a quiet second after each episode.
    startS += r.durationS + 1;
    return episode;
  });
  return { dir, seed: options.seed, episodes };
}

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
