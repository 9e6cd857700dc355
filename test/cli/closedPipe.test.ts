import { spawn } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'bin', 'vla-bridge.js');

/** Runs the CLI with its stdout read by nobody (the pipe closed before the first write), like `| head -0`. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a reader that goes away', () => {
  it.each([['serve', '--help'], ['--help'], ['check', '--help']])(
    'vla-bridge %s %s drops the output nobody reads and exits 0, without a stack trace',
    async (...args) => {
      const { code, stderr } = await runWithClosedStdout(args);
      expect(stderr).not.toMatch(/EPIPE|Unhandled|node:events|at .*\.js:\d+/);
      expect(code).toBe(0);
    },
    30_000,
  );
});
