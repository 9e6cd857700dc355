import type { Embodiment } from '../../config/Embodiment';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import { handoverNamed } from '../../control/queue/handovers';
import { latencyCompensationNamed } from '../../control/queue/latencyCompensation';
import { describeError } from '../../errors';
import { executionProvidersNamed } from '../../policy/manifest/executionProvidersNamed';
import { SafetyLayer } from '../../safety/SafetyLayer';
import type { Transport } from '../../transport/Transport';
import type { LifecycleState } from '../host/lifecycle';
import type { NodeHost, TransitionOutcome } from '../host/NodeHost';
import { RemappedTransport } from '../transport/RemappedTransport';
import type { BridgeFactory, BridgeRuntime, BridgeSettings } from './BridgeRuntime';
import { NODE_PARAMETERS, type NodeParameters, toNodeParameters, watchdogResumeNamed } from './nodeParameters';
import { NodeControls } from './NodeControls';
import { NodeSession } from './NodeSession';
import { nodeMode, NodeStatusPublisher } from './NodeStatus';
import { commandTopics, NODE_SERVICES, previewTopic } from '../../outputs/nodeTopics';
import type { StatusSnapshot } from './statusMessages';

export interface VlaBridgeNodeOptions {
  host: NodeHost;
  /** Builds the pipeline for a configuration (loads the policy). */
  createBridge: BridgeFactory;
  /** Default: loadEmbodiment from src/config. */
  loadEmbodiment?: (nameOrPath: string) => Embodiment;
}

const describe = (err: unknown): string => describeError(err);

/**
 * The `vla_bridge` lifecycle node, as plain logic over a NodeHost (parameters, services, lifecycle, logging)
 * and the Transport it opens (topics):
 *
 * - configure loads the embodiment, makes the safety layer, opens the node's topics and services, and starts
 *   loading the policy and building the pipeline (in the background: rclnodejs transition callbacks are
 *   synchronous); one configuration is a NodeSession;
 * - activate starts the control loop, and is refused while the policy loads, after it failed to load, while
 *   the e-stop (or a watchdog stop, with watchdog_resume manual) is latched or while the arm is still stopping;
 * - deactivate brings the arm to a controlled stop and holds; cleanup and shutdown release everything;
 * - `autostart` configures, waits for the policy (and for /clock with use_sim_time), then activates;
 * - `dry_run` sends the embodiment's command topics to `~/preview/...`;
 * - the e-stop topic latches the safety layer's e-stop (data: true) and only the ~/reset service releases it;
 *   the latch lives in the safety layer alone, and a configuration that ends latched hands it to the next;
 * - the instruction parameter, the ~/instruction topic and the ~/set_instruction service are one setting
 *   (NodeControls, with the e-stop topic and the reset service);
 * - ~/status and /diagnostics (NodeStatusPublisher), ~/safety_events (SafetyEventDigest) and ~/action_chunk
 *   report what happens.
 */
export class VlaBridgeNode {
  private readonly host: NodeHost;
  private readonly createBridge: BridgeFactory;
  private readonly loadEmbodiment: (nameOrPath: string) => Embodiment;
  private params: NodeParameters | undefined;
  private controls: NodeControls | undefined;
  private lastError = '';
  private session: NodeSession | undefined;
  /** A configuration that ended with the e-stop latched hands the latch to the next one's safety layer. */
  private estopAtCleanup = false;
  private readonly closingSessions = new Set<Promise<void>>();
  private statusTransport: Transport | undefined;
  private status: NodeStatusPublisher | undefined;
  private autostarting: Promise<void> | undefined;
  /** Resolved by dispose: an autostart still waiting (for the policy, for /clock) gives up instead of activating. */
  private disposing: { promise: Promise<void>; resolve: () => void; requested: boolean } = disposalSignal();

  constructor(options: VlaBridgeNodeOptions) {
    this.host = options.host;
    this.createBridge = options.createBridge;
    this.loadEmbodiment = options.loadEmbodiment ?? ((nameOrPath) => loadEmbodiment(nameOrPath));
  }

  private get instructionText(): string {
    return this.controls?.instruction ?? '';
  }

  /** The node's parameters as declared (after start). */
  get parameters(): Readonly<NodeParameters> {
    if (this.params === undefined) throw new Error('node not started');
    return this.params;
  }

  /** The pipeline of the current configuration, once its policy has loaded. */
  get bridge(): BridgeRuntime | undefined {
    return this.session?.bridge;
  }

  get isEstopped(): boolean {
    return this.session?.settings.safety.latched ?? this.estopAtCleanup;
  }

  /**
   * Declares the parameters, registers the lifecycle callbacks and starts publishing ~/status and
   * /diagnostics. With `autostart` it then configures and activates by itself.
   */
  start(): void {
    if (this.params !== undefined) throw new Error('node already started');
    const params = toNodeParameters(this.host.declareParameters(NODE_PARAMETERS));
    this.params = params;
    this.controls = new NodeControls(this.host, params.instruction, () => this.session);
    this.host.setLifecycleHandlers({
      onConfigure: () => this.onConfigure(),
      onActivate: () => this.onActivate(),
      onDeactivate: () => this.onDeactivate(),
      onCleanup: () => this.onCleanup(),
      onShutdown: (from) => this.onShutdown(from),
      onError: (from) => this.onError(from),
    });
    this.statusTransport = this.host.openTransport();
    this.status = new NodeStatusPublisher(this.statusTransport, {
      statusRateHz: params.status_rate_hz,
      snapshot: () => this.snapshot(),
      isFinalized: () => this.host.lifecycleState === 'finalized',
      logger: this.host.logger,
    });
    this.host.logger.info(
      `${this.host.nodeName} started: embodiment "${params.embodiment}", policy "${params.policy}", ` +
        `${params.autostart ? 'autostart' : 'waiting for configure and activate'}${params.dry_run ? ', dry run' : ''}` +
        `${this.host.useSimTime ? ', ROS time from /clock' : ''}`,
    );
    if (params.autostart) this.autostarting = this.autostart();
  }

  /** Resolves when the current configuration's policy has loaded or failed to (at once without one). */
  async whenLoaded(): Promise<void> {
    await this.session?.loading;
  }

  /** Resolves when a controlled stop in progress has finished (at once without one). */
  async whenStopped(): Promise<void> {
    await this.session?.stopping;
  }

  /**
   * Ends the node as a Ctrl-C should: a controlled stop if the arm is active, then shutdown, then every
   * subscription, publisher, service and the policy released.
   */
  async dispose(): Promise<void> {
    this.disposing.requested = true;
    this.disposing.resolve();
    await this.autostarting?.catch(() => undefined);
    if (this.host.lifecycleState === 'active') {
      this.host.trigger('deactivate');
      await this.whenStopped();
    }
    if (this.host.lifecycleState !== 'finalized') this.host.trigger('shutdown');
    await Promise.all([...this.closingSessions]);
    await this.status?.stop();
    await this.statusTransport?.close();
  }

  /** ~/status now (also published at status_rate_hz). */
  publishStatus(): void {
    this.status?.publishStatus();
  }

  /** /diagnostics now (also published at 1 Hz). */
  publishDiagnostics(): void {
    this.status?.publishDiagnostics();
  }

  /** What ~/status and /diagnostics report. */
  snapshot(): StatusSnapshot {
    const params = this.parameters;
    const s = this.session;
    const stats = s?.bridge?.stats();
    const { mode, reason } = nodeMode(this.host.lifecycleState, s, stats, this.lastError);
    const snapshot: StatusSnapshot = {
      stampS: this.statusTransport?.clock.nowS() ?? 0,
      nodeName: this.host.nodeName,
      lifecycle: this.host.lifecycleState,
      mode,
      reason,
      embodiment: s?.embodiment.name ?? params.embodiment,
      policy: s?.bridge?.policyName ?? params.policy,
      instruction: this.instructionText,
      dryRun: params.dry_run,
      estopped: this.isEstopped,
      commandRateHz: s?.settings.commandRateHz ?? params.command_rate_hz,
      policyRateHz: s?.settings.policyRateHz ?? params.policy_rate_hz,
    };
    if (stats !== undefined) snapshot.stats = stats;
    return snapshot;
  }

  private async autostart(): Promise<void> {
    if (this.host.trigger('configure') !== 'inactive') {
      this.host.logger.error('autostart: configure failed (see above); fix the parameters, then configure and activate');
      return;
    }
    await Promise.race([this.whenLoaded(), this.disposing.promise]);
    const s = this.session;
    if (s?.bridge === undefined || this.disposing.requested) return;
    if (this.host.useSimTime && s.transport.clock.nowS() === 0) {
      this.host.logger.info('autostart: waiting for /clock before activating');
      await Promise.race([s.transport.clock.sleepUntil(Number.MIN_VALUE), this.disposing.promise]);
    }
    if (this.disposing.requested) return;
    if (this.host.lifecycleState === 'inactive' && this.session === s) this.host.trigger('activate');
  }

  private onConfigure(): TransitionOutcome {
    const params = this.parameters;
    if (params.embodiment === '')
      return this.refuse(
        'configure',
        'the embodiment parameter is empty',
        'set it: embodiment:=franka_panda (a shipped name) or the path of an embodiment YAML',
      );
    if (params.policy === '')
      return this.refuse('configure', 'the policy parameter is empty', 'set it to a policy folder: policy:=/path/to/policy');
    let embodiment: Embodiment;
    try {
      embodiment = this.loadEmbodiment(params.embodiment);
    } catch (err) {
      return this.refuse('configure', describeError(err));
    }
    for (const warning of embodiment.warnings) this.host.logger.warn(`embodiment ${embodiment.name}: ${warning}`);

    const transport = this.host.openTransport();
    let session: NodeSession | undefined;
    try {
      const commandTransport = params.dry_run
        ? new RemappedTransport(transport, new Map(commandTopics(embodiment).map((t) => [t, previewTopic(t)])))
        : transport;
      const settings = this.settingsFor(embodiment, commandTransport);
      if (this.estopAtCleanup) settings.safety.estop();
      session = new NodeSession(embodiment, settings, transport);
      this.controls!.open(session);
      const s = session;
      s.load(
        this.createBridge,
        (error) => this.onFault(s, error),
        (bridge) => this.host.logger.info(`policy ${bridge.policyName} loaded; ${params.autostart ? 'activating' : 'ready to activate'}`),
      );
      this.session = s;
      this.estopAtCleanup = false;
      this.lastError = '';
      const c = embodiment.config;
      const commandsTo = commandTopics(embodiment)
        .map((t) => (params.dry_run ? `${previewTopic(t)} (dry run; ${t} stays silent)` : t))
        .join(', ');
      this.host.logger.info(
        `configured ${embodiment.name}: ${c.control.mode} commands (${c.control.command_type}) on ${commandsTo} at ${settings.commandRateHz} Hz; ` +
          `joint states from ${c.topics.joint_states}; cameras ${c.topics.cameras.map((cam) => `${cam.name}=${cam.topic}`).join(', ') || 'none'}; ` +
          `watchdog_resume ${params.watchdog_resume}; loading policy ${params.policy}`,
      );
      return 'success';
    } catch (err) {
      for (const service of session?.services ?? []) service.close();
      void transport.close();
      return this.refuse('configure', describe(err));
    }
  }

  private settingsFor(embodiment: Embodiment, transport: Transport): BridgeSettings {
    const p = this.parameters;
    const c = embodiment.config;
    const or = (value: number, fallback: number): number => (value > 0 ? value : fallback);
    const jointStateTimeoutS = or(p.joint_state_timeout_s, c.timeouts.joint_state_s);
    const cameraTimeoutsS = new Map(c.topics.cameras.map((cam) => [cam.name, or(p.camera_timeout_s, cam.timeout_s)]));
    const safety = SafetyLayer.fromEmbodiment(embodiment, {
      timeouts: {
        jointStateS: jointStateTimeoutS,
        cameraS: Object.fromEntries(cameraTimeoutsS),
        defaultCameraS: Math.max(...cameraTimeoutsS.values(), 0.5),
      },
      watchdogResume: { mode: watchdogResumeNamed(p.watchdog_resume), graceS: p.watchdog_grace_s },
    });
    return {
      embodiment,
      policyPath: p.policy,
      policyServer: p.policy_server === '' ? undefined : p.policy_server,
      executionProviders: p.execution_provider === '' ? undefined : executionProvidersNamed(p.execution_provider, 'execution_provider'),
      instruction: this.instructionText,
      commandRateHz: or(p.command_rate_hz, c.rates.command_hz),
      policyRateHz: or(p.policy_rate_hz, c.rates.policy_hz),
      jointStateTimeoutS,
      cameraTimeoutsS,
      policyDeadlineS: or(p.policy_deadline_s, c.timeouts.policy_deadline_s),
      handover: handoverNamed(p.chunk_handover, 'chunk_handover'),
      latencyCompensation: latencyCompensationNamed(p.latency_compensation, 'latency_compensation'),
      transport,
      safety,
      logger: this.host.logger,
    };
  }

  private onActivate(): TransitionOutcome {
    const s = this.session;
    if (s === undefined) return this.refuse('activate', 'the node is not configured');
    if (s.loadError !== undefined) return this.refuse('activate', s.loadError, 'fix it, then cleanup and configure again');
    if (s.bridge === undefined)
      return this.refuse('activate', 'the policy is still loading', 'activate again once ~/status shows mode "ready"');
    const latched = s.settings.safety.resetRequiredFor;
    if (latched.includes('estop')) return this.refuse('activate', 'the e-stop is latched', `call ${NODE_SERVICES.reset} first`);
    if (latched.length > 0)
      return this.refuse(
        'activate',
        `a watchdog stop is latched (${latched.join(', ')}; watchdog_resume manual)`,
        `call ${NODE_SERVICES.reset} first`,
      );
    if (s.stopping !== undefined)
      return this.refuse('activate', 'the arm is still stopping after the last deactivate', 'activate again in a moment');
    if (this.instructionText.trim() === '')
      this.host.logger.warn(
        'activating without an instruction; set one with the instruction parameter, ~/instruction or ~/set_instruction',
      );
    s.fault = undefined;
    s.bridge.start();
    this.host.logger.info(
      `active: ${s.embodiment.name} follows policy ${s.bridge.policyName}${this.parameters.dry_run ? ' (dry run)' : ''}`,
    );
    return 'success';
  }

  private onDeactivate(): TransitionOutcome {
    this.session?.stop();
    return 'success';
  }

  private onCleanup(): TransitionOutcome {
    this.closeSession(false);
    return 'success';
  }

  private onShutdown(from: LifecycleState): TransitionOutcome {
    this.closeSession(from === 'active');
    return 'success';
  }

  private onError(from: LifecycleState): TransitionOutcome {
    this.host.logger.error(`error during a transition from ${from}; stopping and releasing everything`);
    this.closeSession(true);
    return 'success';
  }

  private closeSession(stopFirst: boolean): void {
    const s = this.session;
    if (s === undefined) return;
    this.session = undefined;
    this.estopAtCleanup = s.settings.safety.latched;
    const closing = s.close(stopFirst);
    this.closingSessions.add(closing);
    void closing.finally(() => this.closingSessions.delete(closing));
  }

  private onFault(s: NodeSession, error: Error): void {
    if (s.closed) return;
    s.fault = `the control loop stopped: ${describe(error)}`;
    this.host.logger.error(`${s.fault}\n  -> the arm holds its last safe command; deactivate, fix the cause and activate again`);
    if (this.session === s && this.host.lifecycleState === 'active') this.host.trigger('deactivate');
  }

  private refuse(transition: string, reason: string, hint?: string): TransitionOutcome {
    this.lastError = reason;
    this.host.logger.error(`cannot ${transition}: ${reason}${hint === undefined ? '' : `\n  -> ${hint}`}`);
    return 'failure';
  }
}

function disposalSignal(): { promise: Promise<void>; resolve: () => void; requested: boolean } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve, requested: false };
}
