import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** Debian's python3 (python3-websockets, python3-msgpack, python3-numpy from scripts/setup.sh). */
export const PYTHON = '/usr/bin/python3';
export const PEER_SERVER = join(__dirname, 'openpi_peer_server.py');
export const PEER_CLIENT = join(__dirname, 'openpi_peer_client.py');

export interface PythonPeer {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the independent Python openpi server on 127.0.0.1 (an ephemeral port unless one is given). */
export function startPythonPeer(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<PythonPeer> {
  const child = spawn(PYTHON, [PEER_SERVER, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    let started = false;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Python peer did not start: ${stderr}`));
    }, 15000);
    void exited.then(() => {
      clearTimeout(timer);
      if (!started) reject(new Error(`the Python peer exited (${String(child.exitCode ?? child.signalCode)}): ${stderr}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      started = true;
      const port = Number(m[1]);
      resolve({
        port,
        url: `ws://127.0.0.1:${port}`,
        process: child,
        stop: async () => {
          const force = setTimeout(() => child.kill('SIGKILL'), 2000);
          child.kill('SIGTERM');
          await exited;
          clearTimeout(force);
        },
      });
    });
  });
}

/** Runs the Python client against a server: prints one JSON line describing what it got. */
export function runPythonClient(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(PYTHON, [PEER_CLIENT, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
