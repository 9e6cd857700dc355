import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { BagReader } from '../../src/bag/BagReader';
import { main } from '../../src/cli/main';

interface Summary {
  policy: string;
  inferences: number;
  inference_failures: number;
  episodes: number;
  overdue_ticks: number;
  late_chunks: number;
  max_chunk_delay_ms: number;
  safety_interventions: number;
}

const policy = join(__dirname, '..', 'fixtures', 'policies', 'tiny_openvla');

/** One recorded episode of the simulator driven by the policy folder; the summary and the recorded event limits. */
async function simulate(...extra: string[]): Promise<{ summary: Summary; limits: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'vla-sim-onnx-'));
  try {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const ctx = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), cwd: process.cwd(), interactive: false };
    const code = await main(
      [
        'node',
        'vla-bridge',
        'sim',
        '--policy',
        policy,
        '--episodes',
        '1',
        '--time-limit',
        '1',
        '--json',
        '--record',
        join(dir, 'bag'),
        ...extra,
      ],
      ctx,
    );
    expect(code).toBe(0);
    const reader = await BagReader.open(join(dir, 'bag'));
    try {
      const events = (await reader.info()).topics.find((t) => t.name === '/vla_bridge/safety_events');
      expect(events?.type).toBe('vla_bridge/msg/SafetyEvent');
      const limits: string[] = [];
      for await (const m of reader.messages<{ limit: string }>({ topics: ['/vla_bridge/safety_events'] })) limits.push(m.message.limit);
      return { summary: JSON.parse(out) as Summary, limits };
    } finally {
      await reader.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The simulator driven by a real policy folder (ONNX in a worker thread), end to end through the CLI. */
describe('vla-bridge sim --policy <folder>', () => {
  it('runs the closed loop with an ONNX policy, reports its chunks and records the safety events', async () => {
    // A single-step chunk whose inference (0.1 s) takes about as long as the chunk lasts: each chunk runs a
    // little behind its observation, and the queue never runs dry.
    const { summary, limits } = await simulate();
    expect(summary.policy).toBe('tiny_openvla');
    expect(summary.episodes).toBe(1);
    expect(summary.inferences).toBeGreaterThan(3);
    expect(summary.inference_failures).toBe(0);
    expect(summary.overdue_ticks).toBe(0);
    expect(summary.late_chunks).toBe(summary.inferences);
    expect(summary.max_chunk_delay_ms).toBeLessThanOrEqual(100 + 1e-6);
    expect(limits).not.toContain('watchdog_policy');
    // The untrained policy pushes against the limits; every intervention is in the recording.
    expect(summary.safety_interventions).toBeGreaterThan(0);
    expect(limits.length).toBeGreaterThanOrEqual(summary.safety_interventions);
  });

  it('with strict latency compensation the same policy runs dry between chunks, and the watchdog holds the arm', async () => {
    const { summary, limits } = await simulate('--latency-compensation', 'strict');
    expect(summary.overdue_ticks).toBeGreaterThan(0);
    expect(summary.late_chunks).toBe(0);
    expect(limits).toContain('watchdog_policy');
  });
});
