import type { Embodiment } from '../../config/Embodiment';
import { loadEmbodiment } from '../../config/loadEmbodiment';
import type { Clock } from '../../control/clock/Clock';
import { FixedRateScheduler } from '../../control/FixedRateScheduler';
import { handoverNamed } from '../../control/queue/handovers';
import { latencyCompensationNamed } from '../../control/queue/latencyCompensation';
import { isVlaError } from '../../errors';
import type { BoolMsg, DiagnosticArrayMsg, StringMsg } from '../../msgs/rosMessages';
import type { Publisher, Transport } from '../../transport/Transport';
import type { LifecycleState } from '../host/lifecycle';
import type { NodeHost, ParameterValue, ServiceHandle, SetParameterResult, TransitionOutcome } from '../host/NodeHost';
import type { SetInstructionResponse, TriggerResponse } from '../host/serviceTypes';
import { actionChunkToMsg, type ActionChunkMsg, type PolicyStatusMsg, safetyEventToMsg, type SafetyEventMsg, VLA_MSG_TYPES } from '../../msgs/vlaMessages';
import { RemappedTransport } from '../transport/RemappedTransport';
import type { BridgeFactory, BridgeListeners, BridgeRuntime, BridgeSettings } from './BridgeRuntime';
import { instructionProblem, NODE_PARAMETERS, type NodeParameters, toNodeParameters } from './nodeParameters';
import { type BridgeMode, type StatusSnapshot, statusToDiagnostics, statusToMsg } from './statusMessages';

/** Topics the node itself offers (the pipeline adds cameras, joint states and commands from the embodiment). */
export const NODE_TOPICS = {
  status: '~/status',
  safetyEvents: '~/safety_events',
  actionChunk: '~/action_chunk',
  diagnostics: '/diagnostics',
  instruction: '~/instruction',
  estop: '~/estop',
} as const;

export const NODE_SERVICES = {
  setInstruction: '~/set_instruction',
  reset: '~/reset',
} as const;

/** Where a command topic's messages go in a dry run: `/arm_controller/joint_trajectory` -> `~/preview/arm_controller/joint_trajectory`. */
export function previewTopic(commandTopic: string): string {
  return `~/preview${commandTopic.startsWith('/') ? '' : '/'}${commandTopic}`;
}

/** Every topic on which the embodiment's commands go out (arm, and the gripper when it has its own topic). */
export function commandTopics(embodiment: Embodiment): string[] {
  const topics = [embodiment.config.control.command_topic];
  const gripperTopic = embodiment.config.gripper?.command_topic;
  if (gripperTopic !== undefined) topics.push(gripperTopic);
  return topics;
}

export interface VlaBridgeNodeOptions {
  host: NodeHost;
  /** Builds the pipeline for a configuration (loads the policy). */
  createBridge: BridgeFactory;
  /** Default: loadEmbodiment from src/config. */
  loadEmbodiment?: (nameOrPath: string) => Embodiment;
}

/** One configuration of the node: from configure to cleanup. */
interface Session {
  embodiment: Embodiment;
  settings: BridgeSettings;
  transport: Transport;
  services: ServiceHandle[];
  safetyEventPublisher: Publisher<SafetyEventMsg>;
  chunkPublisher: Publisher<ActionChunkMsg>;
  loading: Promise<void>;
  bridge?: BridgeRuntime;
  loadError?: string;
  stopping?: Promise<void>;
  fault?: string;
  closed: boolean;
}

/**
 * The `vla_bridge` lifecycle node, as plain logic over a NodeHost (parameters, services, lifecycle, logging)
 * and the Transport it opens (topics):
 *
 * - configure loads the embodiment, opens the node's topics and services, and starts loading the policy and
 *   building the pipeline (in the background: rclnodejs transition callbacks are synchronous);
 * - activate starts the control loop, and is refused while the policy loads, after it failed to load, while
 *   the e-stop is latched or while the arm is still stopping;
 * - deactivate brings the arm to a controlled stop and holds; cleanup and shutdown release everything;
 * - `autostart` configures, waits for the policy (and for /clock with use_sim_time), then activates;
 * - `dry_run` sends the embodiment's command topics to `~/preview/...`;
 * - the e-stop topic latches (data: true) and only the ~/reset service releases it;
 * - the instruction parameter, the ~/instruction topic and the ~/set_instruction service are one setting;
 * - ~/status, ~/safety_events, ~/action_chunk and /diagnostics report what happens.
 */
export class VlaBridgeNode {
  private readonly host: NodeHost;
  private readonly createBridge: BridgeFactory;
  private readonly loadEmbodiment: (nameOrPath: string) => Embodiment;
  private params: NodeParameters | undefined;
  private instruction = '';
  private estopLatched = false;
  private lastError = '';
  private session: Session | undefined;
  private closingSessions = new Set<Promise<void>>();
  private statusTransport: Transport | undefined;
  private statusPublisher: Publisher<PolicyStatusMsg> | undefined;
  private diagnosticsPublisher: Publisher<DiagnosticArrayMsg> | undefined;
  private readonly schedulers: FixedRateScheduler[] = [];
  private autostarting: Promise<void> | undefined;

  constructor(options: VlaBridgeNodeOptions) {
    this.host = options.host;
    this.createBridge = options.createBridge;
    this.loadEmbodiment = options.loadEmbodiment ?? ((nameOrPath) => loadEmbodiment(nameOrPath));
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
    return this.estopLatched;
  }

  /**
   * Declares the parameters, registers the lifecycle callbacks and starts publishing ~/status and
   * /diagnostics. With `autostart` it then configures and activates by itself.
   */
  start(): void {
    if (this.params !== undefined) throw new Error('node already started');
    const params = toNodeParameters(this.host.declareParameters(NODE_PARAMETERS));
    this.params = params;
    this.instruction = params.instruction;
    this.host.onParameterChange((name, value) => this.onParameterChange(name, value));
    this.host.setLifecycleHandlers({
      onConfigure: () => this.onConfigure(),
      onActivate: () => this.onActivate(),
      onDeactivate: () => this.onDeactivate(),
      onCleanup: () => this.onCleanup(),
      onShutdown: (from) => this.onShutdown(from),
      onError: (from) => this.onError(from),
    });
    const transport = this.host.openTransport();
    this.statusTransport = transport;
    this.statusPublisher = transport.createPublisher(NODE_TOPICS.status, VLA_MSG_TYPES.policyStatus) as Publisher<PolicyStatusMsg>;
    this.diagnosticsPublisher = transport.createPublisher(NODE_TOPICS.diagnostics, 'diagnostic_msgs/msg/DiagnosticArray');
    this.every(transport.clock, 1 / params.status_rate_hz, () => this.publishStatus());
    this.every(transport.clock, 1, () => this.publishDiagnostics());
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
    await this.autostarting?.catch(() => undefined);
    const state = this.host.lifecycleState;
    if (state === 'active') {
      this.host.trigger('deactivate');
      await this.whenStopped();
    }
    if (this.host.lifecycleState !== 'finalized') this.host.trigger('shutdown');
    await Promise.all([...this.closingSessions]);
    await Promise.all(this.schedulers.map((s) => s.stop()));
    await this.statusTransport?.close();
  }

  /** ~/status now (also published at status_rate_hz). */
  publishStatus(): void {
    this.statusPublisher?.publish(statusToMsg(this.snapshot()));
  }

  /** /diagnostics now (also published at 1 Hz). */
  publishDiagnostics(): void {
    this.diagnosticsPublisher?.publish(statusToDiagnostics(this.snapshot()));
  }

  /** What ~/status and /diagnostics report. */
  snapshot(): StatusSnapshot {
    const params = this.parameters;
    const s = this.session;
    const { mode, reason } = this.mode();
    const snapshot: StatusSnapshot = {
      stampS: this.statusTransport?.clock.nowS() ?? 0,
      nodeName: this.host.nodeName,
      lifecycle: this.host.lifecycleState,
      mode,
      reason,
      embodiment: s?.embodiment.name ?? params.embodiment,
      policy: s?.bridge?.policyName ?? params.policy,
      instruction: this.instruction,
      dryRun: params.dry_run,
      estopped: this.estopLatched,
      commandRateHz: s?.settings.commandRateHz ?? params.command_rate_hz,
      policyRateHz: s?.settings.policyRateHz ?? params.policy_rate_hz,
    };
    const stats = s?.bridge?.stats();
    if (stats !== undefined) snapshot.stats = stats;
    return snapshot;
  }

  private mode(): { mode: BridgeMode; reason: string } {
    const state = this.host.lifecycleState;
    const s = this.session;
    if (state === 'finalized') return { mode: 'finalized', reason: '' };
    if (state === 'unconfigured' || s === undefined) return { mode: 'unconfigured', reason: this.lastError };
    if (this.estopLatched) return { mode: 'estopped', reason: `e-stop latched; call ${NODE_SERVICES.reset} to release it` };
    if (s.loadError !== undefined) return { mode: 'fault', reason: s.loadError };
    if (s.fault !== undefined) return { mode: 'fault', reason: s.fault };
    if (s.stopping !== undefined) return { mode: 'stopping', reason: 'controlled stop after deactivate' };
    if (s.bridge === undefined) return { mode: 'loading', reason: `loading policy ${s.settings.policyPath}` };
    if (state === 'inactive') return { mode: 'ready', reason: '' };
    const stats = s.bridge.stats();
    if (stats.holding) return { mode: 'holding', reason: stats.holdReason ?? '' };
    return { mode: 'running', reason: '' };
  }

  private async autostart(): Promise<void> {
    if (this.host.trigger('configure') !== 'inactive') {
      this.host.logger.error('autostart: configure failed (see above); fix the parameters, then configure and activate');
      return;
    }
    await this.whenLoaded();
    const s = this.session;
    if (s?.bridge === undefined) return;
    if (this.host.useSimTime && s.transport.clock.nowS() === 0) {
      this.host.logger.info('autostart: waiting for /clock before activating');
      await s.transport.clock.sleepUntil(Number.MIN_VALUE);
    }
    if (this.host.lifecycleState === 'inactive' && this.session === s) this.host.trigger('activate');
  }

  private onConfigure(): TransitionOutcome {
    const params = this.parameters;
    if (params.embodiment === '') return this.refuse('configure', 'the embodiment parameter is empty', 'set it: embodiment:=franka_panda (a shipped name) or the path of an embodiment YAML');
    if (params.policy === '') return this.refuse('configure', 'the policy parameter is empty', 'set it to a policy folder: policy:=/path/to/policy');
    let embodiment: Embodiment;
    try {
      embodiment = this.loadEmbodiment(params.embodiment);
    } catch (err) {
      return this.refuse('configure', isVlaError(err) ? err.describe() : String(err));
    }
    for (const warning of embodiment.warnings) this.host.logger.warn(`embodiment ${embodiment.name}: ${warning}`);

    const transport = this.host.openTransport();
    const services: ServiceHandle[] = [];
    try {
      const commandTransport = params.dry_run ? new RemappedTransport(transport, new Map(commandTopics(embodiment).map((t) => [t, previewTopic(t)]))) : transport;
      const settings = this.settingsFor(embodiment, commandTransport);
      const session: Session = {
        embodiment,
        settings,
        transport,
        services,
        safetyEventPublisher: transport.createPublisher(NODE_TOPICS.safetyEvents, VLA_MSG_TYPES.safetyEvent) as Publisher<SafetyEventMsg>,
        chunkPublisher: transport.createPublisher(NODE_TOPICS.actionChunk, VLA_MSG_TYPES.actionChunk) as Publisher<ActionChunkMsg>,
        loading: Promise.resolve(),
        closed: false,
      };
      transport.subscribe(NODE_TOPICS.instruction, 'std_msgs/msg/String', (msg: StringMsg) => {
        const result = this.host.setParameter('instruction', msg.data);
        if (!result.successful) this.host.logger.warn(`instruction from ${NODE_TOPICS.instruction} refused: ${result.reason}`);
      });
      transport.subscribe(NODE_TOPICS.estop, 'std_msgs/msg/Bool', (msg: BoolMsg) => {
        if (msg.data) this.engageEstop(`${NODE_TOPICS.estop} topic`);
        else this.host.logger.debug(`${NODE_TOPICS.estop}: false is ignored; the e-stop releases only through ${NODE_SERVICES.reset}`);
      });
      services.push(
        this.host.createService('vla_bridge/srv/SetInstruction', NODE_SERVICES.setInstruction, (request) => this.setInstruction(request.instruction)),
        this.host.createService('std_srvs/srv/Trigger', NODE_SERVICES.reset, () => this.reset()),
      );
      session.loading = this.load(session);
      this.session = session;
      this.lastError = '';
      const c = embodiment.config;
      const commandsTo = commandTopics(embodiment)
        .map((t) => (params.dry_run ? `${previewTopic(t)} (dry run; ${t} stays silent)` : t))
        .join(', ');
      this.host.logger.info(
        `configured ${embodiment.name}: ${c.control.mode} commands (${c.control.command_type}) on ${commandsTo} at ${settings.commandRateHz} Hz; ` +
          `joint states from ${c.topics.joint_states}; cameras ${c.topics.cameras.map((cam) => `${cam.name}=${cam.topic}`).join(', ') || 'none'}; ` +
          `loading policy ${params.policy}`,
      );
      return 'success';
    } catch (err) {
      for (const service of services) service.close();
      void transport.close();
      return this.refuse('configure', isVlaError(err) ? err.describe() : err instanceof Error ? err.message : String(err));
    }
  }

  private settingsFor(embodiment: Embodiment, transport: Transport): BridgeSettings {
    const p = this.parameters;
    const c = embodiment.config;
    const or = (value: number, fallback: number): number => (value > 0 ? value : fallback);
    return {
      embodiment,
      policyPath: p.policy,
      instruction: this.instruction,
      commandRateHz: or(p.command_rate_hz, c.rates.command_hz),
      policyRateHz: or(p.policy_rate_hz, c.rates.policy_hz),
      jointStateTimeoutS: or(p.joint_state_timeout_s, c.timeouts.joint_state_s),
      cameraTimeoutsS: new Map(c.topics.cameras.map((cam) => [cam.name, or(p.camera_timeout_s, cam.timeout_s)])),
      policyDeadlineS: or(p.policy_deadline_s, c.timeouts.policy_deadline_s),
      handover: handoverNamed(p.chunk_handover, 'chunk_handover'),
      latencyCompensation: latencyCompensationNamed(p.latency_compensation, 'latency_compensation'),
      transport,
      logger: this.host.logger,
    };
  }

  private async load(session: Session): Promise<void> {
    const listeners: BridgeListeners = {
      safetyEvent: (event) => {
        if (!session.closed) session.safetyEventPublisher.publish(safetyEventToMsg(event));
      },
      chunk: (chunk) => {
        if (!session.closed) session.chunkPublisher.publish(actionChunkToMsg(chunk));
      },
      fault: (error) => this.onFault(session, error),
    };
    let bridge: BridgeRuntime;
    try {
      bridge = await this.createBridge(session.settings, listeners);
    } catch (err) {
      session.loadError = `the policy failed to load: ${isVlaError(err) ? err.describe() : err instanceof Error ? err.message : String(err)}`;
      this.host.logger.error(`${session.loadError}\n  -> fix it, then cleanup and configure again`);
      return;
    }
    if (session.closed) {
      await bridge.close();
      return;
    }
    session.bridge = bridge;
    if (this.estopLatched) bridge.estop();
    this.host.logger.info(`policy ${bridge.policyName} loaded; ${this.parameters.autostart ? 'activating' : 'ready to activate'}`);
  }

  private onActivate(): TransitionOutcome {
    const s = this.session;
    if (s === undefined) return this.refuse('activate', 'the node is not configured');
    if (s.loadError !== undefined) return this.refuse('activate', s.loadError, 'fix it, then cleanup and configure again');
    if (s.bridge === undefined) return this.refuse('activate', 'the policy is still loading', 'activate again once ~/status shows mode "ready"');
    if (this.estopLatched) return this.refuse('activate', 'the e-stop is latched', `call ${NODE_SERVICES.reset} first`);
    if (s.stopping !== undefined) return this.refuse('activate', 'the arm is still stopping after the last deactivate', 'activate again in a moment');
    if (this.instruction.trim() === '') this.host.logger.warn('activating without an instruction; set one with the instruction parameter, ~/instruction or ~/set_instruction');
    s.fault = undefined;
    s.bridge.start();
    this.host.logger.info(`active: ${s.embodiment.name} follows policy ${s.bridge.policyName}${this.parameters.dry_run ? ' (dry run)' : ''}`);
    return 'success';
  }

  private onDeactivate(): TransitionOutcome {
    this.stop(this.session);
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

  private stop(s: Session | undefined): void {
    const bridge = s?.bridge;
    if (s === undefined || bridge === undefined || s.stopping !== undefined) return;
    const stopping = bridge
      .stop()
      .then(
        () => this.host.logger.info('stopped; the arm holds'),
        (err: unknown) => this.host.logger.error(`controlled stop failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        if (s.stopping === stopping) s.stopping = undefined;
      });
    s.stopping = stopping;
  }

  /** Ends the current configuration: services now, then (in the background) the stop, the pipeline and topics. */
  private closeSession(stopFirst: boolean): void {
    const s = this.session;
    if (s === undefined) return;
    this.session = undefined;
    s.closed = true;
    for (const service of s.services) service.close();
    if (stopFirst) this.stop(s);
    // A policy still loading is closed by `load` when it arrives (the session is marked closed).
    const closing = (async () => {
      await s.stopping;
      try {
        await s.bridge?.close();
      } catch (err) {
        this.host.logger.error(`releasing the pipeline failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      await s.transport.close();
    })();
    this.closingSessions.add(closing);
    void closing.finally(() => this.closingSessions.delete(closing));
  }

  private onFault(s: Session, error: Error): void {
    if (s.closed) return;
    s.fault = `the control loop stopped: ${isVlaError(error) ? error.describe() : error.message}`;
    this.host.logger.error(`${s.fault}\n  -> the arm holds its last safe command; deactivate, fix the cause and activate again`);
    if (this.session === s && this.host.lifecycleState === 'active') this.host.trigger('deactivate');
  }

  private onParameterChange(name: string, value: ParameterValue): SetParameterResult {
    if (name !== 'instruction') return { successful: true, reason: '' };
    const text = String(value);
    const problem = instructionProblem(text);
    if (problem !== undefined) return { successful: false, reason: problem };
    this.instruction = text;
    this.session?.bridge?.setInstruction(text);
    this.host.logger.info(`instruction: "${text}"`);
    return { successful: true, reason: '' };
  }

  private setInstruction(text: string): SetInstructionResponse {
    const result = this.host.setParameter('instruction', text);
    return result.successful ? { success: true, message: `instruction set to "${text}"` } : { success: false, message: result.reason };
  }

  private engageEstop(source: string): void {
    if (!this.estopLatched) this.host.logger.warn(`e-stop engaged by the ${source}: the arm decelerates within its limits and holds until ${NODE_SERVICES.reset}`);
    this.estopLatched = true;
    this.session?.bridge?.estop();
  }

  private reset(): TriggerResponse {
    if (!this.estopLatched) return { success: true, message: 'the e-stop was not engaged' };
    const bridge = this.session?.bridge;
    let message = 'e-stop released';
    if (bridge !== undefined) {
      const outcome = bridge.reset();
      if (!outcome.ok) return { success: false, message: outcome.message };
      message = outcome.message;
    }
    this.estopLatched = false;
    this.host.logger.info(`e-stop reset: ${message}`);
    return { success: true, message };
  }

  private refuse(transition: string, reason: string, hint?: string): TransitionOutcome {
    this.lastError = reason;
    this.host.logger.error(`cannot ${transition}: ${reason}${hint === undefined ? '' : `\n  -> ${hint}`}`);
    return 'failure';
  }

  private every(clock: Clock, periodS: number, tick: () => void): void {
    const scheduler = new FixedRateScheduler(clock, periodS);
    this.schedulers.push(scheduler);
    scheduler
      .start(() => {
        if (this.host.lifecycleState !== 'finalized') tick();
      })
      .catch((err: unknown) => this.host.logger.error(`status publishing stopped: ${err instanceof Error ? err.message : String(err)}`));
  }
}
