import { join } from 'node:path';
import type { Embodiment } from '../config/Embodiment';
import { type ReachTask, sampleReachTask } from './ReachTask';
import { Rng } from './Rng';
import { runSimEpisodes, type SimSummary } from './runSimEpisodes';
import { SimWorld } from './SimWorld';

/** A bag the simulator recorded (`vla-bridge sim --record`) with the scripted expert, and what it holds. */
export interface SimBag {
  dir: string;
  seed: number;
  /** Each episode's task and its start in bag time, s. */
  episodes: { task: ReachTask; startS: number }[];
  /** What the simulator reported for the run. */
  summary: SimSummary;
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
  const summary = await runSimEpisodes({
    embodiment,
    policy: 'scripted',
    episodes: options.episodes,
    seed: options.seed,
    recordPath: dir,
    task,
    sim,
  });
  const geometry = new SimWorld(embodiment).geometry;
  let startS = 0;
  const episodes = summary.results.map((r, i) => {
    const episodeTask = sampleReachTask(
      geometry,
      Rng.forEpisode(options.seed, i),
      embodiment.limits,
      embodiment.armJointNames.length,
      task,
    );
    const episode = { task: episodeTask, startS };
    // runSimEpisodes leaves a quiet second after each episode.
    startS += r.durationS + 1;
    return episode;
  });
  return { dir, seed: options.seed, episodes, summary };
}
