import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import { VlaError } from '../../errors';
import type { RunNodeOptions } from '../../ros/runNode';
import { type CliContext, logLine } from '../CliContext';
import { parseExecutionProviders } from '../policyOptions';

interface RunOptions {
  embodiment?: string;
  policy?: string;
  instruction?: string;
  policyServer?: string;
  executionProvider?: string;
}

/**
 * Splits what follows `vla-bridge run [options]` into ROS arguments (from `--ros-args` on; a `--` before them
 * is allowed) and anything else, which is a mistake.
 */
export function splitRosArgs(args: readonly string[]): { rosArgs: string[]; stray: string[] } {
  const rest = args[0] === '--' ? args.slice(1) : [...args];
  const start = rest.indexOf('--ros-args');
  if (start < 0) return { rosArgs: [], stray: rest };
  return { rosArgs: rest.slice(start), stray: rest.slice(0, start) };
}

export function registerRun(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run the vla_bridge ROS 2 lifecycle node (needs a sourced ROS 2; see docs/ROS.md)')
    .option('--embodiment <name-or-yaml>', 'a shipped embodiment (franka_panda, ur5e, widowx_250s, so101) or an embodiment YAML')
    .option('--policy <dir>', 'the policy folder')
    .option('--instruction <text>', 'the language instruction')
    .option(
      '--policy-server <URL>',
      "a served policy's server (ws://host:port) instead of its manifest's (node parameter policy_server); API key from VLA_BRIDGE_POLICY_API_KEY",
    )
    .option(
      '--execution-provider <EPS>',
      "onnxruntime execution providers for a local policy, in order (e.g. cuda,cpu), instead of its manifest's (node parameter execution_provider)",
    )
    .argument('[ros-args...]', 'ROS arguments after --ros-args: -p name:=value, -r from:=to, --params-file FILE, --log-level LEVEL')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText(
      'after',
      '\nThe node starts unconfigured; `ros2 lifecycle set /vla_bridge configure` and `activate` start the arm\n' +
        '(or -p autostart:=true). Parameters, topics and services: docs/ROS.md.\n' +
        'Example: vla-bridge run --embodiment franka_panda --policy ./policy --ros-args -p dry_run:=true',
    )
    .action(async (args: string[], opts: RunOptions) => {
      const { rosArgs, stray } = splitRosArgs(args);
      if (stray.length > 0) {
        throw new VlaError('ARGUMENT_INVALID', `unexpected argument ${JSON.stringify(stray[0])}`, {
          path: stray[0],
          hint: 'ROS arguments go after --ros-args; `vla-bridge run --help` lists the options',
        });
      }
      const parameters: Record<string, string> = {};
      if (opts.embodiment !== undefined) {
        // Checked here so that a wrong name or a bad YAML fails at once, with the file and field.
        parameters.embodiment = loadEmbodiment(opts.embodiment, ctx.cwd).configFile;
      }
      if (opts.policy !== undefined) parameters.policy = resolve(ctx.cwd, opts.policy);
      if (opts.instruction !== undefined) parameters.instruction = opts.instruction;
      if (opts.policyServer !== undefined) parameters.policy_server = opts.policyServer;
      // Checked here too, so that a misspelt provider fails before ROS starts.
      const providers = parseExecutionProviders(opts.executionProvider);
      if (providers !== undefined) parameters.execution_provider = providers.join(',');
      // The ROS node (and with it rclnodejs and the policy runtime) loads only for this command.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runNode } = require('../../ros/runNode') as typeof import('../../ros/runNode');
      const options: RunNodeOptions = { rosArgs, parameters, log: (line) => logLine(ctx, line) };
      await runNode(options);
    });
}
