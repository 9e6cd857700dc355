import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, BenchFigure } from './BenchFigure';
import { median, percentile } from '../stats/orderStatistics';
import { packageRoot } from '../config/packageRoot';
import type { Observation, RawImageFrame } from '../observation/Observation';
import { loadServedManifest } from '../policy/loadPolicy';
import type { ServedPolicyManifest } from '../policy/manifest/ServedPolicyManifest';
import { ndarray, packMessage } from '../policy/remote/numpyMsgpack';
import { RemotePolicy } from '../policy/remote/RemotePolicy';
import { ServedObservation } from '../policy/remote/ServedObservation';
import { PolicyServer } from '../policy/serve/PolicyServer';

const micros = (startMs: number) => (performance.now() - startMs) * 1000;

/** A 224x224 rgb8 frame (the wire size: no resize) and the openpi_sim_panda state. */
function observation(): Observation {
  const data = new Uint8Array(224 * 224 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 7) * 17) & 255;
  const frame: RawImageFrame = {
    kind: 'raw',
    stampS: 0,
    frameId: 'bench',
    width: 224,
    height: 224,
    encoding: 'rgb8',
    step: 224 * 3,
    isBigEndian: false,
    data,
  };
  return {
    stampS: 0,
    images: new Map([['primary', frame]]),
    jointState: { stampS: 0, position: Float64Array.of(0, -0.3, 0, -2.2, 0, 2, 0.8, 1) },
    instruction: 'reach the red cube',
  };
}

/** A plain `ws` server that answers every frame with the given bytes, and a client that sends fixed bytes. */
async function bareEcho(reply: Uint8Array): Promise<{ roundTrip(request: Uint8Array): Promise<void>; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws) => ws.on('message', () => ws.send(reply, { binary: true })));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: false });
  await new Promise<void>((r) => client.once('open', () => r()));
  return {
    roundTrip: (request) =>
      new Promise<void>((resolve) => {
        client.once('message', () => resolve());
        client.send(request, { binary: true });
      }),
    close: async () => {
      client.close();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

/**
 * policy.remote_roundtrip: one served-policy inference on loopback (the observation encoded as the manifest says,
 * msgpack + numpy out, the server's decode and reply, the reply decoded and validated into a chunk) against a
 * bare `ws` echo that sends the same request bytes and gets the same reply bytes back, interleaved in one run.
 * The server answers a fixed (10, 8) chunk: the figure is the protocol's cost, not a model's.
 */
export const remoteRoundtripBenchmark: Benchmark = {
  name: 'policy.remote_roundtrip',
  async run({ quick }): Promise<BenchFigure[]> {
    const samples = quick ? 30 : 1000;
    const warmup = quick ? 5 : 100;
    const manifest = loadServedManifest(join(packageRoot(), 'policies', 'openpi_sim_panda')) as ServedPolicyManifest;
    const pose = [0, -0.3, 0, -2.2, 0, 2, 0.8, 1];
    const actions = ndarray(
      Float32Array.from({ length: 80 }, (_, i) => pose[i % 8]! + (i % 8 === 7 ? 0 : 0.001 * Math.floor(i / 8))),
      [10, 8],
    );
    const server = await PolicyServer.start({
      metadata: () => ({ action_horizon: 10, action_dim: 8 }),
      infer: () => Promise.resolve({ actions }),
    });
    const obs = observation();
    const policy = await RemotePolicy.connect(manifest, { url: server.url });
    const request = packMessage(new ServedObservation(manifest).encode(obs)).slice();
    const reply = packMessage({ actions, server_timing: { infer_ms: 0.01, prev_total_ms: 0.5 } }).slice();
    const echo = await bareEcho(reply);
    const ours: number[] = [];
    const bare: number[] = [];
    const timeOurs = async () => {
      const t = performance.now();
      // With a deadline, as the control loop asks (sim --policy-server, the node).
      await policy.infer(obs, { deadlineS: 1 });
      return micros(t);
    };
    const timeBare = async () => {
      const t = performance.now();
      await echo.roundTrip(request);
      return micros(t);
    };
    try {
      // Interleaved, each going first every other round, so that neither side always inherits the other's
      // leftovers (garbage, cold caches).
      for (let i = 0; i < warmup + samples; i++) {
        const oursFirst = i % 2 === 0;
        const b0 = oursFirst ? undefined : await timeBare();
        const a = await timeOurs();
        const b = b0 ?? (await timeBare());
        if (i >= warmup) {
          ours.push(a);
          bare.push(b);
        }
      }
    } finally {
      await echo.close();
      await policy.close();
      await server.close();
    }
    const m = median(ours);
    const base = median(bare);
    return [
      {
        name: 'policy.remote_roundtrip',
        median: m,
        p99: percentile(ours, 99),
        unit: 'us',
        baseline: 'bare ws echo of the same request and reply bytes',
        ratio: m / base,
        method:
          "RemotePolicy.infer on loopback against vla-bridge serve's server answering a fixed (10, 8) chunk " +
          '(224x224x3 uint8 image + float32 state + prompt out, msgpack/numpy both ways, reply validated), ' +
          `interleaved with a bare ws client/server exchanging the same bytes, median of ${samples} rounds after ${warmup} warm-up rounds, ` +
          'the two sides alternating which goes first',
        extra: {
          bytes_per_observation: request.length,
          bytes_per_reply: reply.length,
          baseline_median_us: Number(base.toFixed(1)),
          baseline_p99_us: Number(percentile(bare, 99).toFixed(1)),
          load_average_1min: Number(loadavg()[0]!.toFixed(2)),
        },
      },
    ];
  },
};
