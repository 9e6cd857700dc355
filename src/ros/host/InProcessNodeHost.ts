import { describeError, VlaError } from '../../errors';
import { LoopbackTransport } from '../../transport/LoopbackTransport';
import type { Transport } from '../../transport/Transport';
import { expandTopicName } from '../../outputs/expandTopicName';
import { NODE_NAME } from '../../outputs/nodeTopics';
import { RemappedTransport } from '../transport/RemappedTransport';
import { ScopedTransport } from '../transport/ScopedTransport';
import { type LifecycleState, TRANSITION_RULES, type TransitionName } from './lifecycle';
import type {
  LifecycleHandlers,
  NodeHost,
  NodeLogger,
  ParameterChangeHandler,
  ParameterSpec,
  ParameterValue,
  ServiceHandle,
  ServiceHandler,
  SetParameterResult,
  TransitionOutcome,
} from './NodeHost';
import { coerceParameterValue } from './parameterValues';
import { SERVICE_DEFAULTS, type ServiceRequest, type ServiceResponse, type ServiceType } from './serviceTypes';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export interface InProcessNodeHostOptions {
  nodeName?: string;
  namespace?: string;
  /** The topics (default: a new LoopbackTransport on a ManualClock). */
  bus?: Transport;
  /** Parameter values given at start, as `-p name:=value` or a params file would give them. */
  overrides?: Readonly<Record<string, ParameterValue>>;
  /** Also write log lines here (default: keep them in `logs` only). */
  echo?: (line: LogLine) => void;
}

interface DeclaredParameter {
  spec: ParameterSpec;
  value: ParameterValue;
}

interface RegisteredService {
  type: ServiceType;
  handler: ServiceHandler<ServiceType>;
}

const USE_SIM_TIME: ParameterSpec = {
  name: 'use_sim_time',
  kind: 'bool',
  default: false,
  description: 'Use ROS time from /clock instead of the wall clock',
  readOnly: false,
};

/**
 * A node host inside this process: the rcl behaviours the node relies on (parameter declaration with
 * overrides, descriptors and read-only checks, the lifecycle state machine, name expansion of `~/` topics and
 * services) over a LoopbackTransport. Tests drive it the way `ros2 param set`, `ros2 lifecycle set` and
 * `ros2 service call` drive a real node.
 */
export class InProcessNodeHost implements NodeHost {
  readonly nodeName: string;
  readonly namespace: string;
  readonly bus: Transport;
  readonly logs: LogLine[] = [];
  readonly logger: NodeLogger;
  private readonly overrides: Readonly<Record<string, ParameterValue>>;
  private readonly parameters = new Map<string, DeclaredParameter>();
  private readonly changeHandlers: ParameterChangeHandler[] = [];
  private readonly services = new Map<string, RegisteredService>();
  private handlers: LifecycleHandlers | undefined;
  private state: LifecycleState = 'unconfigured';

  constructor(options: InProcessNodeHostOptions = {}) {
    this.nodeName = options.nodeName ?? NODE_NAME;
    this.namespace = options.namespace ?? '/';
    this.bus = options.bus ?? new LoopbackTransport();
    this.overrides = options.overrides ?? {};
    const echo = options.echo;
    const log = (level: LogLine['level']) => (message: string) => {
      const line = { level, message };
      this.logs.push(line);
      echo?.(line);
    };
    this.logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    // Like rclnodejs's TimeSource, the host declares use_sim_time itself.
    this.declareOne(USE_SIM_TIME);
  }

  get lifecycleState(): LifecycleState {
    return this.state;
  }

  get useSimTime(): boolean {
    return this.getParameter('use_sim_time') === true;
  }

  /** The fully qualified name of a topic or service as this node sees it. */
  expand(name: string): string {
    return expandTopicName(name, this.nodeName, this.namespace);
  }

  declareParameters(specs: readonly ParameterSpec[]): Map<string, ParameterValue> {
    const values = new Map<string, ParameterValue>();
    for (const spec of specs) values.set(spec.name, this.parameters.has(spec.name) ? this.getParameter(spec.name) : this.declareOne(spec));
    return values;
  }

  getParameter(name: string): ParameterValue {
    const p = this.parameters.get(name);
    if (p === undefined) throw new VlaError('CONFIG_INVALID', `parameter ${name} is not declared`, { path: name });
    return p.value;
  }

  /** The descriptor a parameter was declared with (what `ros2 param describe` shows). */
  describeParameter(name: string): ParameterSpec | undefined {
    return this.parameters.get(name)?.spec;
  }

  parameterNames(): string[] {
    return [...this.parameters.keys()].sort();
  }

  setParameter(name: string, value: ParameterValue): SetParameterResult {
    const p = this.parameters.get(name);
    if (p === undefined) return { successful: false, reason: `parameter ${name} is not declared` };
    if (p.spec.readOnly) return { successful: false, reason: `parameter ${name} is read-only` };
    const coerced = coerceParameterValue(p.spec, value);
    if (!coerced.ok) return { successful: false, reason: coerced.reason };
    for (const handler of this.changeHandlers) {
      const result = handler(name, coerced.value);
      if (!result.successful) return result;
    }
    p.value = coerced.value;
    return { successful: true, reason: '' };
  }

  onParameterChange(handler: ParameterChangeHandler): void {
    this.changeHandlers.push(handler);
  }

  openTransport(): Transport {
    return new ScopedTransport(new RemappedTransport(this.bus, (topic) => this.expand(topic)));
  }

  createService<S extends ServiceType>(type: S, name: string, handler: ServiceHandler<S>): ServiceHandle {
    const fullName = this.expand(name);
    if (this.services.has(fullName)) throw new Error(`service ${fullName} already exists`);
    this.services.set(fullName, { type, handler: handler as unknown as ServiceHandler<ServiceType> });
    return {
      name: fullName,
      close: () => {
        this.services.delete(fullName);
      },
    };
  }

  /** Fully qualified names of the services that exist now. */
  serviceNames(): string[] {
    return [...this.services.keys()].sort();
  }

  /** Calls a service as `ros2 service call` would; rejects when no such service exists. */
  async callService<S extends ServiceType>(type: S, name: string, request: ServiceRequest<S>): Promise<ServiceResponse<S>> {
    const fullName = this.expand(name);
    const service = this.services.get(fullName);
    if (service === undefined) throw new Error(`no service ${fullName}`);
    if (service.type !== type) throw new Error(`service ${fullName} has type ${service.type}, not ${type}`);
    try {
      return (await service.handler(request)) as ServiceResponse<S>;
    } catch (err) {
      this.logger.error(`service ${fullName} failed: ${describeError(err)}`);
      return { ...SERVICE_DEFAULTS[type].response } as ServiceResponse<S>;
    }
  }

  setLifecycleHandlers(handlers: LifecycleHandlers): void {
    this.handlers = handlers;
  }

  trigger(transition: TransitionName): LifecycleState {
    const rule = TRANSITION_RULES[transition];
    const start = this.state;
    if (!rule.from.includes(start)) {
      throw new VlaError('ARGUMENT_INVALID', `lifecycle transition ${transition} is not available from state ${start}`, {
        hint: `from ${start} the node accepts: ${availableTransitions(start).join(', ') || 'nothing (finalized)'}`,
      });
    }
    const outcome = this.run(() => this.callbackFor(transition, start));
    if (outcome === 'success') this.state = rule.to;
    else if (outcome === 'failure') this.state = rule.onFailure === 'start' ? start : rule.onFailure;
    else this.state = this.run(() => this.handlers?.onError(start) ?? 'success') === 'success' ? 'unconfigured' : 'finalized';
    return this.state;
  }

  private callbackFor(transition: TransitionName, start: LifecycleState): TransitionOutcome {
    const h = this.handlers;
    if (h === undefined) return 'success';
    switch (transition) {
      case 'configure':
        return h.onConfigure();
      case 'activate':
        return h.onActivate();
      case 'deactivate':
        return h.onDeactivate();
      case 'cleanup':
        return h.onCleanup();
      case 'shutdown':
        return h.onShutdown(start);
    }
  }

  /** A throwing callback is an error, as in rclnodejs (which logs it and returns ERROR). */
  private run(callback: () => TransitionOutcome): TransitionOutcome {
    try {
      return callback();
    } catch (err) {
      this.logger.error(`lifecycle callback threw: ${describeError(err)}`);
      return 'error';
    }
  }

  private declareOne(spec: ParameterSpec): ParameterValue {
    if (this.parameters.has(spec.name)) throw new Error(`parameter ${spec.name} is already declared`);
    const given = Object.prototype.hasOwnProperty.call(this.overrides, spec.name) ? this.overrides[spec.name] : spec.default;
    const coerced = coerceParameterValue(spec, given);
    if (!coerced.ok) {
      throw new VlaError('CONFIG_INVALID', coerced.reason, { path: spec.name, hint: spec.additionalConstraints ?? spec.description });
    }
    this.parameters.set(spec.name, { spec, value: coerced.value });
    return coerced.value;
  }
}

export function availableTransitions(state: LifecycleState): TransitionName[] {
  return (Object.keys(TRANSITION_RULES) as TransitionName[]).filter((t) => TRANSITION_RULES[t].from.includes(state));
}
