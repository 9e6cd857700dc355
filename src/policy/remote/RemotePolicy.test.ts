import { join } from 'node:path';
import { packageRoot } from '../../config/packageRoot';
import type { Observation } from '../../observation/Observation';
import { loadServedManifest } from '../loadPolicy';
import type { ServedPolicyManifest } from '../manifest/ServedPolicyManifest';
import { PolicyServer } from '../serve/PolicyServer';
import { ndarray } from './numpyMsgpack';
import { RemotePolicy } from './RemotePolicy';
import { vlaFailure as failure } from '../../../test/support/vlaFailure';

const base = loadServedManifest(join(packageRoot(), 'policies', 'openpi_sim_panda')) as ServedPolicyManifest;
const manifest: ServedPolicyManifest = { ...base, server: { ...base.server, reconnect_backoff_s: { initial: 0.2, max: 0.4 } } };
const POSE = [0, -0.3, 0, -2.2, 0, 2, 0.8, 1];

function observation(): Observation {
  const data = new Uint8Array(224 * 224 * 3);
  return {
    stampS: 1,
    images: new Map([
      [
        'primary',
        { kind: 'raw', stampS: 1, frameId: 'cam', width: 224, height: 224, encoding: 'rgb8', step: 672, isBigEndian: false, data },
      ],
    ]),
    jointState: { stampS: 1, position: Float64Array.from(POSE) },
    instruction: 'reach the red cube',
  };
}

const actions = () =>
  ndarray(
    Float32Array.from({ length: 80 }, (_, i) => POSE[i % 8]!),
    [10, 8],
  );
const handler = { metadata: () => ({ action_horizon: 10, action_dim: 8 }), infer: () => Promise.resolve({ actions: actions() }) };
const serve = (port = 0) => PolicyServer.start(handler, { port });

it('a server that stays away: each failure names the last connection error once, and repeats have the same text until the next attempt', async () => {
  const server = await serve();
  const port = server.port;
  const policy = await RemotePolicy.connect(manifest, { url: server.url });
  try {
    await policy.infer(observation());
    await server.close();
    const messages: string[] = [];
    const startedMs = performance.now();
    while (performance.now() - startedMs < 1500) {
      messages.push((await failure(policy.infer(observation()))).message);
      await new Promise((r) => setTimeout(r, 20));
    }
    const waiting = messages.filter((m) => m.startsWith('no connection'));
    expect(waiting.length).toBeGreaterThan(10);
    for (const m of waiting) {
      expect(m).toMatch(/^no connection to policy server ws:\/\/127\.0\.0\.1:\d+ \(retrying 0\.[24]0 s after the last attempt: /);
      expect(m).toMatch(/: policy server .* is unreachable \(ECONNREFUSED\)\)$/);
      expect(m.match(/policy server/g)).toHaveLength(2);
    }
    // Between two attempts the text does not change (a countdown would defeat counting repeats).
    expect(new Set(waiting).size).toBeLessThanOrEqual(2);
    expect(policy.serverStats().reconnects).toBeGreaterThanOrEqual(3);

    // The server returns on the same port: the next attempt after the backoff resumes.
    const back = await serve(port);
    try {
      await new Promise((r) => setTimeout(r, 450));
      const chunk = await policy.infer(observation());
      expect(chunk.horizon).toBe(10);
    } finally {
      await back.close();
    }
  } finally {
    await policy.close();
  }
}, 20_000);

it('server.request_timeout_s holds for every request, not only the first: a reply in time, then one that never comes', async () => {
  let calls = 0;
  const slow = { ...handler, infer: () => (++calls === 1 ? handler.infer() : new Promise<never>(() => undefined)) };
  const server = await PolicyServer.start(slow);
  const timed: ServedPolicyManifest = { ...manifest, server: { ...manifest.server, request_timeout_s: 0.3 } };
  const policy = await RemotePolicy.connect(timed, { url: server.url });
  try {
    await policy.infer(observation());
    await new Promise((r) => setTimeout(r, 200));
    const startedMs = performance.now();
    const late = await failure(policy.infer(observation()));
    expect(late.message).toContain('sent no reply within 0.3 s');
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(290);
    expect(performance.now() - startedMs).toBeLessThan(1500);
  } finally {
    await policy.close();
    await server.close();
  }
});
