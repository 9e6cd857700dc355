import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { runCli } from '../support/runCli';
import { type PythonPeer, startPythonPeer } from '../peers/pythonPeer';

// The command line around served policies: --policy-server on sim, eval, infer and check, `vla-bridge serve`,
// --execution-provider; bad input exits 2 naming what is wrong.

const ROOT = join(__dirname, '..', '..');
const SERVED = join(ROOT, 'policies', 'openpi_sim_panda');
const IMAGE = join(ROOT, 'test', 'fixtures', 'demo', 'reach_demo_golden_0.png');
const STATE = '0,-0.3,0,-2.2,0,2,0.8,1';

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let peer: PythonPeer | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'vla-served-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(async () => {
  await peer?.stop();
  peer = undefined;
});

describe('served policies on the command line', () => {
  it.each(['sim', 'check', 'infer', 'eval'])(
    '%s --policy-server to a closed port: exit 2 naming the URL, within seconds',
    async (command) => {
      const url = `ws://127.0.0.1:${await closedPort()}`;
      const args: Record<string, string[]> = {
        sim: ['sim', '--policy', SERVED, '--policy-server', url, '--episodes', '1'],
        check: ['check', 'franka_panda', '--policy', SERVED, '--policy-server', url],
        infer: [
          'infer',
          '--policy',
          SERVED,
          '--policy-server',
          url,
          '--image',
          IMAGE,
          '--state',
          STATE,
          '--instruction',
          'reach the red cube',
        ],
        eval: [
          'eval',
          '--bag',
          join(tmp, 'demo.mcap'),
          '--embodiment',
          'franka_panda',
          '--policy',
          SERVED,
          '--policy-server',
          url,
          '--out',
          join(tmp, 'eval'),
        ],
      };
      if (command === 'eval')
        expect(
          (
            await runCli([
              'sim',
              '--policy',
              'scripted',
              '--embodiment',
              'franka_panda',
              '--episodes',
              '1',
              '--seed',
              '3',
              '--record',
              join(tmp, 'demo.mcap'),
            ])
          ).code,
        ).toBe(0);
      const t0 = Date.now();
      const r = await runCli(args[command]!);
      expect(Date.now() - t0).toBeLessThan(10000);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(url);
      expect(r.stderr).toMatch(/unreachable|did not answer/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('eval --policy-server replays a recording through the served policy: metrics, the server latency, no token accuracy', async () => {
    const bag = join(tmp, 'served-eval.mcap');
    expect(
      (await runCli(['sim', '--policy', 'scripted', '--embodiment', 'franka_panda', '--episodes', '1', '--seed', '5', '--record', bag]))
        .code,
    ).toBe(0);
    peer = await startPythonPeer();
    const out = join(tmp, 'served-eval');
    const r = await runCli([
      'eval',
      '--bag',
      bag,
      '--embodiment',
      'franka_panda',
      '--policy',
      SERVED,
      '--policy-server',
      peer.url,
      '--out',
      out,
      '--json',
    ]);
    expect(r.stderr).not.toMatch(/error|\n\s+at /);
    expect(r.code).toBe(0);
    type Metrics = {
      token_accuracy: number | null;
      token_accuracy_note: string;
      policy_server: { url: string; replies: number; failures: number };
    };
    const m = JSON.parse(r.stdout) as Metrics;
    expect(m.token_accuracy).toBeNull();
    expect(m.token_accuracy_note).toMatch(/the policy is served/);
    expect(m.policy_server).toMatchObject({ url: peer.url, failures: 0 });
    expect(m.policy_server.replies).toBeGreaterThan(0);
    expect(existsSync(join(out, 'metrics.json')) && existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('infer and check show the server metadata; infer sends the state as given', async () => {
    peer = await startPythonPeer();
    const infer = await runCli([
      'infer',
      '--policy',
      SERVED,
      '--policy-server',
      peer.url,
      '--image',
      IMAGE,
      '--state',
      STATE,
      '--instruction',
      'reach the red cube',
      '--json',
    ]);
    expect(infer.stderr).toBe('');
    const out = JSON.parse(infer.stdout) as {
      actions: number[][];
      metadata: Record<string, unknown>;
      policy_server: Record<string, unknown>;
    };
    expect(out.metadata).toEqual({ action_horizon: 10, action_dim: 8, peer: 'python' });
    expect(out.actions).toHaveLength(10);
    // The peer's plan: the state + 0.01 per step; the gripper as given (1 = open).
    expect(out.actions[0]![3]).toBeCloseTo(-2.19, 5);
    expect(out.actions[9]![7]).toBe(1);
    expect(out.policy_server).toMatchObject({ url: peer.url, replies: 1, failures: 0 });
    const check = await runCli(['check', 'franka_panda', '--policy', SERVED, '--policy-server', peer.url]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`served by ${peer.url}, metadata {"action_horizon":10,"action_dim":8,"peer":"python"}`);
  });

  it('infer of a served policy with a missing state: exit 2 saying what the state holds', async () => {
    const r = await runCli(['infer', '--policy', SERVED, '--image', IMAGE, '--instruction', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--state');
    expect(r.stderr).toContain('the gripper in [0, 1]');
  });

  it('an unavailable execution provider is named (exit 2); with cpu after it, a logged fallback', async () => {
    const refused = await runCli([
      'check',
      'franka_panda',
      '--policy',
      join(ROOT, 'policies', 'reach_demo'),
      '--execution-provider',
      'cuda',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('execution provider "cuda" is not available');
    expect(refused.stderr).toContain('list cpu after it');
    const fallback = await runCli([
      'check',
      'franka_panda',
      '--policy',
      join(ROOT, 'policies', 'reach_demo'),
      '--execution-provider',
      'cuda,cpu',
    ]);
    expect(fallback.code).toBe(0);
    expect(fallback.stderr).toMatch(/policy reach_demo: execution provider "cuda" is not available \(.*\): falling back to "cpu"/);
    const unknown = await runCli([
      'check',
      'franka_panda',
      '--policy',
      join(ROOT, 'policies', 'reach_demo'),
      '--execution-provider',
      'tpu',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown execution provider "tpu"');
  });

  it('vla-bridge serve --port 0 --json: listens on 127.0.0.1, answers /healthz, stops at SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'vla-bridge.js'), 'serve', '--policy', join(ROOT, 'policies', 'reach_demo'), '--port', '0', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const info = JSON.parse(line) as { url: string; host: string; port: number; metadata: Record<string, unknown> };
    expect(info.host).toBe('127.0.0.1');
    expect(info.metadata).toMatchObject({ action_horizon: 10, action_dim: 8 });
    const health = await fetch(`http://127.0.0.1:${info.port}/healthz`);
    expect(health.status).toBe(200);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('serve of a served folder, or on a busy port: exit 2', async () => {
    const notLocal = await runCli(['serve', '--policy', SERVED, '--port', '0']);
    expect(notLocal.code).toBe(2);
    expect(notLocal.stderr).toContain('is a served policy');
  });
});
