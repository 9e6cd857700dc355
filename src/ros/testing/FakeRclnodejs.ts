import { expandTopicName } from '../transport/expandTopicName';
import type {
  RclClient,
  RclEntityOptions,
  RclLifecycleNode,
  RclLifecycleState,
  RclLogger,
  RclNodeOptions,
  RclParameter,
  RclParameterDescriptor,
  RclPublisher,
  RclRange,
  RclService,
  RclServiceResponse,
  RclSetParametersResult,
  RclSubscription,
  RclTransitionCallback,
  Rclnodejs,
} from '../rclnodejs/rclnodejsApi';

/**
 * An in-memory stand-in for the parts of rclnodejs 2.2.0 that src/ros/rclnodejs calls, written from its
 * lib/*.js: parameters (integers as bigint, overrides from `-p` and NodeOptions, descriptors with read-only and
 * ranges, set-parameter callbacks also run while declaring), the lifecycle state machine with synchronous
 * callbacks and return codes 97/98/99, topics delivered only to spinning nodes with reliable/best-effort
 * matching, and services. It lets the adapters' own logic be tested without ROS; the contract tests check the
 * same behaviour against the real rclnodejs on a machine with ROS 2.
 */

const PT = {
  PARAMETER_NOT_SET: 0,
  PARAMETER_BOOL: 1,
  PARAMETER_INTEGER: 2,
  PARAMETER_DOUBLE: 3,
  PARAMETER_STRING: 4,
  PARAMETER_BYTE_ARRAY: 5,
  PARAMETER_BOOL_ARRAY: 6,
  PARAMETER_INTEGER_ARRAY: 7,
  PARAMETER_DOUBLE_ARRAY: 8,
  PARAMETER_STRING_ARRAY: 9,
} as const;

const CODES = { SUCCESS: 97, FAILURE: 98, ERROR: 99 } as const;
const PROFILES = { profileDefault: 'qos_profile_default', profileSensorData: 'qos_profile_sensor_data', profileServicesDefault: 'qos_profile_services_default' } as const;

class FakeParameter implements RclParameter {
  readonly name: string;
  readonly type: number;
  value: unknown;

  constructor(name: string, type: number, value?: unknown) {
    this.name = name;
    this.type = type;
    this.value = type === PT.PARAMETER_INTEGER ? BigInt(value as number | bigint) : value;
    const ok =
      (type === PT.PARAMETER_BOOL && typeof this.value === 'boolean') ||
      (type === PT.PARAMETER_INTEGER && typeof this.value === 'bigint') ||
      (type === PT.PARAMETER_DOUBLE && typeof this.value === 'number') ||
      (type === PT.PARAMETER_STRING && typeof this.value === 'string');
    if (!ok) throw new TypeError(`parameter ${name}: value ${String(value)} does not fit type ${type}`);
  }
}

/** Like rclnodejs's ranges, the step defaults to 1: a value between steps is out of range unless step is 0. */
class FakeRange {
  constructor(
    readonly fromValue: number | bigint,
    readonly toValue: number | bigint,
    readonly step: number | bigint = 1,
  ) {}

  inRange(value: number): boolean {
    const from = Number(this.fromValue);
    const to = Number(this.toValue);
    if (value < from - 1e-6 || value > to + 1e-6) return false;
    const step = Number(this.step);
    return step === 0 || Math.abs(from + Math.round((value - from) / step) * step - value) < 1e-6;
  }
}

class FakeDescriptor implements RclParameterDescriptor {
  additionalConstraints = '';
  constructor(
    readonly name: string,
    readonly type: number,
    readonly description = '',
    readonly readOnly = false,
    readonly range: RclRange | null = null,
  ) {}

  problem(p: RclParameter): string | undefined {
    if (p.type !== this.type) return `Parameter ${p.name} type mismatch: expected ${this.type}, got ${p.type}`;
    const r = this.range as FakeRange | null;
    if (r !== null && !r.inRange(Number(p.value))) return `Parameter ${p.name} out of range`;
    return undefined;
  }
}

interface Sub {
  node: FakeNode;
  topic: string;
  type: string;
  bestEffort: boolean;
  callback: (msg: unknown) => void;
  handle: RclSubscription;
}

interface Srv {
  type: string;
  callback: (request: Record<string, unknown>, response: RclServiceResponse) => void;
  handle: RclService;
}

/** What every fake node shares: the topics and services of the fake ROS graph. */
class Graph {
  readonly subscriptions = new Set<Sub>();
  readonly services = new Map<string, Srv>();
}

export interface FakeLogLine {
  node: string;
  level: string;
  message: string;
}

function parseParamValue(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+$/.test(text)) return BigInt(text);
  if (/^-?\d*\.\d+(e-?\d+)?$/i.test(text)) return Number(text);
  return text.replace(/^(['"])(.*)\1$/, '$2');
}

function typeOfValue(value: unknown): number {
  return typeof value === 'boolean' ? PT.PARAMETER_BOOL : typeof value === 'bigint' ? PT.PARAMETER_INTEGER : typeof value === 'number' ? PT.PARAMETER_DOUBLE : PT.PARAMETER_STRING;
}

export class FakeNode {
  readonly graph: Graph;
  readonly nodeName: string;
  readonly ns: string;
  readonly logs: FakeLogLine[];
  spinning = false;
  destroyed = false;
  readonly publishers = new Set<RclPublisher>();
  protected readonly overrides = new Map<string, RclParameter>();
  private readonly parameters = new Map<string, RclParameter>();
  private readonly descriptors = new Map<string, FakeDescriptor>();
  private readonly callbacks: ((p: RclParameter[]) => RclSetParametersResult)[] = [];
  private readonly subs = new Set<Sub>();
  private readonly srvs = new Set<string>();

  constructor(graph: Graph, name: string, ns: string, globalOverrides: ReadonlyMap<string, RclParameter>, options: RclNodeOptions | undefined, logs: FakeLogLine[]) {
    this.graph = graph;
    this.nodeName = name;
    this.ns = ns === '' ? '/' : ns;
    this.logs = logs;
    for (const [k, v] of globalOverrides) this.overrides.set(k, v);
    for (const p of options?.parameterOverrides ?? []) this.overrides.set(p.name, p);
    // Like rclnodejs's TimeSource.
    this.declareParameter(new FakeParameter('use_sim_time', PT.PARAMETER_BOOL, false));
  }

  name(): string {
    return this.nodeName;
  }
  namespace(): string {
    return this.ns;
  }
  getFullyQualifiedName(): string {
    return expandTopicName('~', this.nodeName, this.ns);
  }
  getLogger(): RclLogger {
    const log = (level: string) => (message: string) => (this.logs.push({ node: this.nodeName, level, message }), true);
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), fatal: log('fatal') };
  }
  spin(): void {
    this.spinning = true;
  }
  destroy(): void {
    this.destroyed = true;
    for (const s of this.subs) this.graph.subscriptions.delete(s);
    for (const name of this.srvs) this.graph.services.delete(name);
  }

  createPublisher(typeClass: string, topic: string, options: RclEntityOptions = {}): RclPublisher {
    const bestEffort = this.profile(options) === PROFILES.profileSensorData;
    const full = expandTopicName(topic, this.nodeName, this.ns);
    const publisher: RclPublisher = {
      topic: full,
      publish: (message: object) => {
        if (!this.publishers.has(publisher)) throw new Error(`publisher on ${full} was destroyed`);
        for (const sub of this.graph.subscriptions) {
          if (sub.topic !== full || sub.type !== typeClass) continue;
          // A reliable subscription does not match a best-effort publisher.
          if (bestEffort && !sub.bestEffort) continue;
          const copy = structuredClone(message);
          setImmediate(() => {
            if (sub.node.spinning && !sub.node.destroyed && this.graph.subscriptions.has(sub)) sub.callback(copy);
          });
        }
      },
    };
    this.publishers.add(publisher);
    return publisher;
  }

  createSubscription(typeClass: string, topic: string, options: RclEntityOptions, callback: (message: unknown) => void): RclSubscription {
    const handle: RclSubscription = { topic: expandTopicName(topic, this.nodeName, this.ns) };
    const sub: Sub = { node: this, topic: handle.topic, type: typeClass, bestEffort: this.profile(options) === PROFILES.profileSensorData, callback, handle };
    this.subs.add(sub);
    this.graph.subscriptions.add(sub);
    return handle;
  }

  destroyPublisher(publisher: RclPublisher): void {
    this.publishers.delete(publisher);
  }

  destroySubscription(subscription: RclSubscription): void {
    for (const sub of this.subs) {
      if (sub.handle !== subscription) continue;
      this.subs.delete(sub);
      this.graph.subscriptions.delete(sub);
    }
  }

  createService(typeClass: string, serviceName: string, _options: RclEntityOptions, callback: Srv['callback']): RclService {
    const name = expandTopicName(serviceName, this.nodeName, this.ns);
    if (this.graph.services.has(name)) throw new Error(`service ${name} exists`);
    const handle: RclService = { serviceName: name };
    this.graph.services.set(name, { type: typeClass, callback, handle });
    this.srvs.add(name);
    return handle;
  }

  destroyService(service: RclService): void {
    this.graph.services.delete(service.serviceName);
    this.srvs.delete(service.serviceName);
  }

  createClient(typeClass: string, serviceName: string): RclClient {
    const name = expandTopicName(serviceName, this.nodeName, this.ns);
    return {
      waitForService: async () => this.graph.services.get(name)?.type === typeClass,
      sendRequestAsync: (request: object) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const srv = this.graph.services.get(name);
          if (srv === undefined) return reject(new Error(`no service ${name}`));
          srv.callback(structuredClone(request) as Record<string, unknown>, { template: {}, send: (response) => resolve(structuredClone(response) as Record<string, unknown>) });
        }),
    };
  }

  destroyClient(): void {}

  declareParameter(parameter: RclParameter, descriptor?: RclParameterDescriptor, ignoreOverride = false): RclParameter {
    const p = !ignoreOverride && this.overrides.has(parameter.name) ? this.overrides.get(parameter.name)! : parameter;
    if (this.parameters.has(p.name)) throw new Error(`Parameter(${p.name}) already declared.`);
    const d = (descriptor as FakeDescriptor | undefined) ?? new FakeDescriptor(p.name, p.type);
    const problem = d.problem(p);
    if (problem !== undefined) throw new Error(problem);
    this.descriptors.set(p.name, d);
    for (const cb of this.callbacks) {
      const result = cb([p]);
      if (!result.successful) {
        this.descriptors.delete(p.name);
        throw new Error(result.reason);
      }
    }
    this.parameters.set(p.name, p);
    return p;
  }

  hasParameter(name: string): boolean {
    return this.parameters.has(name);
  }

  getParameter(name: string): RclParameter {
    const p = this.parameters.get(name);
    if (p === undefined) throw new Error(`parameter ${name} not declared`);
    return p;
  }

  getParameterOverrides(): RclParameter[] {
    return [...this.overrides.values()];
  }

  setParameter(parameter: RclParameter): RclSetParametersResult {
    const d = this.descriptors.get(parameter.name);
    if (d === undefined) return { successful: false, reason: `Parameter ${parameter.name} has not been declared` };
    if (d.readOnly) return { successful: false, reason: `Parameter ${parameter.name} is readonly` };
    const problem = d.problem(parameter);
    if (problem !== undefined) return { successful: false, reason: problem };
    for (const cb of this.callbacks) {
      const result = cb([parameter]);
      if (!result.successful) return result;
    }
    this.parameters.set(parameter.name, parameter);
    return { successful: true, reason: '' };
  }

  addOnSetParametersCallback(callback: (parameters: RclParameter[]) => RclSetParametersResult): void {
    this.callbacks.push(callback);
  }

  private profile(options: RclEntityOptions): string {
    const qos = options.qos ?? PROFILES.profileDefault;
    if (typeof qos !== 'string' || !(Object.values(PROFILES) as string[]).includes(qos)) throw new Error(`unknown QoS profile ${String(qos)}`);
    return qos;
  }
}

type Primary = 'unconfigured' | 'inactive' | 'active' | 'finalized';
const IDS: Record<string, number> = { unconfigured: 1, inactive: 2, active: 3, finalized: 4, configuring: 10, cleaningup: 11, shuttingdown: 12, activating: 13, deactivating: 14, errorprocessing: 15 };
const RULES: Record<string, { from: Primary[]; via: string; to: Primary; fail: Primary | 'start' }> = {
  configure: { from: ['unconfigured'], via: 'configuring', to: 'inactive', fail: 'start' },
  activate: { from: ['inactive'], via: 'activating', to: 'active', fail: 'start' },
  deactivate: { from: ['active'], via: 'deactivating', to: 'inactive', fail: 'start' },
  cleanup: { from: ['inactive'], via: 'cleaningup', to: 'unconfigured', fail: 'start' },
  shutdown: { from: ['unconfigured', 'inactive', 'active'], via: 'shuttingdown', to: 'finalized', fail: 'finalized' },
};

export class FakeLifecycleNode extends FakeNode implements RclLifecycleNode {
  private label = 'unconfigured';
  private readonly transitionCallbacks = new Map<string, RclTransitionCallback>();

  get currentState(): RclLifecycleState {
    return { id: IDS[this.label]!, label: this.label };
  }

  registerOnConfigure(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('configuring', cb);
  }
  registerOnActivate(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('activating', cb);
  }
  registerOnDeactivate(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('deactivating', cb);
  }
  registerOnCleanup(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('cleaningup', cb);
  }
  registerOnShutdown(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('shuttingdown', cb);
  }
  registerOnError(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('errorprocessing', cb);
  }

  configure(): RclLifecycleState {
    return this.change('configure');
  }
  activate(): RclLifecycleState {
    return this.change('activate');
  }
  deactivate(): RclLifecycleState {
    return this.change('deactivate');
  }
  cleanup(): RclLifecycleState {
    return this.change('cleanup');
  }
  shutdown(): RclLifecycleState {
    return this.change('shutdown');
  }

  private change(transition: string): RclLifecycleState {
    const rule = RULES[transition]!;
    const start = this.label as Primary;
    if (!rule.from.includes(start)) throw new Error(`No transition available from state ${transition}`);
    const previous = { ...this.currentState };
    this.label = rule.via;
    const code = this.run(rule.via, previous);
    if (code === CODES.SUCCESS) this.label = rule.to;
    else if (code === CODES.FAILURE) this.label = rule.fail === 'start' ? start : rule.fail;
    else {
      this.label = 'errorprocessing';
      this.label = this.run('errorprocessing', previous) === CODES.SUCCESS ? 'unconfigured' : 'finalized';
    }
    return this.currentState;
  }

  private run(state: string, previous: RclLifecycleState): number {
    const cb = this.transitionCallbacks.get(state);
    if (cb === undefined) return CODES.SUCCESS;
    try {
      return cb(previous);
    } catch {
      return CODES.ERROR;
    }
  }
}

/** The module object. `nodes` lists every node created, for assertions. */
export class FakeRclnodejs implements Rclnodejs {
  readonly graph = new Graph();
  readonly logs: FakeLogLine[] = [];
  readonly nodes: FakeNode[] = [];
  initArgv: string[] | undefined;
  signalHandlersRemoved = false;
  private shut = true;
  private readonly globalOverrides = new Map<string, RclParameter>();
  private nodeNameRemap: string | undefined;

  readonly NodeOptions = class implements RclNodeOptions {
    parameterOverrides: RclParameter[] = [];
  };
  readonly Parameter = FakeParameter;
  readonly ParameterDescriptor = FakeDescriptor;
  readonly FloatingPointRange = FakeRange;
  readonly IntegerRange = FakeRange;
  readonly ParameterType = PT;
  readonly QoS = PROFILES;
  readonly lifecycle = { CallbackReturnCode: CODES };

  async init(_context?: unknown, argv: string[] = []): Promise<void> {
    if (!this.shut) throw new Error('The context has already been initialized.');
    this.initArgv = argv;
    this.shut = false;
    const start = argv.indexOf('--ros-args');
    const args = start < 0 ? [] : argv.slice(start + 1);
    for (let i = 0; i < args.length; i++) {
      const flag = args[i];
      const value = args[i + 1] ?? '';
      if (flag === '-p' || flag === '--param') {
        const [name, text] = value.split(':=') as [string, string | undefined];
        if (text === undefined) throw new Error(`Couldn't parse parameter override rule: '${value}'`);
        const v = parseParamValue(text);
        this.globalOverrides.set(name, new FakeParameter(name, typeOfValue(v), v));
        i++;
      } else if (flag === '-r' || flag === '--remap') {
        const [from, to] = value.split(':=');
        if (from === '__node' && to !== undefined) this.nodeNameRemap = to;
        i++;
      } else if (flag === '--log-level') {
        i++;
      } else if (flag === '--') {
        break;
      } else {
        throw new Error(`Couldn't parse argument '${flag}'`);
      }
    }
  }

  shutdown(): void {
    if (this.shut) throw new Error('context is not initialized');
    this.shut = true;
    for (const node of this.nodes) node.destroy();
  }

  isShutdown(): boolean {
    return this.shut;
  }

  removeSignalHandlers(): void {
    this.signalHandlersRemoved = true;
  }

  createNode(nodeName: string, namespace = '', _context?: unknown, options?: RclNodeOptions): FakeNode {
    this.assertInit();
    const node = new FakeNode(this.graph, this.nodeNameRemap ?? nodeName, namespace, this.globalOverrides, options, this.logs);
    this.nodes.push(node);
    return node;
  }

  createLifecycleNode(nodeName: string, namespace = '', _context?: unknown, options?: RclNodeOptions): FakeLifecycleNode {
    this.assertInit();
    const node = new FakeLifecycleNode(this.graph, this.nodeNameRemap ?? nodeName, namespace, this.globalOverrides, options, this.logs);
    this.nodes.push(node);
    return node;
  }

  private assertInit(): void {
    if (this.shut) throw new Error('rclnodejs is not initialized');
  }
}
