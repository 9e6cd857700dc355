import type { Command } from 'commander';
import type { BenchFigure } from '../../bench/BenchFigure';
import { BENCHMARKS } from '../../bench/registry';
import { VlaError } from '../../errors';
import { type CliContext, logLine, writeJson, writeLine } from '../CliContext';

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toFixed(4);
}

export function registerBench(program: Command, ctx: CliContext): void {
  program
    .command('bench')
    .description('run the benchmarks: medians, p99 and ratios against baselines measured in the same run')
    .option('--only <name>', `run one benchmark (${BENCHMARKS.map((b) => b.name).join(', ')}) or figures whose name starts with it`)
    .option('--quick', 'fewer iterations (checks that the benchmarks run, not how fast)')
    .option('--json', 'print {"figures":[...]} on stdout')
    .action(async (opts: { only?: string; quick?: boolean; json?: boolean }) => {
      const only = opts.only;
      const exact = BENCHMARKS.filter((b) => b.name === only);
      const selected = only === undefined ? BENCHMARKS : exact.length > 0 ? exact : BENCHMARKS.filter((b) => only.startsWith(`${b.name}.`));
      if (selected.length === 0) {
        throw new VlaError('ARGUMENT_INVALID', `no benchmark named "${only}"`, {
          path: '--only',
          hint: `use one of ${BENCHMARKS.map((b) => b.name).join(', ')}`,
        });
      }
      const figures: BenchFigure[] = [];
      for (const bench of selected) {
        logLine(ctx, `bench: running ${bench.name}...`);
        const got = await bench.run({ quick: opts.quick === true });
        figures.push(...got.filter((f) => only === undefined || only === bench.name || f.name.startsWith(only)));
      }
      if (opts.json === true) {
        writeJson(ctx, { figures });
        return;
      }
      writeLine(ctx, `${'figure'.padEnd(34)} ${'median'.padStart(10)} ${'p99'.padStart(10)} unit   ratio  baseline`);
      for (const f of figures) {
        writeLine(
          ctx,
          `${f.name.padEnd(34)} ${fmt(f.median).padStart(10)} ${fmt(f.p99).padStart(10)} ${f.unit.padEnd(6)} ${fmt(f.ratio).padStart(6)}  ${f.baseline}`,
        );
        writeLine(ctx, `${''.padEnd(34)} method: ${f.method}`);
        if (f.extra !== undefined)
          writeLine(
            ctx,
            `${''.padEnd(34)} ${Object.entries(f.extra)
              .map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`)
              .join('  ')}`,
          );
      }
    });
}
