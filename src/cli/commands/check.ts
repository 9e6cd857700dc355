import type { Command } from 'commander';
import type { Embodiment } from '../../config/Embodiment';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import { type CliContext, logLine, writeJson, writeLine } from '../CliContext';

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
  program
    .command('check')
    .description('validate an embodiment (YAML + URDF + limits + kinematic chain) and print a summary')
    .argument('<embodiment>', 'a shipped embodiment name (franka_panda, ur5e, widowx_250s, so101) or a YAML path')
    .option('--json', 'machine-readable output on stdout')
    .action((name: string, opts: { json?: boolean }) => {
      const e = loadEmbodiment(name, ctx.cwd);
      for (const w of e.warnings) logLine(ctx, `warning: ${w}`);
      if (opts.json === true) {
        writeJson(ctx, { ok: true, ...embodimentSummary(e) });
        return;
      }
      const c = e.config;
      writeLine(ctx, `embodiment ${e.name}: OK`);
      writeLine(ctx, `  config   ${e.configFile}`);
      writeLine(ctx, `  urdf     ${e.urdfFile} (robot "${e.robot.name}", ${e.robot.joints.length} joints)`);
      writeLine(ctx, `  chain    ${c.base_link} -> ${c.tool_link}, ${e.chain.dof} joints`);
      writeLine(ctx, `  control  ${c.control.mode} on ${c.control.command_topic} (${c.control.command_type}) at ${c.rates.command_hz} Hz; policy at ${c.rates.policy_hz} Hz`);
      writeLine(ctx, `  state    ${c.topics.joint_states} (stale after ${c.timeouts.joint_state_s} s)`);
      for (const cam of c.topics.cameras) writeLine(ctx, `  camera   ${cam.name}: ${cam.topic} (${cam.type}, stale after ${cam.timeout_s} s)`);
      if (c.gripper !== undefined) writeLine(ctx, `  gripper  ${c.gripper.joint}: open ${c.gripper.open_position}, closed ${c.gripper.closed_position} (${c.gripper.action_convention})`);
      writeLine(ctx, '  limits   joint: position [min, max], velocity, acceleration, jerk');
      for (const l of e.limits) {
        writeLine(ctx, `    ${l.name} (${l.type}): [${fmt(l.minPosition)}, ${fmt(l.maxPosition)}], v ${fmt(l.maxVelocity)}, a ${fmt(l.maxAcceleration)}, j ${fmt(l.maxJerk)}`);
      }
      const w = c.safety.workspace;
      if (w !== undefined) writeLine(ctx, `  workspace [${w.min.join(', ')}] .. [${w.max.join(', ')}] m`);
    });
}
