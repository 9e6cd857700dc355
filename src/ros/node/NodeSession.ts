import type { Embodiment } from '../../config/Embodiment';
import { describeError } from '../../errors';
import { type ActionChunkMsg, type SafetyEventMsg, VLA_MSG_TYPES } from '../../msgs/vlaMessages';
import { actionChunkToMsg, safetyEventToMsg } from '../../outputs/vlaConverters';
import type { Publisher, Transport } from '../../transport/Transport';
import type { NodeLogger, ServiceHandle } from '../host/NodeHost';
import type { BridgeFactory, BridgeRuntime, BridgeSettings } from './BridgeRuntime';
import { NODE_TOPICS } from '../../outputs/nodeTopics';
import { SafetyEventDigest } from './SafetyEventDigest';

const describe = (err: unknown): string => describeError(err);

/**
 * One configuration of the node, from configure to cleanup: the embodiment, the settings (with the safety
 * layer and its latches), the topics and services it opened, the pipeline once its policy has loaded, and the
 * controlled stop in progress.
 */
export class NodeSession {
  readonly embodiment: Embodiment;
  readonly settings: BridgeSettings;
  readonly transport: Transport;
  readonly services: ServiceHandle[] = [];
  loading: Promise<void> = Promise.resolve();
  bridge: BridgeRuntime | undefined;
  loadError: string | undefined;
  stopping: Promise<void> | undefined;
  fault: string | undefined;
  closed = false;
  private readonly logger: NodeLogger;
  private readonly chunkPublisher: Publisher<ActionChunkMsg>;
  private readonly digest: SafetyEventDigest;

  constructor(embodiment: Embodiment, settings: BridgeSettings, transport: Transport) {
    this.embodiment = embodiment;
    this.settings = settings;
    this.transport = transport;
    this.logger = settings.logger;
    const events = transport.createPublisher(NODE_TOPICS.safetyEvents, VLA_MSG_TYPES.safetyEvent) as Publisher<SafetyEventMsg>;
    this.digest = new SafetyEventDigest((event) => events.publish(safetyEventToMsg(event)));
    this.chunkPublisher = transport.createPublisher(NODE_TOPICS.actionChunk, VLA_MSG_TYPES.actionChunk) as Publisher<ActionChunkMsg>;
  }

  /** Builds the pipeline (loads and warms up the policy); on failure records why. */
  load(createBridge: BridgeFactory, onFault: (error: Error) => void, onLoaded: (bridge: BridgeRuntime) => void): void {
    this.loading = this.build(createBridge, onFault, onLoaded);
  }

  /** Starts a controlled stop of the running pipeline, once (see `stopping`). */
  stop(): void {
    const bridge = this.bridge;
    if (bridge === undefined || this.stopping !== undefined) return;
    const stopping = bridge
      .stop()
      .then(
        () => this.logger.info('stopped; the arm holds'),
        (err: unknown) => this.logger.error(`controlled stop failed: ${describe(err)}`),
      )
      .finally(() => {
        if (this.stopping === stopping) this.stopping = undefined;
      });
    this.stopping = stopping;
  }

  /** Ends the configuration: services now, then (in the background) the stop, the pipeline and the topics. */
  close(stopFirst: boolean): Promise<void> {
    this.closed = true;
    for (const service of this.services) service.close();
    if (stopFirst) this.stop();
    // A policy still loading is closed by `build` when it arrives (the session is marked closed).
    return (async () => {
      await this.stopping;
      try {
        await this.bridge?.close();
      } catch (err) {
        this.logger.error(`releasing the pipeline failed: ${describe(err)}`);
      }
      await this.transport.close();
    })();
  }

  private async build(
    createBridge: BridgeFactory,
    onFault: (error: Error) => void,
    onLoaded: (bridge: BridgeRuntime) => void,
  ): Promise<void> {
    let bridge: BridgeRuntime;
    try {
      bridge = await createBridge(this.settings, {
        tick: ({ tS, events }) => {
          if (!this.closed) this.digest.tick(tS, events);
        },
        chunk: (chunk) => {
          if (!this.closed) this.chunkPublisher.publish(actionChunkToMsg(chunk));
        },
        fault: onFault,
      });
    } catch (err) {
      this.loadError = `the policy failed to load: ${describe(err)}`;
      this.logger.error(`${this.loadError}\n  -> fix it, then cleanup and configure again`);
      return;
    }
    if (this.closed) {
      await bridge.close();
      return;
    }
    this.bridge = bridge;
    onLoaded(bridge);
  }
}
