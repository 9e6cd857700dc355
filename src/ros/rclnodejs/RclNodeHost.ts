import type { Clock } from '../../time/Clock';
import { RosTimeClock } from '../../time/RosTimeClock';
import { WallClock } from '../../time/WallClock';
import { describeError, VlaError } from '../../errors';
import type { ClockMsg } from '../../msgs/rosMessages';
import type { Transport } from '../../transport/Transport';
import { isLifecycleState, type LifecycleState, type TransitionName } from '../host/lifecycle';
import type {
  LifecycleHandlers,
  NodeHost,
  NodeLogger,
  ParameterChangeHandler,
  ParameterKind,
  ParameterSpec,
  ParameterValue,
  ServiceHandle,
  ServiceHandler,
  SetParameterResult,
  TransitionOutcome,
} from '../host/NodeHost';
import { coerceParameterValue } from '../host/parameterValues';
import { SERVICE_DEFAULTS, type ServiceType } from '../host/serviceTypes';
import { resolveParameterRules } from './parameterRules';
import type { RclLifecycleNode, RclNative, RclParameter, RclRange, RclSetParametersResult, Rclnodejs } from './rclnodejsApi';
import { RosTransport } from './RosTransport';

export interface RclNodeHostOptions {
  rcl: Rclnodejs;
  /** rclnodejs's native addon, for the parameter rules rcl parsed (loadRclnodejsNative). */
  native: RclNative;
  nodeName: string;
  namespace?: string;
  /** Parameters set by the program itself (the command line's --embodiment ...): they win over -p and files. */
  overrides?: Readonly<Record<string, ParameterValue>>;
}

/** No /clock message for this long (wall time, ms) means the clock has stopped. */
const CLOCK_STOPPED_MS = 500;

/** rcl_lifecycle's transition state labels -> the primary state the transition started from. */
const TRANSITION_STATE_ORIGINS: Readonly<Record<string, LifecycleState>> = {
  configuring: 'unconfigured',
  activating: 'inactive',
  deactivating: 'active',
  cleaningup: 'inactive',
  shuttingdown: 'active',
  errorprocessing: 'unconfigured',
};

/**
 * The node host over an rclnodejs LifecycleNode: parameters with rcl descriptors, services, the rcl lifecycle
 * state machine (`ros2 lifecycle set` drives it through the node's change_state service) and the node's
 * logger. Its clock is ROS time fed by /clock when `use_sim_time` is true at start, else the wall clock.
 */
export class RclNodeHost implements NodeHost {
  readonly nodeName: string;
  readonly logger: NodeLogger;
  readonly clock: Clock;
  readonly useSimTime: boolean;
  private readonly rcl: Rclnodejs;
  private readonly node: RclLifecycleNode;
  private readonly overrides: ReadonlyMap<string, unknown>;
  private readonly kinds = new Map<string, ParameterKind>();
  private readonly changeHandlers: ParameterChangeHandler[] = [];
  private declaring = false;
  /** Wall time of the last /clock message, ms since the epoch (0: none yet). */
  private lastClockWallMs = 0;

  /**
   * Creates the lifecycle node and its host. Parameter values come from every entry rcl parsed that matches the
   * node's fully qualified name by rcl's rules (params files keyed `/**`, `vla_bridge`, `/vla_bridge`,
   * `/ns/vla_bridge`, wildcards; `-p`), not only from the two keys rclnodejs 2.2.0 looks under, then from
   * `overrides`. use_sim_time is applied at once, since rclnodejs's time source declared it before.
   */
  static create(options: RclNodeHostOptions): { host: RclNodeHost; node: RclLifecycleNode } {
    const { rcl } = options;
    const explicit = Object.entries(options.overrides ?? {});
    const nodeOptions = new rcl.NodeOptions();
    nodeOptions.parameterOverrides = explicit.map(([name, value]) => new rcl.Parameter(name, parameterTypeOf(rcl, value), value));
    const node = rcl.createLifecycleNode(options.nodeName, options.namespace ?? '', undefined, nodeOptions);
    try {
      const resolved = resolveParameterRules(options.native.getParameterOverrides(node.context.handle) ?? [], node.getFullyQualifiedName());
      for (const [name, value] of explicit) resolved.set(name, value);
      const simTime = resolved.get('use_sim_time');
      if (typeof simTime === 'boolean' && node.getParameter('use_sim_time').value !== simTime) {
        node.setParameter(new rcl.Parameter('use_sim_time', rcl.ParameterType.PARAMETER_BOOL, simTime));
      }
      return { host: new RclNodeHost(rcl, node, resolved), node };
    } catch (err) {
      node.destroy();
      throw err;
    }
  }

  /** `overrides`: the parameter values that apply to this node (see `create`). */
  private constructor(rcl: Rclnodejs, node: RclLifecycleNode, overrides: ReadonlyMap<string, unknown>) {
    this.rcl = rcl;
    this.node = node;
    this.overrides = overrides;
    this.nodeName = node.name();
    const log = node.getLogger();
    this.logger = {
      debug: (m) => void log.debug(m),
      info: (m) => void log.info(m),
      warn: (m) => void log.warn(m),
      error: (m) => void log.error(m),
    };
    this.useSimTime = node.hasParameter('use_sim_time') && node.getParameter('use_sim_time').value === true;
    this.clock = this.useSimTime ? this.subscribeClock() : new WallClock();
    node.addOnSetParametersCallback((parameters) => this.onSetParameters(parameters));
  }

  /**
   * Lets a controlled stop end when /clock has stopped (a replayed bag has ended, a simulator is paused) or never
   * came (use_sim_time with nothing publishing /clock): a stop runs on ROS time, which would then never advance
   * and a Ctrl-C would wait out the shutdown limit. While `until` has not settled, once /clock has sent nothing
   * for CLOCK_STOPPED_MS of wall time (counted from the stop when none ever came), this advances the node's ROS
   * time itself by `stepS` per macrotask from the last time received, so the stop runs to its end at once.
   * (Before the first /clock nothing has run on ROS time: no command was ever made, and advancing it only lets
   * the waiting loop see the stop.) Resolves, when `until` settles, with why it had to (`stopped`, `absent`) or
   * undefined; without use_sim_time at once with undefined.
   */
  async carryStoppedClock(until: Promise<unknown>, stepS = 0.002): Promise<'stopped' | 'absent' | undefined> {
    const clock = this.clock;
    if (!(clock instanceof RosTimeClock)) return undefined;
    const stopBeganMs = Date.now();
    let settled = false;
    void until.finally(() => (settled = true));
    let carried: 'stopped' | 'absent' | undefined;
    while (!settled) {
      const lastMs = this.lastClockWallMs === 0 ? stopBeganMs : this.lastClockWallMs;
      if (Date.now() - lastMs < CLOCK_STOPPED_MS) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      carried ??= clock.active ? 'stopped' : 'absent';
      await clock.advanceTo(clock.nowS() + stepS);
    }
    return carried;
  }

  /** The primary state; during a transition, the state it started from. */
  get lifecycleState(): LifecycleState {
    const label = this.node.currentState.label;
    return isLifecycleState(label) ? label : (TRANSITION_STATE_ORIGINS[label] ?? 'unconfigured');
  }

  declareParameters(specs: readonly ParameterSpec[]): Map<string, ParameterValue> {
    const values = new Map<string, ParameterValue>();
    this.declaring = true;
    try {
      for (const spec of specs) {
        this.kinds.set(spec.name, spec.kind);
        if (this.node.hasParameter(spec.name)) {
          values.set(spec.name, this.getParameter(spec.name));
          continue;
        }
        const override = this.overrides.get(spec.name);
        const coerced = coerceParameterValue(spec, override === undefined ? spec.default : override);
        if (!coerced.ok) {
          throw new VlaError('CONFIG_INVALID', coerced.reason, { path: spec.name, hint: spec.additionalConstraints ?? spec.description });
        }
        const type = this.typeOf(spec.kind);
        const range = this.rangeOf(spec);
        const descriptor = new this.rcl.ParameterDescriptor(spec.name, type, spec.description, spec.readOnly, range);
        // rclnodejs 2.2.0's toMessage() reads _rangeConstraint, not the range it was given: set both, so that
        // `ros2 param describe` shows the range rclnodejs enforces, and say it in words too.
        if (range !== null) descriptor._rangeConstraint = range;
        const constraints = [
          spec.range === undefined ? '' : `from ${spec.range.from} to ${spec.range.to}`,
          spec.additionalConstraints ?? '',
        ];
        descriptor.additionalConstraints = constraints.filter((c) => c !== '').join('; ');
        // The override was applied (and coerced) above, so rclnodejs must not apply it again.
        this.node.declareParameter(new this.rcl.Parameter(spec.name, type, this.toRcl(spec.kind, coerced.value)), descriptor, true);
        values.set(spec.name, coerced.value);
      }
    } finally {
      this.declaring = false;
    }
    return values;
  }

  getParameter(name: string): ParameterValue {
    const value = this.node.getParameter(name).value;
    if (typeof value === 'bigint') return Number(value);
    if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
    throw new VlaError('CONFIG_INVALID', `parameter ${name} has an unsupported value type`, { path: name });
  }

  setParameter(name: string, value: ParameterValue): SetParameterResult {
    const kind = this.kinds.get(name) ?? 'string';
    const result = this.node.setParameter(new this.rcl.Parameter(name, this.typeOf(kind), this.toRcl(kind, value)));
    return { successful: result.successful, reason: result.reason };
  }

  onParameterChange(handler: ParameterChangeHandler): void {
    this.changeHandlers.push(handler);
  }

  openTransport(): Transport {
    return new RosTransport(this.node, this.rcl.QoS, this.clock);
  }

  createService<S extends ServiceType>(type: S, name: string, handler: ServiceHandler<S>): ServiceHandle {
    const service = this.node.createService(type, name, { qos: this.rcl.QoS.profileServicesDefault }, (request, response) => {
      Promise.resolve()
        .then(() => handler(request as Parameters<ServiceHandler<S>>[0]))
        .then(
          (answer) => response.send(answer as object),
          (err: unknown) => {
            this.logger.error(`service ${name} failed: ${describeError(err)}`);
            response.send({ ...SERVICE_DEFAULTS[type].response });
          },
        );
    });
    return { name: service.serviceName, close: () => this.node.destroyService(service) };
  }

  setLifecycleHandlers(handlers: LifecycleHandlers): void {
    const code = this.rcl.lifecycle.CallbackReturnCode;
    const wrap = (callback: () => TransitionOutcome) => (): number => {
      try {
        const outcome = callback();
        return outcome === 'success' ? code.SUCCESS : outcome === 'failure' ? code.FAILURE : code.ERROR;
      } catch (err) {
        this.logger.error(`lifecycle callback threw: ${describeError(err)}`);
        return code.ERROR;
      }
    };
    const primary = (label: string): LifecycleState => (isLifecycleState(label) ? label : 'unconfigured');
    this.node.registerOnConfigure(wrap(() => handlers.onConfigure()));
    this.node.registerOnActivate(wrap(() => handlers.onActivate()));
    this.node.registerOnDeactivate(wrap(() => handlers.onDeactivate()));
    this.node.registerOnCleanup(wrap(() => handlers.onCleanup()));
    this.node.registerOnShutdown((previous) => wrap(() => handlers.onShutdown(primary(previous.label)))());
    this.node.registerOnError((previous) => wrap(() => handlers.onError(primary(previous.label)))());
  }

  trigger(transition: TransitionName): LifecycleState {
    try {
      this.node[transition]();
    } catch (err) {
      throw new VlaError(
        'ARGUMENT_INVALID',
        `lifecycle transition ${transition} is not available from state ${this.node.currentState.label}`,
        {
          cause: err,
        },
      );
    }
    return this.lifecycleState;
  }

  private onSetParameters(parameters: RclParameter[]): RclSetParametersResult {
    if (this.declaring) return { successful: true, reason: '' };
    for (const p of parameters) {
      if (p.name === 'use_sim_time') {
        return { successful: false, reason: 'use_sim_time is fixed when the node starts (set it in the launch file or with -p)' };
      }
      const kind = this.kinds.get(p.name);
      if (kind === undefined) continue;
      const value = typeof p.value === 'bigint' ? Number(p.value) : p.value;
      if (typeof value !== 'boolean' && typeof value !== 'number' && typeof value !== 'string') {
        return { successful: false, reason: `${p.name} must be a ${kind}` };
      }
      for (const handler of this.changeHandlers) {
        const result = handler(p.name, value);
        if (!result.successful) return result;
      }
    }
    return { successful: true, reason: '' };
  }

  /**
   * The rclnodejs range for a spec, carrying also the rcl_interfaces field names (from_value, to_value, step)
   * as its own enumerable properties: the message translator copies fields by name, and a Range keeps its
   * values in `_fromValue` behind getters.
   */
  private rangeOf(spec: ParameterSpec): RclRange | null {
    if (spec.range === undefined) return null;
    const integer = spec.kind === 'integer';
    const fields = integer
      ? { from_value: BigInt(spec.range.from), to_value: BigInt(spec.range.to), step: 1n }
      : { from_value: spec.range.from, to_value: spec.range.to, step: 0 };
    const range = integer
      ? new this.rcl.IntegerRange(fields.from_value as bigint, fields.to_value as bigint, 1n)
      : new this.rcl.FloatingPointRange(spec.range.from, spec.range.to, 0);
    for (const [key, value] of Object.entries(fields)) Object.defineProperty(range, key, { value, enumerable: true });
    return range;
  }

  /**
   * ROS time from /clock on one best-effort subscription, which matches every /clock publisher (rosbag2 and
   * Gazebo's bridge publish best effort; a reliable subscriber, what rclnodejs's time source makes, gets
   * nothing from them and makes rosbag2 warn about incompatible QoS). It replaces the time source's own
   * subscription and feeds it too, so the node's rclnodejs clock keeps ROS time.
   */
  private subscribeClock(): Clock {
    const rosClock = new RosTimeClock();
    const timeSource = this.node._timeSource;
    if (timeSource?._clockSubscription !== undefined) this.node.destroySubscription(timeSource._clockSubscription);
    const subscription = this.node.createSubscription(
      'rosgraph_msgs/msg/Clock',
      '/clock',
      { qos: this.rcl.QoS.profileSensorData },
      (msg) => {
        this.lastClockWallMs = Date.now();
        rosClock.onClock(msg as ClockMsg);
        timeSource?._clockCallback(msg);
      },
    );
    if (timeSource !== undefined) timeSource._clockSubscription = subscription;
    return rosClock;
  }

  private typeOf(kind: ParameterKind): number {
    const t = this.rcl.ParameterType;
    return kind === 'bool'
      ? t.PARAMETER_BOOL
      : kind === 'integer'
        ? t.PARAMETER_INTEGER
        : kind === 'double'
          ? t.PARAMETER_DOUBLE
          : t.PARAMETER_STRING;
  }

  private toRcl(kind: ParameterKind, value: ParameterValue): unknown {
    return kind === 'integer' ? BigInt(value as number) : value;
  }
}

function parameterTypeOf(rcl: Rclnodejs, value: ParameterValue): number {
  const t = rcl.ParameterType;
  return typeof value === 'boolean'
    ? t.PARAMETER_BOOL
    : typeof value === 'string'
      ? t.PARAMETER_STRING
      : Number.isInteger(value)
        ? t.PARAMETER_INTEGER
        : t.PARAMETER_DOUBLE;
}
