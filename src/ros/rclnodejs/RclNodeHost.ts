import type { Clock } from '../../control/clock/Clock';
import { RosTimeClock } from '../../control/clock/RosTimeClock';
import { WallClock } from '../../control/clock/WallClock';
import { VlaError } from '../../errors';
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
import type { RclLifecycleNode, RclParameter, RclSetParametersResult, Rclnodejs } from './rclnodejsApi';
import { RosTransport } from './RosTransport';

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
  private readonly kinds = new Map<string, ParameterKind>();
  private readonly changeHandlers: ParameterChangeHandler[] = [];
  private declaring = false;

  constructor(rcl: Rclnodejs, node: RclLifecycleNode) {
    this.rcl = rcl;
    this.node = node;
    this.nodeName = node.name();
    const log = node.getLogger();
    this.logger = {
      debug: (m) => void log.debug(m),
      info: (m) => void log.info(m),
      warn: (m) => void log.warn(m),
      error: (m) => void log.error(m),
    };
    this.useSimTime = node.hasParameter('use_sim_time') && node.getParameter('use_sim_time').value === true;
    if (this.useSimTime) {
      const rosClock = new RosTimeClock();
      // Best effort matches both reliable and best-effort /clock publishers (gz bridge, rosbag2).
      node.createSubscription('rosgraph_msgs/msg/Clock', '/clock', { qos: rcl.QoS.profileSensorData }, (msg) => rosClock.onClock(msg as ClockMsg));
      this.clock = rosClock;
    } else {
      this.clock = new WallClock();
    }
    node.addOnSetParametersCallback((parameters) => this.onSetParameters(parameters));
  }

  /** The primary state; during a transition, the state it started from. */
  get lifecycleState(): LifecycleState {
    const label = this.node.currentState.label;
    return isLifecycleState(label) ? label : (TRANSITION_STATE_ORIGINS[label] ?? 'unconfigured');
  }

  declareParameters(specs: readonly ParameterSpec[]): Map<string, ParameterValue> {
    const values = new Map<string, ParameterValue>();
    const overrides = new Map(this.node.getParameterOverrides().map((p) => [p.name, p] as const));
    this.declaring = true;
    try {
      for (const spec of specs) {
        this.kinds.set(spec.name, spec.kind);
        if (this.node.hasParameter(spec.name)) {
          values.set(spec.name, this.getParameter(spec.name));
          continue;
        }
        const override = overrides.get(spec.name);
        const coerced = coerceParameterValue(spec, override === undefined ? spec.default : override.value);
        if (!coerced.ok) {
          throw new VlaError('CONFIG_INVALID', coerced.reason, { path: spec.name, hint: spec.additionalConstraints ?? spec.description });
        }
        const type = this.typeOf(spec.kind);
        const range =
          spec.range === undefined
            ? null
            : spec.kind === 'integer'
              ? new this.rcl.IntegerRange(BigInt(spec.range.from), BigInt(spec.range.to), 1n)
              : new this.rcl.FloatingPointRange(spec.range.from, spec.range.to, 0);
        const descriptor = new this.rcl.ParameterDescriptor(spec.name, type, spec.description, spec.readOnly, range);
        if (spec.additionalConstraints !== undefined) descriptor.additionalConstraints = spec.additionalConstraints;
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
            this.logger.error(`service ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
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
        this.logger.error(`lifecycle callback threw: ${err instanceof Error ? err.message : String(err)}`);
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
      throw new VlaError('ARGUMENT_INVALID', `lifecycle transition ${transition} is not available from state ${this.node.currentState.label}`, {
        cause: err,
      });
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

  private typeOf(kind: ParameterKind): number {
    const t = this.rcl.ParameterType;
    return kind === 'bool' ? t.PARAMETER_BOOL : kind === 'integer' ? t.PARAMETER_INTEGER : kind === 'double' ? t.PARAMETER_DOUBLE : t.PARAMETER_STRING;
  }

  private toRcl(kind: ParameterKind, value: ParameterValue): unknown {
    return kind === 'integer' ? BigInt(value as number) : value;
  }
}
