import { join } from 'node:path';
import { loadEmbodiment } from '../../src/config/loadEmbodiment';
import { loadPolicy } from '../../src/policy/loadPolicy';
import { runSimEpisodes } from '../../src/sim/runSimEpisodes';
import { startPythonPeer } from '../peers/pythonPeer';

// A served policy whose server drops the connection mid-run, in the real control loop (simulator, action
// queue, safety layer): the failures are counted, the loop keeps running (the watchdog holds the arm), the
// policy reconnects with backoff and chunks resume.

const ROOT = join(__dirname, '..', '..');

test('a connection lost mid-run: failures counted, reconnection, chunks resume, every command through the safety layer', async () => {
  const peer = await startPythonPeer(['--mode', 'drop', '--drop-after', '3']);
  const embodiment = loadEmbodiment('franka_panda', ROOT);
  const policy = await loadPolicy(join(ROOT, 'policies', 'openpi_sim_panda'), { policyServer: peer.url, embodiment, deadlineS: 1 });
  const errors: string[] = [];
  try {
    const summary = await runSimEpisodes({
      embodiment,
      policy,
      episodes: 1,
      seed: 11,
      task: { timeLimitS: 3 },
      inferenceLatencyS: 0.05,
      onInferenceError: (e) => errors.push(String(e)),
    });
    const stats = policy.serverStats()!;
    expect(summary.inference_failures).toBeGreaterThanOrEqual(1);
    expect({ failures: stats.failures, lost: errors.filter((e) => e.includes('was lost')).length > 0 }).toEqual({
      failures: expect.any(Number),
      lost: true,
    });
    expect(stats.failures).toBeGreaterThanOrEqual(1);
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    // Chunks before and after the drop: the loop resumed on the new connection.
    expect(summary.inferences).toBeGreaterThan(3);
    expect(stats.replies).toBeGreaterThanOrEqual(summary.inferences);
  } finally {
    await policy.close();
    await peer.stop();
  }
}, 120000);
