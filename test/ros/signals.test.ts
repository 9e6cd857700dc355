import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Signals reach `vla-bridge run` as they do under `ros2 launch`: a real child process on the in-memory
 * rclnodejs, Ctrl-C pressed twice and then launch's SIGTERM escalation, all during the controlled stop.
 */

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runSignalled(signals: NodeJS.Signals[]): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'signalledNode.ts')], {
    cwd: join(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      const before = stdout;
      stdout += d.toString();
      if (!before.includes('active\n') && stdout.includes('active\n')) {
        // One signal every 30 ms: all of them arrive while the 0.3 s stop runs.
        signals.forEach((signal, i) => setTimeout(() => child.kill(signal), i * 30));
      }
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('vla-bridge run and signals', () => {
  it('finishes the controlled stop and exits 0 when Ctrl-C is pressed twice and SIGTERM follows', async () => {
    const exit = await runSignalled(['SIGINT', 'SIGINT', 'SIGTERM']);
    expect([exit.code, exit.signal, exit.stderr]).toEqual([0, null, '']);
    const lines = exit.stdout.trim().split('\n');
    expect(lines).toEqual([
      'active',
      'vla_bridge: stopping (controlled stop, then shutdown)',
      'vla_bridge: SIGINT received; already stopping (the controlled stop finishes first)',
      'vla_bridge: SIGTERM received; already stopping (the controlled stop finishes first)',
      'stop completed',
    ]);
  });

  it('exits 0 after one Ctrl-C', async () => {
    const exit = await runSignalled(['SIGINT']);
    expect([exit.code, exit.signal]).toEqual([0, null]);
    expect(exit.stdout).toContain('stop completed');
  });
});
