import { VlaError } from '../../errors';
import type { Observation } from '../../observation/Observation';
import { actionSpaceOf } from '../manifest/actionSpaceOf';
import type { ServedPolicyManifest } from '../manifest/ServedPolicyManifest';
import type { ActionSpace, PolicyServerStats } from '../Policy';
import type { PolicyStepper } from '../GuardedPolicy';
import { GuardedPolicy } from '../GuardedPolicy';
import type { PolicyStep } from '../runtime/PolicyRuntime';
import { actionLimits, type ActionLimits, finishActions } from '../runtime/finishActions';
import { LatencyStats } from './LatencyStats';
import { isNdArray, ndToFloat64 } from './numpyMsgpack';
import { type ConnectOptions, OpenpiConnection } from './OpenpiConnection';
import { ServedObservation, type StateSource } from './ServedObservation';

export interface RemotePolicyOptions {
  /** Overrides the manifest's server.url (`--policy-server`, node parameter `policy_server`). */
  url?: string;
  /** Where the state's values are in the observation (from the embodiment); without it they are sent as given. */
  stateSource?: StateSource;
  /** The API key; default the VLA_BRIDGE_POLICY_API_KEY environment variable. */
  apiKey?: string;
  /** Deadline of infer() calls that give none, seconds. */
  deadlineS?: number;
}

const nowMs = () => performance.now();

/**
 * The PolicyStepper of a served policy: encodes the observation as the manifest maps it, sends it over an
 * openpi-protocol connection, and validates the reply (an `[horizon, dims]` float array, finite, inside the
 * action bounds) before it can become a chunk. A lost connection fails the inference in progress; the next
 * inference reconnects, at most once per backoff interval (doubling up to the manifest's maximum).
 */
class RemoteStepper implements PolicyStepper {
  readonly name: string;
  readonly space: ActionSpace;
  readonly horizon: number;
  readonly stepDtS: number;
  readonly stepsToExecute: number;
  readonly cameras: readonly string[];
  readonly url: string;
  private readonly manifest: ServedPolicyManifest;
  private readonly encoder: ServedObservation;
  private readonly limits: ActionLimits;
  private readonly connectOptions: ConnectOptions;
  private connection: OpenpiConnection | undefined;
  private backoffS: number;
  private nextAttemptMs = 0;
  /** The backoff applied after the last failed connection attempt, s, and that attempt's error. */
  private waitS = 0;
  private connectError = '';
  private closed = false;
  readonly roundTrip = new LatencyStats();
  readonly serverInfer = new LatencyStats();
  readonly policyInfer = new LatencyStats();
  counts = { requests: 0, replies: 0, failures: 0, reconnects: 0, abandoned: 0, requestBytes: 0, replyBytes: 0 };
  lastError: string | undefined;

  constructor(manifest: ServedPolicyManifest, connection: OpenpiConnection, options: RemotePolicyOptions, connectOptions: ConnectOptions) {
    this.manifest = manifest;
    this.name = manifest.name;
    this.space = actionSpaceOf(manifest);
    this.horizon = manifest.action.chunk.horizon;
    this.stepDtS = manifest.action.chunk.step_dt_s;
    this.stepsToExecute = manifest.action.chunk.steps_to_execute;
    this.cameras = manifest.cameras.map((c) => c.name);
    this.url = connection.url;
    this.encoder = new ServedObservation(manifest, options.stateSource);
    this.limits = actionLimits(manifest);
    this.connection = connection;
    this.connectOptions = connectOptions;
    this.backoffS = manifest.server.reconnect_backoff_s.initial;
  }

  get metadata(): Record<string, unknown> | undefined {
    return this.connection?.metadata;
  }

  async step(observation: Observation): Promise<PolicyStep> {
    const t0 = nowMs();
    try {
      const request = this.encoder.encode(observation);
      const t1 = nowMs();
      const connection = this.connection?.open === true ? this.connection : await this.connected();
      this.counts.requests++;
      const reply = await connection.request(request, this.manifest.server.request_timeout_s);
      const t2 = nowMs();
      this.counts.replies++;
      this.counts.requestBytes = reply.requestBytes;
      this.counts.replyBytes = reply.replyBytes;
      this.roundTrip.add(reply.roundTripMs);
      this.serverInfer.add(timingMs(reply.message['server_timing']));
      this.policyInfer.add(timingMs(reply.message['policy_timing']));
      const actions = this.actionsOf(reply.message);
      const chunk = {
        observationStampS: observation.stampS,
        actions,
        horizon: this.horizon,
        dims: this.limits.names.length,
        stepsToExecute: this.stepsToExecute,
        stepDtS: this.stepDtS,
        space: this.space,
        inferenceS: (t2 - t1) / 1000,
      };
      const t3 = nowMs();
      return {
        chunk,
        promptIds: [],
        timings: {
          preprocessS: (t1 - t0) / 1000,
          tokenizeS: 0,
          inferenceS: (t2 - t1) / 1000,
          decodeS: (t3 - t2) / 1000,
          totalS: (t3 - t0) / 1000,
        },
      };
    } catch (err) {
      this.counts.failures++;
      this.lastError = err instanceof VlaError ? err.message : String(err);
      throw err;
    }
  }

  /** The deadline passed: a late reply could not be told apart from the next one's, so the connection goes. */
  cancel(): void {
    if (this.connection === undefined) return;
    this.counts.abandoned++;
    this.connection.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connection?.close();
    this.connection = undefined;
  }

  private async connected(): Promise<OpenpiConnection> {
    if (this.closed) throw new VlaError('INFERENCE_FAILED', `policy ${this.name} is closed`);
    if (this.connection?.open === true) return this.connection;
    this.connection = undefined;
    if (this.nextAttemptMs > nowMs()) {
      // The same text until the next attempt, so that repeats can be counted rather than printed.
      const retry = `retrying ${this.waitS.toFixed(2)} s after the last attempt: ${this.connectError}`;
      throw new VlaError('INFERENCE_FAILED', `no connection to policy server ${this.url} (${retry})`, {
        hint: 'the bridge reconnects with backoff; the watchdog holds the arm meanwhile',
      });
    }
    this.counts.reconnects++;
    try {
      const connection = await OpenpiConnection.open(this.url, this.connectOptions);
      checkMetadata(this.manifest, connection.metadata, connection.url);
      this.connection = connection;
      this.backoffS = this.manifest.server.reconnect_backoff_s.initial;
      return connection;
    } catch (err) {
      this.connectError = err instanceof VlaError ? err.message : String(err);
      this.waitS = this.backoffS;
      this.nextAttemptMs = nowMs() + this.backoffS * 1000;
      this.backoffS = Math.min(this.manifest.server.reconnect_backoff_s.max, this.backoffS * 2);
      throw err;
    }
  }

  /** The reply's action array as a validated chunk: shape, dtype, finite, bounds (never an unchecked action). */
  private actionsOf(reply: Record<string, unknown>): Float64Array {
    const key = this.manifest.action.key;
    const value = reply[key];
    const dims = this.limits.names.length;
    const want = `[${this.horizon}, ${dims}]`;
    if (value === undefined) {
      throw new VlaError(
        'POLICY_SERVER_REPLY_INVALID',
        `the reply of ${this.url} has no "${key}" (keys: ${Object.keys(reply).join(', ') || 'none'})`,
        { path: 'action.key', hint: `the server must answer with "${key}": a ${want} array` },
      );
    }
    if (!isNdArray(value))
      throw new VlaError('POLICY_SERVER_REPLY_INVALID', `"${key}" in the reply of ${this.url} is not a numpy array`, {
        path: 'action.key',
      });
    if (value.dtype !== '<f4' && value.dtype !== '<f8')
      throw new VlaError('POLICY_SERVER_REPLY_INVALID', `"${key}" is ${value.dtype}, not float32 or float64`, { path: 'action.key' });
    if (value.shape.length !== 2 || value.shape[0] !== this.horizon || value.shape[1] !== dims) {
      throw new VlaError(
        'POLICY_SERVER_REPLY_INVALID',
        `"${key}" has shape [${value.shape.join(', ')}], the manifest says ${want} (action.chunk.horizon x action.space.names)`,
        { path: 'action.chunk' },
      );
    }
    return finishActions(ndToFloat64(value), { type: 'none', dims }, this.limits);
  }
}

/** A served policy behind the Policy contract (one inference in flight, the deadline), with its server's latency. */
export class RemotePolicy extends GuardedPolicy {
  private readonly remote: RemoteStepper;

  private constructor(stepper: RemoteStepper, deadlineS: number | undefined) {
    super(stepper, deadlineS);
    this.remote = stepper;
  }

  /** Connects (a clear error naming the URL if it cannot) and checks the server's metadata against the manifest. */
  static async connect(manifest: ServedPolicyManifest, options: RemotePolicyOptions = {}): Promise<RemotePolicy> {
    const url = options.url ?? manifest.server.url;
    const connectOptions: ConnectOptions = {
      connectTimeoutS: manifest.server.connect_timeout_s,
      maxReplyBytes: manifest.server.max_reply_bytes,
      apiKey: options.apiKey,
    };
    const connection = await OpenpiConnection.open(url, connectOptions);
    try {
      checkMetadata(manifest, connection.metadata, url);
    } catch (err) {
      connection.close();
      throw err;
    }
    return new RemotePolicy(new RemoteStepper(manifest, connection, options, connectOptions), options.deadlineS);
  }

  /** The metadata the server sent first (the current connection's). */
  get metadata(): Record<string, unknown> | undefined {
    return this.remote.metadata;
  }

  override serverStats(): PolicyServerStats {
    const r = this.remote;
    return {
      url: r.url,
      ...r.counts,
      roundTripMs: r.roundTrip.summary(),
      serverInferMs: r.serverInfer.summary(),
      policyInferMs: r.policyInfer.summary(),
      lastError: r.lastError,
    };
  }
}

/** Where the metadata says something the manifest also says (horizon, dims), they must agree. */
export function checkMetadata(manifest: ServedPolicyManifest, metadata: Record<string, unknown>, url: string): void {
  const expect: [string, number, string][] = [
    ['action_horizon', manifest.action.chunk.horizon, 'action.chunk.horizon'],
    ['action_dim', manifest.action.space.names.length, 'action.space.names'],
  ];
  for (const [key, want, path] of expect) {
    const got = metadata[key];
    if (typeof got === 'number' && got !== want) {
      throw new VlaError('MODEL_MISMATCH', `policy server ${url} says ${key} ${got}, the manifest ${want}`, {
        path,
        hint: 'the served policy folder does not describe this server: fix the manifest or point it at the right server',
      });
    }
  }
}

function timingMs(value: unknown): number {
  if (typeof value !== 'object' || value === null) return NaN;
  const ms = (value as Record<string, unknown>)['infer_ms'];
  return typeof ms === 'number' ? ms : NaN;
}
