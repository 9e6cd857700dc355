import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import { freeRecordingPath } from '../../config/outputPath';
import { FAULT_KINDS, FaultSchedule, parseFault } from '../../sim/faults/FaultSchedule';
import { InstructionOverridePolicy, wrongCubeInstruction } from '../../demos/InstructionOverridePolicy';
import { reachDemoPolicyDir } from '../../demos/reachDemoPolicy';
import { VlaError } from '../../errors';
import { type EpisodeResult, runSimEpisodes, type SimSummary } from '../../sim/runSimEpisodes';
import { RunProgress } from '../RunProgress';
import { type CliContext, logLine, parseNumberOption, writeJson, writeLine } from '../CliContext';
import { DEFAULT_HANDOVER_NAME, handoverNamed } from '../../control/queue/handovers';
import { latencyCompensationNamed } from '../../control/queue/latencyCompensation';
import { EPISODES_RANGE, HANDOVER_HELP, LATENCY_COMPENSATION_HELP, LATENCY_RANGE_S, SEED_RANGE, TIME_LIMIT_RANGE_S } from '../loopOptions';
import {
  addExecutionProviderOption,
  addPolicyServerOption,
  loadPolicyForCli,
  type PolicyCliOptions,
  serverStatsJson,
  serverStatsLine,
} from '../policyOptions';

/** The embodiment `sim` runs when none is given: the default demo. */
export const DEFAULT_SIM_EMBODIMENT = 'franka_panda';

interface SimOptions extends PolicyCliOptions {
  embodiment?: string;
  policy?: string;
  episodes: string;
  seed: string;
  realtime?: boolean;
  record?: string;
  handover: string;
  latency: string;
  latencyCompensation: string;
  timeLimit?: string;
  instructionOverride?: string;
  fault: string[];
  json?: boolean;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)}%`;
}

function ms(x: number): string {
  return x.toFixed(x >= 10 ? 1 : 3);
}

export function simJson(summary: SimSummary): Record<string, unknown> {
  const { results, ...rest } = summary;
  return {
    ...rest,
    episode_results: results.map((r) => ({
      index: r.index,
      instruction: r.instruction,
      success: r.success,
      duration_s: r.durationS,
      final_distance_m: r.finalDistanceM,
      safety_interventions: r.safetyInterventions,
    })),
  };
}

function printSummary(ctx: CliContext, s: SimSummary): void {
  const successes = s.results.filter((r) => r.success).length;
  const perTask = Object.entries(s.per_task)
    .map(([color, t]) => `${color} ${Math.round(t.success_rate * t.episodes)}/${t.episodes}`)
    .join('  ');
  writeLine(ctx, `vla-bridge sim: ${s.embodiment}, policy ${s.policy}, ${s.episodes} episodes, seed ${s.seed}`);
  writeLine(ctx, `  success rate     ${pct(s.success_rate)} (${successes}/${s.episodes})   ${perTask}`);
  writeLine(ctx, `  safety           ${s.safety_interventions} interventions`);
  const timeBase = s.realtime ? 'wall-paced' : 'simulated time; --realtime for wall-clock lateness';
  writeLine(
    ctx,
    `  loop lateness    p50 ${ms(s.loop_lateness_ms.p50)}  p99 ${ms(s.loop_lateness_ms.p99)}  max ` +
      `${ms(s.loop_lateness_ms.max)} ms, ${s.overruns} overruns (${timeBase})`,
  );
  writeLine(
    ctx,
    `  tick compute     p50 ${ms(s.tick_compute_ms.p50)}  p99 ${ms(s.tick_compute_ms.p99)}  max ${ms(s.tick_compute_ms.max)} ms (wall)`,
  );
  writeLine(ctx, `  inference        ${s.inferences} chunks, ${s.inference_failures} failures, ${s.overdue_ticks} overdue ticks`);
  if (s.late_chunks > 0)
    writeLine(
      ctx,
      `  latency          ${s.late_chunks} chunks run up to ${ms(s.max_chunk_delay_ms)} ms behind their observation to keep the queue fed`,
    );
  writeLine(ctx, `  time             ${s.simulated_s.toFixed(1)} s simulated in ${s.wall_s.toFixed(1)} s`);
  if (s.recording !== undefined) writeLine(ctx, `  recording        ${s.recording} (ros2 bag play, Foxglove)`);
  for (const f of s.faults ?? []) {
    const window = `${f.at_s} s${f.duration_s === null ? ' to the end' : ` for ${f.duration_s} s`}`;
    const did =
      f.reactions.length === 0
        ? 'no stop'
        : f.reactions.map((r) => `${r.what} ${r.tS.toFixed(2)} s (${r.limit}${r.target === undefined ? '' : ` ${r.target}`})`).join(', ');
    writeLine(ctx, `  fault            episode ${f.episode}: ${f.kind} at ${window}: ${did}`);
  }
}

export function registerSim(program: Command, ctx: CliContext): void {
  const command = program
    .command('sim')
    .description(
      'closed loop in the built-in simulator: reach the cube named in the instruction; prints success rate, safety interventions and loop lateness',
    )
    .option('--embodiment <E>', `shipped embodiment name or path to an embodiment YAML (default: ${DEFAULT_SIM_EMBODIMENT})`)
    .option(
      '--policy <P>',
      'a policy folder, or `scripted` (the demonstration expert); default: without --embodiment the ' +
        'shipped demo policy (policies/reach_demo), with one the scripted expert',
    )
    .option('--episodes <N>', 'number of episodes', '10')
    .option('--seed <S>', 'seed of the scenes (same seed, same episodes)', '0')
    .option('--realtime', 'pace simulated time to wall time (default: as fast as the machine allows)')
    .option('--record <PATH>', 'record what the bridge saw and commanded as rosbag2 MCAP (a .mcap file or a bag folder)')
    .option('--handover <H>', HANDOVER_HELP, DEFAULT_HANDOVER_NAME)
    .option('--latency <S>', 'inference latency modelled in simulated time, seconds', '0.1')
    .option('--latency-compensation <C>', LATENCY_COMPENSATION_HELP, 'keep_fed')
    .option('--time-limit <S>', 'seconds of simulated time per episode')
    .option(
      '--instruction-override <I>',
      "give the policy another instruction than the episode's: `wrong` (names another cube of the " +
        "scene) or any text; success is still judged on the episode's cube",
    )
    .option(
      '--fault <KIND@T[:DURATION]>',
      `inject a fault T s into every episode, for DURATION s (repeatable): ${FAULT_KINDS.join(', ')}; the summary reports what the safety layer did`,
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--json', 'print the summary as JSON on stdout');
  addPolicyServerOption(command);
  addExecutionProviderOption(command);
  command.action(async (given: SimOptions) => {
    // DESIGN §3: without E and P, the shipped demo embodiment and policy; the demo policy drives only its arm.
    const opts = {
      ...given,
      embodiment: given.embodiment ?? DEFAULT_SIM_EMBODIMENT,
      policy: given.policy ?? (given.embodiment === undefined ? reachDemoPolicyDir() : 'scripted'),
    };
    const episodes = parseNumberOption(opts.episodes, '--episodes', EPISODES_RANGE);
    const seed = parseNumberOption(opts.seed, '--seed', SEED_RANGE);
    const latencyS = parseNumberOption(opts.latency, '--latency', LATENCY_RANGE_S);
    const timeLimitS = opts.timeLimit === undefined ? undefined : parseNumberOption(opts.timeLimit, '--time-limit', TIME_LIMIT_RANGE_S);
    const faults = opts.fault.length === 0 ? undefined : new FaultSchedule(opts.fault.map((f) => parseFault(f)));
    const handover = handoverNamed(opts.handover, '--handover');
    const latencyCompensation = latencyCompensationNamed(opts.latencyCompensation, '--latency-compensation');
    const record = opts.record === undefined ? undefined : freeRecordingPath(resolve(ctx.cwd, opts.record), '--record');
    if (record?.renamedFrom !== undefined)
      logLine(ctx, `note: ${record.renamedFrom} already holds a recording; recording to ${record.path} instead`);
    const embodiment = loadEmbodiment(opts.embodiment, ctx.cwd);
    const override = opts.instructionOverride;
    if (override !== undefined && opts.policy === 'scripted') {
      throw new VlaError('ARGUMENT_INVALID', 'the scripted expert reads its goal from the simulator, not the instruction', {
        path: '--instruction-override',
        hint: 'use --instruction-override with a policy folder',
      });
    }
    const loaded =
      opts.policy === 'scripted'
        ? 'scripted'
        : await loadPolicyForCli(resolve(ctx.cwd, opts.policy), { ...opts, embodiment, log: (line) => logLine(ctx, line) });
    const policy =
      loaded === 'scripted' || override === undefined
        ? loaded
        : new InstructionOverridePolicy(loaded, override === 'wrong' ? wrongCubeInstruction : () => override);
    const progress = new RunProgress(ctx, {
      label: 'sim',
      barFormat: 'sim [{bar}] {value}/{total} episodes | success {successes} | {simulated} s simulated | {instruction}',
      line: (done, total, p) =>
        `episode ${Math.min(done + 1, total)} of ${total}, ${String(p.successes)} succeeded, ${String(p.simulated)} s simulated`,
    });
    let successes = 0;
    let done = 0;
    progress.start(episodes, { successes: 0, instruction: '', simulated: '0.0' });
    let summary: SimSummary;
    let server: ReturnType<typeof serverStatsJson>;
    let serverLine: string | undefined;
    try {
      summary = await runSimEpisodes({
        embodiment,
        policy,
        episodes,
        seed,
        realtime: opts.realtime === true,
        recordPath: record?.path,
        handover,
        inferenceLatencyS: latencyS,
        latencyCompensation,
        task: timeLimitS === undefined ? undefined : { timeLimitS },
        faults,
        onEpisode: (r: EpisodeResult) => {
          if (r.success) successes++;
          progress.update(++done, { successes, instruction: r.instruction });
        },
        onTick: (simulatedS) => progress.update(done, { simulated: simulatedS.toFixed(1) }),
        onInferenceError: (err) => progress.error('inference failed', err),
      });
    } finally {
      progress.stop();
      if (policy !== 'scripted') {
        server = serverStatsJson(policy.serverStats?.());
        serverLine = serverStatsLine(policy.serverStats?.());
        await policy.close();
      }
    }
    const json = { ...simJson(summary), ...(server === undefined ? {} : { policy_server: server }) };
    if (opts.json === true) writeJson(ctx, override === undefined ? json : { ...json, instruction_override: override });
    else {
      printSummary(ctx, summary);
      if (serverLine !== undefined) writeLine(ctx, `  policy server    ${serverLine}`);
      if (override !== undefined)
        writeLine(
          ctx,
          `  instruction      overridden: ${override === 'wrong' ? "each episode's names another cube" : JSON.stringify(override)}`,
        );
    }
    if (summary.inferences === 0 && summary.inference_failures > 0)
      throw new VlaError('RUN_FAILED', `the policy produced no action chunk (${summary.inference_failures} inferences failed)`);
  });
}
