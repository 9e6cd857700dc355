import { get } from 'node:http';
import { join } from 'node:path';
import { loadEmbodiment } from '../../src/config/loadEmbodiment';
import { VlaError } from '../../src/errors';
import type { RawImageFrame } from '../../src/observation/Observation';
import { loadServedManifest } from '../../src/policy/loadPolicy';
import type { ServedPolicyManifest } from '../../src/policy/manifest/ServedPolicyManifest';
import { RemotePolicy } from '../../src/policy/remote/RemotePolicy';
import { stateSourceOf } from '../../src/policy/remote/ServedObservation';
import { serveLocalPolicy } from '../../src/policy/serve/serveLocalPolicy';
import { runPythonClient } from '../peers/pythonPeer';

// `vla-bridge serve` of the demo model with LIBERO-like keys, checked by the independent Python client and by
// our own served-policy client; the answers must equal the local policy's own chunk, converted.

const ROOT = join(__dirname, '..', '..');
const SERVED = join(ROOT, 'policies', 'reach_demo');
const CLIENT = loadServedManifest(join(ROOT, 'policies', 'openpi_sim_panda')) as ServedPolicyManifest;

function healthz(port: number): Promise<number> {
  return new Promise((resolve, reject) =>
    get({ host: '127.0.0.1', port, path: '/healthz' }, (res) => resolve(res.statusCode ?? 0)).on('error', reject),
  );
}

describe('vla-bridge serve (serveLocalPolicy)', () => {
  let served: Awaited<ReturnType<typeof serveLocalPolicy>>;
  const logs: string[] = [];
  beforeAll(async () => {
    served = await serveLocalPolicy(SERVED, { port: 0, log: (l) => logs.push(l) });
  });
  afterAll(async () => {
    await served?.close();
  });

  it('answers /healthz, sends metadata first, and replies (10, 8) float32 actions to the Python client', async () => {
    expect(served.server.host).toBe('127.0.0.1');
    expect(await healthz(served.server.port)).toBe(200);
    const out = await runPythonClient(['--url', served.server.url]);
    expect(out.stderr).toBe('');
    const r = JSON.parse(out.stdout) as {
      healthz: number;
      metadata: Record<string, unknown>;
      keys: string[];
      actions: { dtype: string; shape: number[]; values: number[][] };
      server_timing: { infer_ms: number };
    };
    expect(r.healthz).toBe(200);
    expect(r.metadata).toMatchObject({
      action_horizon: 10,
      action_dim: 8,
      action_step_dt_s: 0.1,
      action_kind: 'absolute',
      observation_keys: { cameras: { primary: 'observation/image' }, state: 'observation/state', prompt: 'prompt' },
    });
    expect(r.keys).toEqual(['actions', 'policy_timing', 'server_timing']);
    expect(r.actions.dtype).toBe('<f4');
    expect(r.actions.shape).toEqual([10, 8]);
    expect(r.server_timing.infer_ms).toBeGreaterThan(0);
    // Absolute targets near the sent state (deltas of a reaching step), the gripper open.
    const state = [0.0, -0.3, 0.0, -2.2, 0.0, 2.0, 0.8];
    for (const row of r.actions.values) {
      row.slice(0, 7).forEach((q, d) => expect(Math.abs(q - state[d]!)).toBeLessThan(0.8));
      expect(row[7]).toBe(1);
    }
  });

  it('an observation that does not fit: the error text frame, then close 1011', async () => {
    const out = await runPythonClient(['--url', served.server.url, '--drop-image']);
    const r = JSON.parse(out.stdout) as { error_text: string; close_code: number };
    expect(r.close_code).toBe(1011);
    expect(r.error_text).toContain('IMAGE_INVALID');
    expect(r.error_text).toContain('observation "observation/image" is missing');
    expect(logs.some((l) => l.includes('inference failed'))).toBe(true);
  });

  it('our client through our server gives the local policy chunk made absolute and resampled', async () => {
    const embodiment = loadEmbodiment('franka_panda', ROOT);
    const remote = await RemotePolicy.connect(CLIENT, { url: served.server.url, stateSource: stateSourceOf(embodiment, 'open_is_1') });
    try {
      const data = new Uint8Array(224 * 224 * 3).map((_, i) => (i * 13) & 0xff);
      const frame: RawImageFrame = {
        kind: 'raw',
        stampS: 0,
        frameId: 'c',
        width: 224,
        height: 224,
        encoding: 'rgb8',
        step: 224 * 3,
        isBigEndian: false,
        data,
      };
      const arm = [0.05, -0.4, 0.1, -2.3, 0.05, 1.9, 0.7];
      const observation = {
        stampS: 3,
        images: new Map([['primary', frame]]),
        jointState: { stampS: 3, position: Float64Array.from([...arm, 0.04]) },
        instruction: 'reach the blue cube',
      };
      const chunk = await remote.infer(observation);
      const local = await served.runtime.step({
        ...observation,
        jointState: { stampS: 3, position: Float64Array.from([...arm.map(Math.fround), 0.04]) },
      });
      // Waypoint 2j+1 of the 0.1 s chunk is waypoint j of the 0.2 s chunk (absolute = observed + delta).
      for (let j = 0; j < 4; j++) {
        for (let d = 0; d < 7; d++)
          expect(chunk.actions[(2 * j + 1) * 8 + d]).toBeCloseTo(Math.fround(arm[d]!) + local.chunk.actions[j * 7 + d]!, 5);
      }
      for (let d = 0; d < 7; d++) {
        expect(chunk.actions[d]).toBeCloseTo(Math.fround(arm[d]!) + local.chunk.actions[d]! / 2, 5);
        expect(chunk.actions[9 * 8 + d]).toBeCloseTo(chunk.actions[7 * 8 + d]!, 6);
      }
      expect(remote.serverStats().policyInferMs?.p50).toBeGreaterThan(0);
    } finally {
      await remote.close();
    }
  });

  it('with an API key: 401 without it, served with it', async () => {
    const keyed = await serveLocalPolicy(SERVED, { port: 0, apiKey: 'k3y' });
    try {
      const refused = await runPythonClient(['--url', keyed.server.url]);
      expect(JSON.parse(refused.stdout)).toEqual({ http_status: 401 });
      let err: unknown;
      await RemotePolicy.connect(CLIENT, { url: keyed.server.url, apiKey: 'nope' }).catch((e: unknown) => (err = e));
      expect((err as VlaError).code).toBe('POLICY_SERVER_UNAUTHORIZED');
      const ok = await runPythonClient(['--url', keyed.server.url, '--api-key', 'k3y']);
      expect((JSON.parse(ok.stdout) as { actions: { shape: number[] } }).actions.shape).toEqual([10, 8]);
    } finally {
      await keyed.close();
    }
  });
});
