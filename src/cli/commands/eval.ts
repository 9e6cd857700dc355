import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import { VlaError } from '../../errors';
import { TIME_BASE_OPTIONS } from '../../eval/chooseTimeBase';
import { checkOutputPath } from '../../config/outputPath';
import { type EvalRunResult, runEval } from '../../eval/runEval';
import { DEFAULT_INSTRUCTION_TOPIC } from '../../outputs/nodeTopics';
import type { Policy } from '../../policy/Policy';
import { RunProgress } from '../RunProgress';
import { type CliContext, logLine, parseNumberOption, writeJson, writeLine } from '../CliContext';
import {
  addExecutionProviderOption,
  addPolicyServerOption,
  loadPolicyForCli,
  type PolicyCliOptions,
  serverStatsJson,
  serverStatsLine,
} from '../policyOptions';
import { DEFAULT_HANDOVER_NAME, handoverNamed } from '../../control/queue/handovers';
import { latencyCompensationNamed } from '../../control/queue/latencyCompensation';
import { HANDOVER_HELP, LATENCY_COMPENSATION_HELP, LATENCY_RANGE_S } from '../loopOptions';
import type { EvalMetrics } from '../../eval/EvalMetrics';

interface EvalOptions extends PolicyCliOptions {
  bag: string;
  embodiment: string;
  policy: string;
  out: string;
  instruction?: string;
  instructionTopic: string;
  latency: string;
  latencyCompensation: string;
  handover: string;
  timeBase: string;
  json?: boolean;
}

function g(v: number | null): string {
  return v === null ? 'n/a' : Number(v.toPrecision(4)).toString();
}

function printSummary(ctx: CliContext, bag: string, out: EvalRunResult): void {
  const m = out.metrics as unknown as EvalMetrics;
  const t = out.timing as {
    replay_wall_s: number;
    real_time_factor: number | null;
    inference_wall_ms: { p50: number | null; p99: number | null };
  };
  const startS = m.replay.start_s ?? 0;
  writeLine(
    ctx,
    `vla-bridge eval: ${m.policy} on ${bag} (${m.embodiment}), ${m.replay.duration_s.toFixed(2)} s of bag time, ${m.replay.episodes} episode(s)`,
  );
  for (const reason of out.verdict.reasons) writeLine(ctx, `  NOT A SUCCESS ${reason}`);
  writeLine(
    ctx,
    `  time base    ${m.time_base.used} (${m.time_base.option === 'auto' ? `auto: ${m.time_base.reason}` : m.time_base.reason})`,
  );
  for (const c of m.commands) {
    writeLine(
      ctx,
      `  commands     ${c.topic}: ${c.predicted} predicted, ${c.recorded} recorded, ${c.compared} ` +
        `compared (${c.skipped_in_gaps} in recorded gaps, ${c.skipped_in_observation_gaps} in ` +
        `observation gaps, ${c.skipped_outside_recording} outside the recording)`,
    );
  }
  writeLine(ctx, `  error        mean MSE ${g(m.mean_mse)}   mean L1 ${g(m.mean_l1)}`);
  const width = Math.max(...m.per_dimension.map((d) => d.name.length));
  for (const d of m.per_dimension)
    writeLine(ctx, `    ${d.name.padEnd(width)}  MSE ${g(d.mse).padEnd(10)} L1 ${g(d.l1).padEnd(10)} (${d.count} pairs)`);
  const tokens =
    m.token_accuracy === null
      ? `n/a (${m.token_accuracy_note ?? 'nothing to compare'})`
      : `accuracy ${g(m.token_accuracy)} over ${m.tokens_compared} tokens`;
  writeLine(ctx, `  tokens       ${tokens}`);
  const limits = Object.entries(m.safety_interventions.by_limit)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const outside = m.safety_interventions.outside_recorded_commands;
  const byLimit = limits === '' ? '' : ` (${limits})`;
  const unrecorded = outside > 0 ? `; ${outside} more where the bag has no commands` : '';
  writeLine(ctx, `  safety       ${m.safety_interventions.total} interventions${byLimit}${unrecorded}`);
  if (m.gaps.length === 0) writeLine(ctx, '  gaps         none');
  for (const gap of m.gaps)
    writeLine(
      ctx,
      `  gap          ${gap.topic}: ${(gap.start_s - startS).toFixed(3)} s to ` +
        `${(gap.end_s - startS).toFixed(3)} s (${gap.duration_s.toFixed(3)} s without messages; ` +
        `not compared)`,
    );
  writeLine(
    ctx,
    `  inference    ${m.replay.chunks} chunks, ${m.replay.inference_failures} failures; measured p50 ` +
      `${g(t.inference_wall_ms.p50)} ms, p99 ${g(t.inference_wall_ms.p99)} ms (wall)`,
  );
  writeLine(
    ctx,
    `  speed        ${t.replay_wall_s.toFixed(2)} s wall, ${t.real_time_factor === null ? 'n/a' : `${t.real_time_factor.toFixed(1)}x real time`}`,
  );
  const shown = Object.values(out.files).map((f) => {
    const r = relative(ctx.cwd, f);
    return r === '' || r.startsWith('..') ? f : r;
  });
  writeLine(ctx, `  outputs      ${shown.join(', ')}`);
}

export function registerEval(program: Command, ctx: CliContext): void {
  const command = program
    .command('eval')
    .description(
      'offline evaluation: replay a rosbag2 bag through the live pipeline in bag time and compare ' +
        'the predicted commands with the recorded ones; writes metrics.json, report.html, predictions.mcap',
    )
    .requiredOption(
      '--bag <PATH>',
      'a bag folder, its metadata.yaml, or one .mcap, .db3 or .zstd file (camera, joint states and the commands really sent)',
    )
    .requiredOption('--embodiment <E>', 'shipped embodiment name or path to an embodiment YAML (its topics and joint order)')
    .requiredOption('--policy <P>', 'a policy folder')
    .requiredOption('--out <DIR>', 'folder for metrics.json, report.html, predictions.mcap and timing.json')
    .option('--instruction <TEXT>', "the task, instead of the bag's instruction topic")
    .option(
      '--instruction-topic <T>',
      'std_msgs/String topic of the instruction in the bag; each message starts an episode',
      DEFAULT_INSTRUCTION_TOPIC,
    )
    .option('--latency <S>', 'inference latency modelled in bag time, seconds', '0.1')
    .option('--latency-compensation <C>', LATENCY_COMPENSATION_HELP, 'keep_fed')
    .option('--handover <H>', HANDOVER_HELP, DEFAULT_HANDOVER_NAME)
    .option(
      '--time-base <B>',
      `which time inputs are judged by: ${TIME_BASE_OPTIONS.join(', ')} (header stamps, log times, ` +
        `or header unless the stamps are on another clock; refused when it cannot tell)`,
      'auto',
    )
    .option('--json', 'print metrics.json (with the timing and the output files) on stdout');
  addPolicyServerOption(command);
  addExecutionProviderOption(command);
  command.action(async (opts: EvalOptions) => {
    const latencyS = parseNumberOption(opts.latency, '--latency', LATENCY_RANGE_S);
    const handover = handoverNamed(opts.handover, '--handover');
    const latencyCompensation = latencyCompensationNamed(opts.latencyCompensation, '--latency-compensation');
    const timeBase = TIME_BASE_OPTIONS.find((b) => b === opts.timeBase);
    if (timeBase === undefined)
      throw new VlaError('ARGUMENT_INVALID', `unknown time base "${opts.timeBase}"`, {
        path: '--time-base',
        hint: `use one of ${TIME_BASE_OPTIONS.join(', ')}`,
      });
    if (opts.instruction !== undefined && opts.instruction.trim() === '')
      throw new VlaError('ARGUMENT_INVALID', '--instruction is empty', {
        path: '--instruction',
        hint: 'give the task in words, e.g. --instruction "reach the red cube"',
      });
    if (opts.policy === 'scripted') {
      throw new VlaError('ARGUMENT_INVALID', "the scripted expert reads the simulator's state, which a bag does not hold", {
        path: '--policy',
        hint: "give a policy folder; the bag's recorded commands already are the expert's",
      });
    }
    const outDir = resolve(ctx.cwd, opts.out);
    checkOutputPath(outDir, '--out', 'folder');
    const policyDir = resolve(ctx.cwd, opts.policy);
    if (!existsSync(policyDir))
      throw new VlaError('FILE_NOT_FOUND', 'policy folder not found', {
        file: policyDir,
        path: '--policy',
        hint: 'give a policy folder (manifest.yaml, ONNX model, tokenizer)',
      });
    const embodiment = loadEmbodiment(opts.embodiment, ctx.cwd);
    const progress = new RunProgress(ctx, {
      label: 'eval',
      barFormat: 'eval [{bar}] {percentage}% | {value}/{total} s of bag time',
      line: (value, total) =>
        `${value.toFixed(1)} of ${total.toFixed(1)} s of bag time replayed (${total > 0 ? Math.round((100 * value) / total) : 100}%)`,
    });
    let startS = 0;
    let result: EvalRunResult;
    let opened: Policy | undefined;
    try {
      result = await runEval({
        bag: opts.bag,
        bagPath: resolve(ctx.cwd, opts.bag),
        embodiment,
        openPolicy: async () => {
          opened = await loadPolicyForCli(policyDir, { ...opts, embodiment, log: (line) => logLine(ctx, line) });
          return opened;
        },
        policyDir,
        outDir,
        instruction: opts.instruction,
        instructionTopic: opts.instructionTopic,
        latencyS,
        handover,
        handoverName: opts.handover,
        latencyCompensation,
        timeBase,
        onStart: (bag) => {
          startS = bag.startS;
          progress.start(Number(bag.durationS.toFixed(1)));
        },
        onProgress: (tS) => progress.update(Number((tS - startS).toFixed(1))),
        onWarning: (message) => logLine(ctx, `warning: ${message}`),
        onInferenceError: (err) => progress.error('inference failed', err),
      });
    } finally {
      progress.stop();
    }
    const server = opened?.serverStats?.();
    if (opts.json === true)
      writeJson(ctx, {
        ...result.metrics,
        timing: result.timing,
        outputs: result.files,
        ...(server === undefined ? {} : { policy_server: serverStatsJson(server) }),
      });
    else {
      printSummary(ctx, opts.bag, result);
      if (server !== undefined) writeLine(ctx, `  policy server ${serverStatsLine(server)}`);
    }
    if (!result.verdict.success) {
      throw new VlaError('RUN_FAILED', `the replay did not evaluate the policy: ${result.verdict.reasons.join('; ')}`, {
        file: result.files.report,
        hint: 'metrics.json says why (success, failure_reasons, time_base); the figures of this run are not a score',
      });
    }
    // An evaluation that compared nothing measured nothing: a failed run, with the reason, never a pass.
    const m = result.metrics as unknown as EvalMetrics;
    if (m.commands.length > 0 && m.commands.every((c) => c.compared === 0)) {
      const why = m.commands.map((c) => `${c.topic}: ${c.predicted} predicted, ${c.recorded} recorded commands`).join('; ');
      throw new VlaError('RUN_FAILED', `nothing was compared (${why})`, {
        path: '--bag',
        hint: m.commands.some((c) => c.recorded === 0)
          ? "the bag has no commands on the embodiment's command topic (control.command_topic): check it against `vla-bridge bag-info`"
          : 'the predictions and the recorded commands never overlap in time',
      });
    }
  });
}
