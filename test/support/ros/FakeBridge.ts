import { emptyEpisodeStats } from '../../../src/control/EpisodeStats';
import type { ActionChunk } from '../../../src/policy/Policy';
import type { SafetyEvent } from '../../../src/safety/SafetyEvent';
import type {
  BridgeFactory,
  BridgeListeners,
  BridgeRuntime,
  BridgeSettings,
  BridgeStats,
  ResetOutcome,
} from '../../../src/ros/node/BridgeRuntime';

/**
 * A pipeline double for the node's wiring tests: it records what the node asks of it, lets the test decide
 * when the policy has loaded and when a controlled stop ends, and lets it emit events as the pipeline would.
 */
export class FakeBridge implements BridgeRuntime {
  readonly policyName: string;
  readonly settings: BridgeSettings;
  readonly listeners: BridgeListeners;
  readonly calls: string[] = [];
  instruction: string;
  running = false;
  closed = false;
  /** Controlled stops that reached their end. */
  stopsCompleted = 0;
  resetOutcome: ResetOutcome = { ok: true, message: 'released; holding until new commands' };
  private stopResolve: (() => void) | undefined;
  private statsValue: BridgeStats = {
    ticks: 0,
    overruns: 0,
    chunks: 0,
    safetyInterventions: 0,
    episode: emptyEpisodeStats(),
    holding: false,
    waitingFor: [],
    lateness: { p50S: NaN, p99S: NaN, maxS: NaN, ticks: 0 },
    clockStalls: 0,
  };
  private readonly stopTakesS: number | undefined;

  /** With `stopTakesS`, a controlled stop ends by itself after that much time of the transport's clock. */
  constructor(settings: BridgeSettings, listeners: BridgeListeners, policyName = 'fake_policy', stopTakesS?: number) {
    this.settings = settings;
    this.listeners = listeners;
    this.policyName = policyName;
    this.instruction = settings.instruction;
    this.stopTakesS = stopTakesS;
  }

  start(): void {
    this.calls.push('start');
    this.running = true;
  }

  stop(): Promise<void> {
    this.calls.push('stop');
    const stopped = new Promise<void>((resolve) => {
      this.stopResolve = () => {
        this.running = false;
        this.stopsCompleted++;
        resolve();
      };
    });
    if (this.stopTakesS !== undefined) {
      const clock = this.settings.transport.clock;
      void clock.sleepUntil(clock.nowS() + this.stopTakesS).then(() => this.finishStop());
    }
    return stopped;
  }

  /** Ends the controlled stop in progress. */
  finishStop(): void {
    const resolve = this.stopResolve;
    this.stopResolve = undefined;
    resolve?.();
  }

  /** The e-stop latch, which lives in the configuration's safety layer. */
  get estopped(): boolean {
    return this.settings.safety.latched;
  }

  reset(): ResetOutcome {
    this.calls.push('reset');
    if (this.resetOutcome.ok) this.settings.safety.reset();
    return this.resetOutcome;
  }

  setInstruction(text: string): void {
    this.calls.push(`instruction:${text}`);
    this.instruction = text;
  }

  stats(): BridgeStats {
    return this.statsValue;
  }

  setStats(stats: Partial<BridgeStats>): void {
    this.statsValue = { ...this.statsValue, ...stats };
  }

  async close(): Promise<void> {
    this.calls.push('close');
    this.closed = true;
  }

  /** One control tick's safety events, as the pipeline reports them. */
  emitSafetyEvents(tS: number, events: readonly SafetyEvent[]): void {
    this.listeners.tick({ tS, latenessS: 0, events });
  }

  emitChunk(chunk: ActionChunk): void {
    this.listeners.chunk(chunk);
  }
}

export interface FakeBridgeFactoryOptions {
  /** Loads finish at once instead of when the test says. */
  loadAtOnce?: boolean;
  /** Controlled stops end by themselves after this much clock time (see FakeBridge). */
  stopTakesS?: number;
}

/** A factory whose loads the test resolves or rejects, one at a time, in order. */
export class FakeBridgeFactory {
  readonly bridges: FakeBridge[] = [];
  readonly settings: BridgeSettings[] = [];
  private readonly pending: { resolve: () => void; reject: (err: Error) => void }[] = [];

  constructor(private readonly options: FakeBridgeFactoryOptions = {}) {}

  readonly create: BridgeFactory = (settings, listeners) => {
    this.settings.push(settings);
    return new Promise<BridgeRuntime>((resolve, reject) => {
      const load = (): void => {
        const bridge = new FakeBridge(settings, listeners, 'fake_policy', this.options.stopTakesS);
        this.bridges.push(bridge);
        resolve(bridge);
      };
      if (this.options.loadAtOnce === true) load();
      else this.pending.push({ resolve: load, reject });
    });
  };

  get loading(): number {
    return this.pending.length;
  }

  /** Finishes the oldest load successfully and lets the node see it. */
  async load(): Promise<FakeBridge> {
    const next = this.pending.shift();
    if (next === undefined) throw new Error('no policy is loading');
    next.resolve();
    await flush();
    return this.bridges[this.bridges.length - 1]!;
  }

  async fail(error: Error): Promise<void> {
    const next = this.pending.shift();
    if (next === undefined) throw new Error('no policy is loading');
    next.reject(error);
    await flush();
  }
}

/** Lets promise continuations and one macrotask run. */
export function flush(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
