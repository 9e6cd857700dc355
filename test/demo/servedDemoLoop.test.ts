import { join } from 'node:path';
import { runCli } from '../support/runCli';
import { serveLocalPolicy } from '../../src/policy/serve/serveLocalPolicy';

// The demo's loop closed through a policy server: `vla-bridge serve` of the demo model (its serve section: openpi
// LIBERO-like keys) and `vla-bridge sim` of the served policy folder, on held-out scenes. 90 episodes of seed 2000
// reached 97% (policies/openpi_sim_panda/README.md); here a few, so that the test stays short.

const ROOT = join(__dirname, '..', '..');

test('sim --policy policies/openpi_sim_panda --policy-server ws://127.0.0.1:P reaches the named cube', async () => {
  const served = await serveLocalPolicy(join(ROOT, 'policies', 'reach_demo'), { port: 0 });
  try {
    const r = await runCli([
      'sim',
      '--policy',
      join(ROOT, 'policies', 'openpi_sim_panda'),
      '--policy-server',
      served.server.url,
      '--episodes',
      '5',
      '--seed',
      '2000',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as {
      success_rate: number;
      policy: string;
      policy_server: {
        url: string;
        replies: number;
        round_trip_ms: { p50: number; p99: number };
        server_infer_ms: { p50: number };
        bytes_per_observation: number;
      };
    };
    expect(s.policy).toBe('openpi_sim_panda');
    expect(s.success_rate).toBeGreaterThanOrEqual(0.8);
    expect(s.policy_server.url).toBe(served.server.url);
    expect(s.policy_server.replies).toBeGreaterThan(20);
    expect(s.policy_server.round_trip_ms.p99).toBeGreaterThanOrEqual(s.policy_server.round_trip_ms.p50);
    expect(s.policy_server.server_infer_ms.p50).toBeGreaterThan(0);
    expect(s.policy_server.bytes_per_observation).toBeGreaterThan(224 * 224 * 3);
  } finally {
    await served.close();
  }
}, 600000);
