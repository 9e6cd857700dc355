import type { Command } from 'commander';
import type { CliContext } from '../CliContext';

export function registerCheck(program: Command, _ctx: CliContext): void {
  program.command('check').description('validate an embodiment (YAML + URDF + policy binding)').argument('<embodiment>');
}
