import { expandTopicName } from '../../../src/outputs/expandTopicName';
import type {
  RclClient,
  RclEntityOptions,
  RclNodeOptions,
  RclParameter,
  RclParameterDescriptor,
  RclPublisher,
  RclService,
  RclServiceResponse,
  RclSetParametersResult,
  RclSubscription,
  RclLogger,
  RclTimeSource,
} from '../../../src/ros/rclnodejs/rclnodejsApi';
import { type DescriptorMsg, FakeDescriptor, FakeParameter, PT } from './fakeRclParameters';

export const PROFILES = {
  profileDefault: 'qos_profile_default',
  profileSensorData: 'qos_profile_sensor_data',
  profileServicesDefault: 'qos_profile_services_default',
} as const;

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
export class Graph {
  readonly subscriptions = new Set<Sub>();
  readonly services = new Map<string, Srv>();
  /**
   * What a publisher reports when it meets a subscription it cannot serve (rosbag2's "New subscription
   * discovered on topic '/clock', requesting incompatible QoS. No messages will be sent to it. Last incompatible
   * policy: RELIABILITY"): a reliable subscription and a best-effort publisher.
   */
  readonly qosWarnings: string[] = [];
}

/**
 * rclnodejs's TimeSource (lib/time_source.js): with use_sim_time true (at construction or set later) it
 * subscribes to /clock itself, with the default QoS (reliable), and feeds the node's ROS clock.
 */
class FakeTimeSource implements RclTimeSource {
  _clockSubscription?: RclSubscription;
  /** The last /clock time received, s (rclnodejs's _lastTimeSet). */
  lastTimeS = 0;

  constructor(private readonly node: FakeNode) {}

  set active(enabled: boolean) {
    if (enabled && this._clockSubscription === undefined) {
      this._clockSubscription = this.node.createSubscription('rosgraph_msgs/msg/Clock', '/clock', {}, (msg) => this._clockCallback(msg));
    } else if (!enabled && this._clockSubscription !== undefined) {
      this.node.destroySubscription(this._clockSubscription);
      this._clockSubscription = undefined;
    }
  }

  _clockCallback(message: unknown): void {
    const { sec, nanosec } = (message as { clock: { sec: number; nanosec: number } }).clock;
    this.lastTimeS = sec + nanosec * 1e-9;
  }
}

export interface FakeLogLine {
  node: string;
  level: string;
  message: string;
}

export class FakeNode {
  readonly graph: Graph;
  readonly context: { readonly handle: object };
  readonly _timeSource: FakeTimeSource;
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

  /**
   * `cliOverrides` are what rclnodejs's Node._getNativeParameterOverrides finds among rcl's rules for this node:
   * only those under `/**` and under the bare node name (FakeRclnodejs computes them).
   */
  constructor(
    graph: Graph,
    context: { readonly handle: object },
    name: string,
    ns: string,
    cliOverrides: ReadonlyMap<string, RclParameter>,
    options: RclNodeOptions | undefined,
    logs: FakeLogLine[],
  ) {
    this.graph = graph;
    this.context = context;
    this.nodeName = name;
    this.ns = ns === '' ? '/' : ns;
    this.logs = logs;
    for (const [k, v] of cliOverrides) this.overrides.set(k, v);
    for (const p of options?.parameterOverrides ?? []) this.overrides.set(p.name, p);
    this._timeSource = new FakeTimeSource(this);
    this.declareParameter(new FakeParameter('use_sim_time', PT.PARAMETER_BOOL, false));
    this._timeSource.active = this.getParameter('use_sim_time').value === true;
    this.addOnSetParametersCallback((parameters) => {
      const simTime = parameters.find((p) => p.name === 'use_sim_time');
      if (simTime !== undefined) this._timeSource.active = simTime.value === true;
      return { successful: true, reason: '' };
    });
    // rclnodejs's ParameterService (the node's parameter services); here the one `ros2 param describe` calls.
    const describe = expandTopicName('~/describe_parameters', this.nodeName, this.ns);
    if (!graph.services.has(describe)) {
      this.createService('rcl_interfaces/srv/DescribeParameters', describe, {}, (request, response) =>
        response.send({ descriptors: this.describeParameters((request as { names: string[] }).names) }),
      );
    }
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
          if (bestEffort && !sub.bestEffort) {
            const warning =
              `New subscription discovered on topic '${full}', requesting incompatible ` +
              `QoS. No messages will be sent to it. Last incompatible policy: RELIABILITY`;
            if (!this.graph.qosWarnings.includes(warning)) this.graph.qosWarnings.push(warning);
            continue;
          }
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
    const sub: Sub = {
      node: this,
      topic: handle.topic,
      type: typeClass,
      bestEffort: this.profile(options) === PROFILES.profileSensorData,
      callback,
      handle,
    };
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
          srv.callback(structuredClone(request) as Record<string, unknown>, {
            template: {},
            send: (response) => resolve(structuredClone(response) as Record<string, unknown>),
          });
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

  /** Like rclnodejs, a later callback runs first (unshift). */
  addOnSetParametersCallback(callback: (parameters: RclParameter[]) => RclSetParametersResult): void {
    this.callbacks.unshift(callback);
  }

  /** What the node's ~/describe_parameters service answers (`ros2 param describe`). */
  describeParameters(names: readonly string[]): DescriptorMsg[] {
    return names.flatMap((name) => this.descriptors.get(name)?.toMessage() ?? []);
  }

  private profile(options: RclEntityOptions): string {
    const qos = options.qos ?? PROFILES.profileDefault;
    if (typeof qos !== 'string' || !(Object.values(PROFILES) as string[]).includes(qos))
      throw new Error(`unknown QoS profile ${String(qos)}`);
    return qos;
  }
}
