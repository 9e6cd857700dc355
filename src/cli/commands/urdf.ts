import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Joint } from '../../robot/RobotModel';
import { parseUrdfFile } from '../../robot/parseUrdf';
import { type CliContext, logLine, writeJson, writeLine } from '../CliContext';

/** The DESIGN §3 JSON shape of one joint: absent fields omitted, infinite limits as the strings "inf"/"-inf". */
export function jointToJson(joint: Joint): Record<string, unknown> {
  const out: Record<string, unknown> = { name: joint.name, type: joint.type, parent: joint.parent, child: joint.child };
  const limit = joint.limit;
  if (limit !== undefined) {
    for (const key of ['lower', 'upper', 'velocity', 'effort'] as const) {
      const v = limit[key];
      if (v !== undefined) out[key] = Number.isFinite(v) ? v : v > 0 ? 'inf' : '-inf';
    }
  }
  if (joint.mimic !== undefined) out.mimic = { ...joint.mimic };
  return out;
}

export function registerUrdf(program: Command, ctx: CliContext): void {
  program
    .command('urdf')
    .description('parse a URDF and print its joints and limits (all joints, fixed ones too, in file order)')
    .argument('<file>', 'URDF file (a .xacro must be expanded first)')
    .option('--json', 'machine-readable output on stdout')
    .action((file: string, opts: { json?: boolean }) => {
      const robot = parseUrdfFile(resolve(ctx.cwd, file));
      for (const w of robot.warnings) logLine(ctx, `warning: ${w.message}`);
      if (opts.json === true) {
        writeJson(ctx, { name: robot.name, joints: robot.joints.map(jointToJson) });
        return;
      }
      writeLine(ctx, `robot ${robot.name}: ${robot.links.length} links, ${robot.joints.length} joints, root link ${robot.rootLink}`);
      for (const j of robot.joints) {
        const lim =
          j.limit === undefined
            ? ''
            : ` lower=${j.limit.lower ?? '-'} upper=${j.limit.upper ?? '-'} velocity=${j.limit.velocity ?? '-'} effort=${j.limit.effort ?? '-'}`;
        const mimic = j.mimic === undefined ? '' : ` mimic=${j.mimic.joint}*${j.mimic.multiplier}+${j.mimic.offset}`;
        writeLine(ctx, `  ${j.name} (${j.type}) ${j.parent} -> ${j.child}${lim}${mimic}`);
      }
    });
}
