import { join } from 'node:path';
import { loadEmbodiment } from '../../src/config/loadEmbodiment';
import type { Observation, RawImageFrame } from '../../src/observation/Observation';
import { loadServedManifest } from '../../src/policy/loadPolicy';
import type { ServedPolicyManifest } from '../../src/policy/manifest/ServedPolicyManifest';
import { RemotePolicy, type RemotePolicyOptions } from '../../src/policy/remote/RemotePolicy';
import { OpenpiConnection } from '../../src/policy/remote/OpenpiConnection';
import { ServedObservation, stateSourceOf } from '../../src/policy/remote/ServedObservation';
import { type PythonPeer, startPythonPeer } from '../peers/pythonPeer';
import { vlaFailure as failure } from '../support/vlaFailure';

// The served policy's wire format checked against an independent server: the Python peer (python3-websockets,
// python3-msgpack, numpy) written from the protocol's text, not from our code.

const ROOT = join(__dirname, '..', '..');
const manifest = loadServedManifest(join(ROOT, 'policies', 'openpi_sim_panda')) as ServedPolicyManifest;
const embodiment = loadEmbodiment('franka_panda', ROOT);
const stateSource = stateSourceOf(embodiment, 'open_is_1');
const ARM = [0.1, -0.3, 0.05, -2.2, 0.02, 2.0, 0.8];

function frame224(): RawImageFrame {
  const data = new Uint8Array(224 * 224 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
  return { kind: 'raw', stampS: 1, frameId: 'cam', width: 224, height: 224, encoding: 'rgb8', step: 224 * 3, isBigEndian: false, data };
}

function observation(fingerM = 0.04): Observation {
  return {
    stampS: 12.5,
    images: new Map([['primary', frame224()]]),
    jointState: { stampS: 12.5, position: Float64Array.from([...ARM, fingerM]) },
    instruction: 'Reach the RED cube',
  };
}

const peers: PythonPeer[] = [];
const policies: RemotePolicy[] = [];
async function peer(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<PythonPeer> {
  const p = await startPythonPeer(args, env);
  peers.push(p);
  return p;
}
async function connect(url: string, options: RemotePolicyOptions = {}, m: ServedPolicyManifest = manifest): Promise<RemotePolicy> {
  const p = await RemotePolicy.connect(m, { url, stateSource, ...options });
  policies.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(policies.splice(0).map((p) => p.close()));
  await Promise.all(peers.splice(0).map((p) => p.stop()));
});

describe('a served policy against the Python peer', () => {
  it('sends the LIBERO-like observation and turns the reply into a validated chunk', async () => {
    const server = await peer();
    const policy = await connect(server.url);
    expect(policy.metadata).toEqual({ action_horizon: 10, action_dim: 8, peer: 'python' });
    const chunk = await policy.infer(observation(0.02));
    // The peer's plan: the observed state + 0.01 rad per step on the arm, the gripper as observed (0.02 m of 0.04 = 0.5).
    expect([chunk.horizon, chunk.dims, chunk.stepDtS, chunk.stepsToExecute, chunk.observationStampS]).toEqual([10, 8, 0.1, 4, 12.5]);
    for (let k = 0; k < 10; k++) {
      ARM.forEach((q, d) => expect(chunk.actions[k * 8 + d]).toBeCloseTo(Math.fround(Math.fround(q) + 0.01 * (k + 1)), 5));
      expect(chunk.actions[k * 8 + 7]).toBeCloseTo(0.5, 6);
    }
    const stats = policy.serverStats();
    expect(stats).toMatchObject({ requests: 1, replies: 1, failures: 0 });
    expect(stats.serverInferMs?.p50).toBeGreaterThanOrEqual(0);
    expect(stats.policyInferMs?.p50).toBe(1.5);
    expect(stats.requestBytes).toBeGreaterThan(224 * 224 * 3);
  });

  it('encodes arrays as numpy reads them: uint8 (224, 224, 3) HWC, float32 (8,), the prompt as given', async () => {
    const server = await peer();
    const conn = await OpenpiConnection.open(server.url, { connectTimeoutS: 3, maxReplyBytes: 1 << 20 });
    try {
      const reply = await conn.request(new ServedObservation(manifest, stateSource).encode(observation()), 10);
      const echo = reply.message['echo'] as Record<string, unknown>;
      const f = frame224();
      const sum = f.data.reduce((a, b) => a + b, 0);
      expect(echo['image_shape']).toEqual([224, 224, 3]);
      expect(echo['image_dtype']).toBe('|u1');
      expect(echo['image_sum']).toEqual({ kind: 'npgeneric', dtype: '<i8', value: sum });
      expect(echo['image_first_pixel']).toEqual([f.data[0], f.data[1], f.data[2]]);
      expect(echo['state_dtype']).toBe('<f4');
      expect(Array.from((echo['state'] as { data: Float64Array }).data)).toEqual([...ARM, 1].map(Math.fround));
      expect(echo['prompt']).toBe('Reach the RED cube');
    } finally {
      conn.close();
    }
  });

  it('names the URL when the server is unreachable, within the connect timeout', async () => {
    const server = await peer();
    const url = server.url;
    await server.stop();
    const t0 = Date.now();
    const err = await failure(connect(url));
    expect(Date.now() - t0).toBeLessThan(3500);
    expect(err.code).toBe('POLICY_SERVER_UNREACHABLE');
    expect(err.kind).toBe('input');
    expect(err.message).toContain(url);
  });

  it('names a refused API key as such (HTTP 401), and connects with the right one', async () => {
    const server = await peer(['--api-key', 's3cret']);
    const err = await failure(connect(server.url, { apiKey: 'wrong' }));
    expect(err.code).toBe('POLICY_SERVER_UNAUTHORIZED');
    expect(err.message).toContain('HTTP 401');
    expect(err.path).toBe('VLA_BRIDGE_POLICY_API_KEY');
    const missing = await failure(connect(server.url, { apiKey: '' }));
    expect(missing.hint).toContain('set VLA_BRIDGE_POLICY_API_KEY');
    const ok = await connect(server.url, { apiKey: 's3cret' });
    expect((await ok.infer(observation())).horizon).toBe(10);
  });

  it('refuses a server whose metadata contradicts the manifest', async () => {
    const server = await peer(['--metadata-horizon', '50']);
    const err = await failure(connect(server.url));
    expect(err.code).toBe('MODEL_MISMATCH');
    expect(err.message).toContain('action_horizon 50');
  });

  const malformed: [string, string[], string, RegExp][] = [
    [
      'a server error (text frame + close 1011) carries the server text',
      ['--mode', 'error'],
      'POLICY_SERVER_ERROR',
      /peer policy exploded on purpose/,
    ],
    ['a frame that is not msgpack', ['--mode', 'not_msgpack'], 'POLICY_SERVER_REPLY_INVALID', /not msgpack/],
    ['a reply without actions', ['--mode', 'missing_actions'], 'POLICY_SERVER_REPLY_INVALID', /no "actions" \(keys: .*echo/],
    ['actions of the wrong shape', ['--mode', 'wrong_shape'], 'POLICY_SERVER_REPLY_INVALID', /shape \[9, 8\], the manifest says \[10, 8\]/],
    ['a NaN in the actions', ['--mode', 'nan'], 'MODEL_OUTPUT_INVALID', /NaN at step 3, dimension panda_joint3/],
    ['a frame over the size limit', ['--mode', 'oversize'], 'POLICY_SERVER_REPLY_INVALID', /over the size limit/],
  ];
  it.each(malformed)('%s: an error, never an action', async (_name, args, code, message) => {
    const server = await peer(args);
    const policy = await connect(server.url);
    const err = await failure(policy.infer(observation(), { deadlineS: 5 }));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(policy.serverStats()).toMatchObject({ requests: 1, failures: 1 });
    expect(policy.busy).toBe(false);
  });

  it('a slow server: the deadline fails the inference, the connection is dropped and the next one reconnects', async () => {
    const server = await peer(['--mode', 'slow', '--delay', '0.6']);
    const policy = await connect(server.url);
    const late = await failure(policy.infer(observation(), { deadlineS: 0.2 }));
    expect(late.code).toBe('INFERENCE_TIMEOUT');
    await new Promise((r) => setTimeout(r, 300));
    const chunk = await policy.infer(observation(), { deadlineS: 3 });
    expect(chunk.horizon).toBe(10);
    expect(policy.serverStats()).toMatchObject({ abandoned: 1, reconnects: 1, replies: 1 });
    expect(policy.serverStats().roundTripMs!.p50).toBeGreaterThanOrEqual(600);
  });

  it('no reply within server.request_timeout_s (no caller deadline): the request fails naming it, the connection goes', async () => {
    const server = await peer(['--mode', 'slow', '--delay', '0.8']);
    const policy = await connect(server.url, {}, { ...manifest, server: { ...manifest.server, request_timeout_s: 0.2 } });
    const startedMs = performance.now();
    const late = await failure(policy.infer(observation()));
    expect(performance.now() - startedMs).toBeLessThan(700);
    expect(late.code).toBe('INFERENCE_FAILED');
    expect(late.message).toContain(`policy server ${server.url} sent no reply within 0.2 s`);
    expect(late.path).toBe('server.request_timeout_s');
    // The late reply never becomes a chunk: the next inference runs on a new connection.
    await new Promise((r) => setTimeout(r, 900));
    const next = await failure(policy.infer(observation()));
    expect(next.code).toBe('INFERENCE_FAILED');
    expect(policy.serverStats()).toMatchObject({ requests: 2, replies: 0, failures: 2, reconnects: 1 });
  });

  it('a connection lost mid-run: failures counted, retries with doubling backoff, then resumes', async () => {
    const server = await peer(['--mode', 'drop', '--drop-after', '2']);
    const policy = await connect(server.url);
    await policy.infer(observation());
    await policy.infer(observation());
    const lost = await failure(policy.infer(observation()));
    expect(lost.code).toBe('INFERENCE_FAILED');
    expect(lost.message).toContain(server.url);
    // Reconnects at once, then the backoff (0.25 s) refuses attempts until it passes.
    await policy.infer(observation());
    await policy.infer(observation());
    const waiting = await failure(policy.infer(observation()).then(() => policy.infer(observation())));
    expect(waiting.message).toMatch(/no connection to policy server .* \(retrying 0\.\d+ s after the last attempt: .*\)|was lost/);
    await new Promise((r) => setTimeout(r, 600));
    await policy.infer(observation());
    const stats = policy.serverStats();
    expect(stats.failures).toBeGreaterThanOrEqual(2);
    expect(stats.reconnects).toBeGreaterThanOrEqual(2);
    expect(stats.replies).toBeGreaterThanOrEqual(5);
  });
});
