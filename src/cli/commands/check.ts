import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Embodiment } from '../../config/Embodiment';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import { bindPolicy } from '../../control/bindPolicy';
import { loadPolicy } from '../../policy/loadPolicy';
import { RemotePolicy } from '../../policy/remote/RemotePolicy';
import { addExecutionProviderOption, addPolicyServerOption, parseExecutionProviders, type PolicyCliOptions } from '../policyOptions';
import { type CliContext, logLine, writeJson, writeLine } from '../CliContext';
import { recordTopicsFor } from '../../export/recordTopics';
import { commandTopics, resolvedPreviewTopic } from '../../outputs/nodeTopics';

/** Unbounded limits print as null in JSON (JSON has no Infinity). */
const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function embodimentSummary(e: Embodiment): Record<string, unknown> {
  const c = e.config;
  return {
    name: e.name,
    config: e.configFile,
    urdf: e.urdfFile,
    robot: e.robot.name,
    base_link: c.base_link,
    tool_link: c.tool_link,
    joints: e.limits.map((l) => ({
      name: l.name,
      type: l.type,
      min_position: finiteOrNull(l.minPosition),
      max_position: finiteOrNull(l.maxPosition),
      max_velocity: l.maxVelocity,
      max_acceleration: finiteOrNull(l.maxAcceleration),
      max_jerk: finiteOrNull(l.maxJerk),
    })),
    policy_joints: e.policyJointNames,
    gripper: c.gripper ?? null,
    control: c.control,
    cameras: c.topics.cameras,
    joint_states: c.topics.joint_states,
    command_topics: commandTopics(e),
    // Where a dry run (dry_run:=true) sends them, for the node's default name /vla_bridge.
    preview_topics: commandTopics(e).map(resolvedPreviewTopic),
    record_topics: recordTopicsFor(e),
    rates: c.rates,
    timeouts: c.timeouts,
    workspace: c.safety.workspace ?? null,
    max_ee_linear_speed_m_per_s: c.safety.max_ee_linear_speed_m_per_s ?? null,
    max_ee_angular_speed_rad_per_s: c.safety.max_ee_angular_speed_rad_per_s ?? null,
    warnings: e.warnings,
  };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toFixed(4))) : v > 0 ? 'inf' : '-inf';
}

export function registerCheck(program: Command, ctx: CliContext): void {
  const command = program
    .command('check')
    .description('validate an embodiment (YAML + URDF + limits + kinematic chain) and print a summary')
    .argument('<embodiment>', 'a shipped embodiment name (franka_panda, ur5e, widowx_250s, so101) or a YAML path')
    .option('--policy <dir>', 'also load this policy folder (model inputs and outputs checked) and check it can drive the embodiment')
    .option('--json', 'machine-readable output on stdout');
  addPolicyServerOption(command);
  addExecutionProviderOption(command);
  command.action(async (name: string, opts: PolicyCliOptions & { json?: boolean; policy?: string }) => {
    const e = loadEmbodiment(name, ctx.cwd);
    for (const w of e.warnings) logLine(ctx, `warning: ${w}`);
    const binding =
      opts.policy === undefined ? undefined : await checkBinding(e, resolve(ctx.cwd, opts.policy), opts, (line) => logLine(ctx, line));
    if (opts.json === true) {
      writeJson(ctx, { ok: true, ...embodimentSummary(e), ...(binding === undefined ? {} : { policy: binding }) });
      return;
    }
    const c = e.config;
    writeLine(ctx, `embodiment ${e.name}: OK`);
    writeLine(ctx, `  config   ${e.configFile}`);
    writeLine(ctx, `  urdf     ${e.urdfFile} (robot "${e.robot.name}", ${e.robot.joints.length} joints)`);
    writeLine(ctx, `  chain    ${c.base_link} -> ${c.tool_link}, ${e.chain.dof} joints`);
    writeLine(
      ctx,
      `  control  ${c.control.mode} on ${c.control.command_topic} (${c.control.command_type}) at ${c.rates.command_hz} Hz; policy at ${c.rates.policy_hz} Hz`,
    );
    writeLine(ctx, `  state    ${c.topics.joint_states} (stale after ${c.timeouts.joint_state_s} s)`);
    for (const cam of c.topics.cameras)
      writeLine(ctx, `  camera   ${cam.name}: ${cam.topic} (${cam.type}, stale after ${cam.timeout_s} s)`);
    if (c.gripper !== undefined)
      writeLine(
        ctx,
        `  gripper  ${c.gripper.joint}: open ${c.gripper.open_position}, closed ${c.gripper.closed_position} (${c.gripper.action_convention})`,
      );
    writeLine(ctx, '  limits   joint: position [min, max], velocity, acceleration, jerk');
    for (const l of e.limits) {
      writeLine(
        ctx,
        `    ${l.name} (${l.type}): [${fmt(l.minPosition)}, ${fmt(l.maxPosition)}], v ${fmt(l.maxVelocity)}, a ${fmt(l.maxAcceleration)}, j ${fmt(l.maxJerk)}`,
      );
    }
    const w = c.safety.workspace;
    writeLine(ctx, `  record   ros2 bag record ${recordTopicsFor(e).join(' ')}`);
    if (w !== undefined) writeLine(ctx, `  workspace [${w.min.join(', ')}] .. [${w.max.join(', ')}] m`);
    if (binding !== undefined) {
      writeLine(
        ctx,
        `  policy   ${binding.name}: ${binding.kind} ${binding.frame} actions ` +
          `[${binding.dimensions.join(', ')}], cameras ${binding.cameras.join(', ') || 'none'}`,
      );
      writeLine(
        ctx,
        `           chunk of ${binding.horizon} steps every ${binding.step_dt_s} s, ${binding.steps_to_execute} executed: binds to ${e.name}`,
      );
      const server = binding['server'] as { url: string; metadata: unknown } | undefined;
      if (server !== undefined) writeLine(ctx, `           served by ${server.url}, metadata ${JSON.stringify(server.metadata)}`);
    }
  });
}

/** Loads the policy (model I/O checked against its manifest), binds it to the embodiment, and releases it. */
async function checkBinding(
  e: Embodiment,
  dir: string,
  opts: PolicyCliOptions,
  log: (line: string) => void,
): Promise<
  Record<string, unknown> & {
    name: string;
    kind: string;
    frame: string;
    dimensions: readonly string[];
    cameras: readonly string[];
    horizon: number;
    step_dt_s: number;
    steps_to_execute: number;
  }
> {
  const policy = await loadPolicy(dir, {
    executor: 'in_process',
    embodiment: e,
    policyServer: opts.policyServer,
    executionProviders: parseExecutionProviders(opts.executionProvider),
    log,
  });
  try {
    bindPolicy(e, policy);
    return {
      name: policy.name,
      kind: policy.space.kind,
      frame: policy.space.frame,
      dimensions: policy.space.names,
      cameras: policy.cameras,
      horizon: policy.horizon,
      step_dt_s: policy.stepDtS,
      steps_to_execute: policy.stepsToExecute,
      ...(policy instanceof RemotePolicy ? { server: { url: policy.serverStats().url, metadata: policy.metadata ?? {} } } : {}),
    };
  } finally {
    await policy.close();
  }
}
