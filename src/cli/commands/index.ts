import type { Command } from 'commander';
import type { CliContext } from '../CliContext';
import { registerBagInfo } from './bagInfo';
import { registerBench } from './bench';
import { registerCheck } from './check';
import { registerEval } from './eval';
import { registerExportLerobot } from './exportLerobot';
import { registerInfer } from './infer';
import { registerRecordDemos } from './recordDemos';
import { registerRun } from './run';
import { registerSafetyFilter } from './safetyFilter';
import { registerServe } from './serve';
import { registerSim } from './sim';
import { registerUrdf } from './urdf';

/** Every subcommand, in the order `--help` lists them. One file per subcommand, each exporting `register<Name>`. */
const REGISTRATIONS: readonly ((program: Command, ctx: CliContext) => void)[] = [
  registerUrdf,
  registerCheck,
  registerBench,
  registerBagInfo,
  registerSim,
  registerEval,
  registerExportLerobot,
  registerInfer,
  registerSafetyFilter,
  registerRun,
  registerServe,
  registerRecordDemos,
];

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const register of REGISTRATIONS) register(program, ctx);
}
