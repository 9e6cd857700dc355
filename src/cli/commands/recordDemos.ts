import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import { checkOutputPath } from '../../config/outputPath';
import type { DemoEpisode } from '../../demos/DemoDatasetWriter';
import { recordDemos } from '../../demos/recordDemos';
import { VlaError } from '../../errors';
import type { Policy } from '../../policy/Policy';
import { type CliContext, parseNumberOption, writeJson, writeLine } from '../CliContext';
import { EPISODES_RANGE, SEED_RANGE } from '../loopOptions';
import type { VideoCodec } from '../../export/VideoEncoder';
import { oneOf } from './exportLerobot';

/** A policy folder through the policy runtime, imported only then (plain recording never starts onnxruntime). */
async function loadPolicyFolder(dir: string): Promise<Policy> {
  if (!existsSync(dir))
    throw new VlaError('FILE_NOT_FOUND', 'policy folder not found', {
      file: dir,
      path: '--dagger',
      hint: 'give the folder of the policy to collect DAgger data with',
    });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadPolicy } = require('../../policy/loadPolicy') as typeof import('../../policy/loadPolicy');
  return loadPolicy(dir);
}

interface RecordDemosCliOptions {
  embodiment: string;
  episodes: string;
  seed: string;
  firstEpisode: string;
  out: string;
  perturb: string;
  perturbProbability: string;
  imageSize?: string;
  dagger?: string;
  daggerShare: string;
  overwrite?: boolean;
  videoCodec: string;
  json?: boolean;
}

export function registerRecordDemos(program: Command, ctx: CliContext): void {
  program
    .command('record-demos')
    .description(
      'record scripted expert demonstrations of the reaching task in the simulator as a LeRobot v3.0 ' +
        'dataset (camera video, joint states, expert action chunks), for training',
    )
    .requiredOption('--out <DIR>', 'the dataset folder to create (LeRobot v3.0, plus meta/vla_bridge_demos.json)')
    .option('--embodiment <E>', 'shipped embodiment name or path to an embodiment YAML', 'franka_panda')
    .option('--episodes <N>', 'number of episodes', '100')
    .option('--seed <S>', 'seed of the scenes (episode i is the scene `vla-bridge sim --seed S` runs as episode i)', '1')
    .option('--first-episode <K>', 'index of the first episode (to extend a dataset with new scenes)', '0')
    .option('--perturb <RAD>', 'DART noise: largest joint offset added to executed chunks, rad (labels stay clean)', '0.05')
    .option('--perturb-probability <P>', 'share of chunks that get the offset', '0.3')
    .option('--image-size <PX>', "camera frame size, px (default: the simulator's)")
    .option('--dagger <POLICY>', 'DAgger: a policy folder that drives the arm in a share of the episodes while the expert labels')
    .option('--dagger-share <P>', 'share of the episodes the --dagger policy drives', '0.7')
    .option('--overwrite', 'replace an existing dataset at --out')
    .option('--video-codec <C>', 'av1 (as LeRobot encodes) or h264', 'av1')
    .option('--json', 'print the summary as JSON on stdout')
    .action(async (opts: RecordDemosCliOptions) => {
      const episodes = parseNumberOption(opts.episodes, '--episodes', EPISODES_RANGE);
      const seed = parseNumberOption(opts.seed, '--seed', SEED_RANGE);
      const firstEpisode = parseNumberOption(opts.firstEpisode, '--first-episode', { integer: true, min: 0, max: 1e9 });
      const amplitude = parseNumberOption(opts.perturb, '--perturb', { min: 0, max: 10 });
      const probability = parseNumberOption(opts.perturbProbability, '--perturb-probability', { min: 0, max: 1 });
      const imageSize =
        opts.imageSize === undefined ? undefined : parseNumberOption(opts.imageSize, '--image-size', { integer: true, min: 8, max: 512 });
      const daggerShare = parseNumberOption(opts.daggerShare, '--dagger-share', { min: 0, max: 1 });
      const embodiment = loadEmbodiment(opts.embodiment, ctx.cwd);
      const actor = opts.dagger === undefined ? undefined : await loadPolicyFolder(resolve(ctx.cwd, opts.dagger));
      const outDir = resolve(ctx.cwd, opts.out);
      checkOutputPath(outDir, '--out', 'folder');
      const bar = ctx.interactive
        ? new SingleBar({
            stream: ctx.stderr,
            format: 'record-demos [{bar}] {value}/{total} episodes | {samples} samples',
            hideCursor: true,
            clearOnComplete: true,
          })
        : undefined;
      let samples = 0;
      bar?.start(episodes, 0, { samples });
      let summary;
      try {
        summary = await recordDemos({
          embodiment,
          episodes,
          seed,
          firstEpisode,
          outDir,
          overwrite: opts.overwrite === true,
          codec: oneOf<VideoCodec>(opts.videoCodec, ['av1', 'h264'], '--video-codec'),
          imageSize,
          perturbation: { amplitude, probability },
          actor: actor === undefined ? undefined : { policy: actor, share: daggerShare },
          onEpisode: (e: DemoEpisode) => {
            samples += e.sampleCount;
            bar?.increment(1, { samples });
          },
        });
      } finally {
        bar?.stop();
        await actor?.close();
      }
      const result = {
        dir: summary.dir,
        episodes: summary.episodes,
        successes: summary.successes,
        samples: summary.samples,
        safety_interventions: summary.safetyInterventions,
      };
      if (opts.json === true) writeJson(ctx, result);
      else {
        writeLine(ctx, `vla-bridge record-demos: ${embodiment.name}, ${episodes} episodes from seed ${seed} (first ${firstEpisode})`);
        writeLine(ctx, `  expert success   ${summary.successes}/${summary.episodes}`);
        writeLine(ctx, `  samples          ${summary.samples}`);
        writeLine(ctx, `  safety           ${summary.safetyInterventions} interventions`);
        writeLine(ctx, `  written to       ${summary.dir} (LeRobot v3.0; meta/vla_bridge_demos.json has the scenes)`);
      }
      if (summary.samples === 0) throw new VlaError('RUN_FAILED', 'no observation was recorded');
    });
}
