import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import { VlaError } from '../../errors';
import { DEFAULT_INSTRUCTION_TOPIC } from '../../outputs/nodeTopics';
import { type EpisodeSplit, exportLerobot, type ExportResult } from '../../export/exportLerobot';
import type { ActionMode } from '../../export/frameSampler';
import type { VideoCodec } from '../../export/VideoEncoder';
import { type CliContext, logLine, parseNumberOption, writeJson, writeLine } from '../CliContext';

interface ExportCliOptions {
  bag: string;
  embodiment: string;
  out: string;
  fps: string;
  episodes: string;
  videoCodec: string;
  action: string;
  overwrite?: boolean;
  instructionTopic: string;
  task?: string;
  markerTopic?: string;
  gap: string;
  json?: boolean;
}

/** The value if it is one of `allowed`, else ARGUMENT_INVALID naming the option. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new VlaError('ARGUMENT_INVALID', `${option} must be one of ${allowed.join(', ')}, got "${value}"`, { path: option });
}

function printSummary(ctx: CliContext, bag: string, r: ExportResult): void {
  writeLine(ctx, `vla-bridge export-lerobot: ${bag} -> ${r.dir} (LeRobot v3.0, ${r.fps} fps)`);
  writeLine(ctx, `  episodes     ${r.episodes} (${r.tasks} task${r.tasks === 1 ? '' : 's'})`);
  writeLine(ctx, `  frames       ${r.frames} written, ${r.droppedTotal} dropped`);
  for (const [reason, n] of Object.entries(r.dropped)) writeLine(ctx, `    dropped    ${n} ${reason}`);
  for (const s of r.splits)
    writeLine(ctx, `  split        at ${s.atS.toFixed(3)} s: ${s.reason} (the episode ends there; the next frames start a new one)`);
  writeLine(ctx, `  state        ${r.stateNames.join(', ')}`);
  writeLine(ctx, `  action       ${r.actionNames.join(', ')}`);
}

export function registerExportLerobot(program: Command, ctx: CliContext): void {
  program
    .command('export-lerobot')
    .description(
      'convert a rosbag2 recording to a LeRobot v3.0 dataset (parquet + mp4), frames assembled as the policy sees them and actions as commanded',
    )
    .requiredOption('--bag <PATH>', 'a bag folder, its metadata.yaml, or one .mcap, .db3 or .zstd file')
    .requiredOption('--embodiment <E>', 'shipped embodiment name or path to an embodiment YAML (its topics, joints and gripper)')
    .requiredOption('--out <DIR>', 'the dataset folder to create')
    .option('--fps <N>', 'frames per second, sampled on the bag clock', '30')
    .option(
      '--episodes <HOW>',
      'where episodes start: instruction (each message on the instruction topic), gap (pauses in the recording), marker (each message on --marker-topic)',
      'instruction',
    )
    .option('--video-codec <C>', 'av1 (as LeRobot encodes, SVT-AV1) or h264', 'av1')
    .option(
      '--action <A>',
      'absolute (the commanded targets) or delta (targets minus the measured state; joint position modes)',
      'absolute',
    )
    .option('--overwrite', 'replace an existing dataset at --out')
    .option('--instruction-topic <T>', 'std_msgs/String topic of the instruction (the task of each episode)', DEFAULT_INSTRUCTION_TOPIC)
    .option('--task <TEXT>', 'the task of frames no instruction names (with --episodes gap or marker)')
    .option('--marker-topic <T>', 'with --episodes marker: each message here starts an episode (a std_msgs/String names its task)')
    .option('--gap <S>', 'with --episodes gap: a pause of the sensors longer than this starts an episode, seconds', '1')
    .option('--json', 'print the summary as JSON on stdout')
    .action(async (opts: ExportCliOptions) => {
      const fps = parseNumberOption(opts.fps, '--fps', { integer: true, min: 1, max: 1000 });
      const gapS = parseNumberOption(opts.gap, '--gap', { above: 0, max: 86400 });
      const episodes = oneOf<EpisodeSplit>(opts.episodes, ['instruction', 'gap', 'marker'], '--episodes');
      const codec = oneOf<VideoCodec>(opts.videoCodec, ['av1', 'h264'], '--video-codec');
      const action = oneOf<ActionMode>(opts.action, ['absolute', 'delta'], '--action');
      const embodiment = loadEmbodiment(opts.embodiment, ctx.cwd);
      const bar = ctx.interactive
        ? new SingleBar({
            stream: ctx.stderr,
            format: 'export [{bar}] {percentage}% | {value}/{total} s of bag time',
            hideCursor: true,
            clearOnComplete: true,
          })
        : undefined;
      let result: ExportResult;
      try {
        result = await exportLerobot({
          bagPath: resolve(ctx.cwd, opts.bag),
          embodiment,
          outDir: resolve(ctx.cwd, opts.out),
          overwrite: opts.overwrite === true,
          fps,
          episodes,
          instructionTopic: opts.instructionTopic,
          task: opts.task,
          markerTopic: opts.markerTopic,
          gapS,
          codec,
          action,
          onWarning: (m) => logLine(ctx, `warning: ${m}`),
          onProgress:
            bar === undefined
              ? undefined
              : (tS, startS, endS) => {
                  if (bar.getTotal() === 0) bar.start(Math.max(1, Math.round(endS - startS)), 0);
                  bar.update(Math.round(tS - startS));
                },
        });
      } finally {
        bar?.stop();
      }
      if (opts.json === true) {
        const {
          dir,
          episodes: n,
          frames,
          tasks,
          dropped,
          droppedTotal,
          splits,
          episodeList,
          invalidMessages,
          stateNames,
          actionNames,
          warnings,
        } = result;
        writeJson(ctx, {
          dir,
          fps,
          episodes: n,
          frames,
          tasks,
          dropped,
          dropped_total: droppedTotal,
          splits: splits.map((s) => ({ at_s: s.atS, reason: s.reason })),
          episode_list: episodeList.map((e) => ({ index: e.index, task: e.task, frames: e.frames, start_s: e.startS })),
          invalid_messages: invalidMessages,
          state_names: stateNames,
          action_names: actionNames,
          warnings,
        });
      } else printSummary(ctx, opts.bag, result);
    });
}
