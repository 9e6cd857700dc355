import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { BagReader } from '../../src/bag/BagReader';
import { main } from '../../src/cli/main';

/** The simulator driven by a real policy folder (ONNX in a worker thread), end to end through the CLI. */
describe('vla-bridge sim --policy <folder>', () => {
  it('runs the closed loop with an ONNX policy, reports its chunks and records the safety events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vla-sim-onnx-'));
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const ctx = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), cwd: process.cwd(), interactive: false };
    const policy = join(__dirname, '..', 'fixtures', 'policies', 'tiny_openvla');
    const code = await main(['node', 'vla-bridge', 'sim', '--policy', policy, '--episodes', '1', '--time-limit', '1', '--json', '--record', join(dir, 'bag')], ctx);
    expect(code).toBe(0);
    const summary = JSON.parse(out) as { policy: string; inferences: number; inference_failures: number; episodes: number };
    expect(summary.policy).toBe('tiny_openvla');
    expect(summary.episodes).toBe(1);
    expect(summary.inferences).toBeGreaterThan(3);
    expect(summary.inference_failures).toBe(0);
    // A single-step policy whose inference takes as long as its step runs dry between chunks: the watchdog
    // holds the arm, and every event is in the recording.
    const reader = await BagReader.open(join(dir, 'bag'));
    const events = (await reader.info()).topics.find((t) => t.name === '/vla_bridge/safety_events');
    expect(events?.type).toBe('vla_bridge/msg/SafetyEvent');
    const limits = new Set<string>();
    for await (const m of reader.messages<{ limit: string }>({ topics: ['/vla_bridge/safety_events'] })) limits.add(m.message.limit);
    expect(limits.has('watchdog_policy')).toBe(true);
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
