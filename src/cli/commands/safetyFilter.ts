import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Embodiment } from '../../config/Embodiment';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import { resolveJointLimits } from '../../config/resolveJointLimits';
import { VlaError } from '../../errors';
import type { RobotModel } from '../../robot/RobotModel';
import { parseUrdfFile } from '../../robot/parseUrdf';
import { SafetyLayer } from '../../safety/SafetyLayer';
import type { SafetyLayerOptions } from '../../safety/SafetyLayerOptions';
import { SafetyFilter } from '../../safety/filter/SafetyFilter';
import { type CliContext, logLine, parseNameList, parseNumberOption } from '../CliContext';

interface SafetyFilterOptions {
  urdf?: string;
  joints?: string;
  maxVelocity?: string;
  maxAcceleration?: string;
  embodiment?: string;
  json?: boolean;
}

/**
 * The layer's options for the filter. Limits come from the URDF and, with --embodiment, its YAML (which may
 * only tighten); --max-velocity and --max-acceleration tighten them further, never loosen. The workspace and
 * tool speed limits apply when --embodiment is given and every joint of its chain is filtered.
 */
export function filterLayerOptions(opts: SafetyFilterOptions, ctx: CliContext): SafetyLayerOptions {
  const maxVelocity = opts.maxVelocity === undefined ? Infinity : parseNumberOption(opts.maxVelocity, '--max-velocity', { above: 0 });
  const maxAcceleration =
    opts.maxAcceleration === undefined ? Infinity : parseNumberOption(opts.maxAcceleration, '--max-acceleration', { above: 0 });
  const embodiment: Embodiment | undefined = opts.embodiment === undefined ? undefined : loadEmbodiment(opts.embodiment, ctx.cwd);
  if (opts.urdf === undefined && embodiment === undefined) {
    throw new VlaError('ARGUMENT_INVALID', 'give --urdf FILE --joints a,b,c, or --embodiment YAML', {
      path: '--urdf',
      hint: 'see vla-bridge safety-filter --help',
    });
  }
  const robot: RobotModel = opts.urdf === undefined ? embodiment!.robot : parseUrdfFile(resolve(ctx.cwd, opts.urdf));
  for (const w of robot.warnings) logLine(ctx, `warning: ${w.message}`);
  if (opts.joints === undefined && embodiment === undefined) {
    throw new VlaError('ARGUMENT_INVALID', '--joints is required with --urdf: the joints the stream commands, in its array order', {
      path: '--joints',
    });
  }
  const joints = opts.joints === undefined ? [...embodiment!.commandJointNames] : parseNameList(opts.joints, '--joints');
  const resolved = resolveJointLimits(robot, joints, embodiment?.config.safety, {
    configFile: embodiment?.configFile,
    commandLineMaxVelocity: { option: '--max-velocity', value: maxVelocity },
  });
  for (const w of resolved.warnings) logLine(ctx, `warning: ${w}`);
  const limits = resolved.limits.map((l) => ({
    ...l,
    maxVelocity: Math.min(l.maxVelocity, maxVelocity),
    maxAcceleration: Math.min(l.maxAcceleration, maxAcceleration),
  }));
  const options: SafetyLayerOptions = { limits, maxStepPerTick: embodiment?.config.safety.max_step_per_tick };
  if (embodiment !== undefined) {
    const sameRobot = opts.urdf === undefined || resolve(ctx.cwd, opts.urdf) === embodiment.urdfFile;
    const chainCovered = embodiment.chain.jointNames.every((n) => joints.includes(n));
    const s = embodiment.config.safety;
    const cartesian =
      s.workspace !== undefined || s.max_ee_linear_speed_m_per_s !== undefined || s.max_ee_angular_speed_rad_per_s !== undefined;
    if (cartesian && sameRobot && chainCovered) {
      Object.assign(options, {
        chain: embodiment.chain,
        workspace: s.workspace,
        maxEeLinearSpeedMPerS: s.max_ee_linear_speed_m_per_s,
        maxEeAngularSpeedRadPerS: s.max_ee_angular_speed_rad_per_s,
      });
    } else if (cartesian) {
      logLine(
        ctx,
        `warning: the workspace and tool speed limits of ${embodiment.name} are not applied: they ` +
          `need its URDF and every joint of ${embodiment.chain.baseLink} -> ` +
          `${embodiment.chain.toolLink} in --joints`,
      );
    }
  }
  return options;
}

export function registerSafetyFilter(program: Command, ctx: CliContext): void {
  program
    .command('safety-filter')
    .description('the safety layer as a stream filter: JSON lines in on stdin, one safe JSON line out per line, flushed at once')
    .option('--urdf <file>', 'URDF giving the hard limits')
    .option('--joints <a,b,c>', 'the joints, in the order of the arrays in the stream (default with --embodiment: its command joints)')
    .option('--max-velocity <v>', 'tighten every joint velocity limit to at most v (rad/s or m/s)')
    .option(
      '--max-acceleration <a>',
      'tighten every joint acceleration limit to at most a (without one from anywhere, only position and velocity limits apply)',
    )
    .option('--embodiment <yaml>', 'embodiment (name or YAML): its URDF, limits, workspace and tool speeds')
    .option('--json', 'the output is JSON lines either way')
    .addHelpText(
      'after',
      [
        '',
        'Input, one JSON object per line:  {"t": s, "position": [...], "command": [...]}',
        '  optional: "velocity": [...] (first line: the measured velocity), "estop": true|false, "reset": true',
        '  "position" is the measured position (closed loop: the last output); a null or non-number in "command"',
        '  is a non-finite proposal. The first line starts the stream from "position".',
        'Output, one line per input line:  {"t": s, "command": [...], "events": [...]}',
        '  A malformed line is answered with "error": {"line", "field", "message"} and a hold (never an unsafe',
        '  command; "command" is null before the first good line); the exit status is then 2.',
      ].join('\n'),
    )
    .action(async (opts: SafetyFilterOptions) => {
      const layer = new SafetyLayer(filterLayerOptions(opts, ctx));
      const filter = new SafetyFilter(layer);
      const lines = createInterface({ input: ctx.stdin, crlfDelay: Infinity, terminal: false });
      let n = 0;
      for await (const text of lines) {
        n++;
        if (text.trim() === '') continue;
        const out = filter.process(text, n);
        if (out.error !== undefined) logLine(ctx, `vla-bridge safety-filter: ${out.error.message}`);
        ctx.stdout.write(`${JSON.stringify(out)}\n`);
      }
      const first = filter.errors[0];
      if (first !== undefined) {
        throw new VlaError(
          'MESSAGE_INVALID',
          `${filter.errors.length} malformed input line${filter.errors.length === 1 ? '' : 's'}, the first: ${first.message}`,
          {
            path: first.field === '' ? `line ${first.line}` : first.field,
            line: first.line,
            hint: 'each line must be {"t": seconds, "position": [...], "command": [...]} with arrays in --joints order',
          },
        );
      }
    });
}
