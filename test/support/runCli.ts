import { PassThrough, Readable } from 'node:stream';
import type { CliContext } from '../../src/cli/CliContext';
import { main } from '../../src/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `vla-bridge ...args` in process with in-memory streams. */
export async function runCli(args: readonly string[], options: { cwd?: string; stdin?: string } = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin: Readable.from([options.stdin ?? '']),
    cwd: options.cwd ?? process.cwd(),
    interactive: false,
  };
  const code = await main(['node', 'vla-bridge', ...args], ctx);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
