import type { RclNative, RclNodeOptions, RclParameter, Rclnodejs } from '../../../src/ros/rclnodejs/rclnodejsApi';
import { CODES, FakeLifecycleNode } from './FakeLifecycleNode';
import { type FakeLogLine, FakeNode, Graph, PROFILES } from './FakeNode';
import { FakeDescriptor, FakeParameter, FakeParameterRules, FakeRange, PT } from './fakeRclParameters';

export { FakeLifecycleNode } from './FakeLifecycleNode';
export { FakeNode, type FakeLogLine } from './FakeNode';

/**
 * An in-memory stand-in for the parts of rclnodejs 2.2.0 that src/ros/rclnodejs calls, written from its
 * lib/*.js: parameters (integers as bigint, overrides from `-p`, `--params-file` and NodeOptions, found only under
 * `/**` and the bare node name as Node._getNativeParameterOverrides does, while its native addon hands over
 * every rule rcl parsed), descriptors with read-only and ranges (and toMessage() reading `_rangeConstraint`),
 * set-parameter callbacks also run while declaring, a TimeSource that subscribes to /clock as reliable with
 * use_sim_time, the lifecycle state machine with synchronous callbacks and return codes 97/98/99, topics
 * delivered only to spinning nodes with reliable/best-effort matching (and rosbag2's QoS warning), and services.
 * It lets the adapters' own logic be tested without ROS; the contract tests check the same behaviour against
 * the real rclnodejs on a machine with ROS 2.
 */
/** The module object. `nodes` lists every node created, for assertions. */
export class FakeRclnodejs implements Rclnodejs {
  readonly graph = new Graph();
  readonly logs: FakeLogLine[] = [];
  readonly nodes: FakeNode[] = [];
  initArgv: string[] | undefined;
  signalHandlersRemoved = false;
  /** The default context (rclnodejs's Context.defaultContext()); its handle is what the native calls take. */
  readonly context = { handle: {} };
  /** The native addon: the parameter rules rcl parsed, for the context's handle. */
  readonly native: RclNative = {
    getParameterOverrides: (handle) => {
      if (handle !== this.context.handle) throw new Error('invalid context handle');
      return this.rules.toNative();
    },
  };
  private shut = true;
  private rules = new FakeParameterRules();
  private nodeNameRemap: string | undefined;
  private namespaceRemap: string | undefined;

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
    const rules = new FakeParameterRules();
    const start = argv.indexOf('--ros-args');
    const args = start < 0 ? [] : argv.slice(start + 1);
    for (let i = 0; i < args.length; i++) {
      const flag = args[i];
      const value = args[i + 1] ?? '';
      if (flag === '-p' || flag === '--param') {
        rules.addRule(value);
        i++;
      } else if (flag === '--params-file') {
        rules.addFile(value);
        i++;
      } else if (flag === '-r' || flag === '--remap') {
        const [from, to] = value.split(':=');
        if (from === '__node' && to !== undefined) this.nodeNameRemap = to;
        if (from === '__ns' && to !== undefined) this.namespaceRemap = to;
        i++;
      } else if (flag === '--log-level') {
        i++;
      } else if (flag === '--') {
        break;
      } else {
        throw new Error(`Couldn't parse argument '${flag}'`);
      }
    }
    this.rules = rules;
    this.initArgv = argv;
    this.shut = false;
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
    return this.add(new FakeNode(...this.nodeArgs(nodeName, namespace, options)));
  }

  createLifecycleNode(nodeName: string, namespace = '', _context?: unknown, options?: RclNodeOptions): FakeLifecycleNode {
    return this.add(new FakeLifecycleNode(...this.nodeArgs(nodeName, namespace, options)));
  }

  private add<N extends FakeNode>(node: N): N {
    this.nodes.push(node);
    return node;
  }

  /** What Node's constructor starts from: remapped name and namespace, and the overrides rclnodejs finds. */
  private nodeArgs(nodeName: string, namespace: string, options: RclNodeOptions | undefined): ConstructorParameters<typeof FakeNode> {
    this.assertInit();
    const name = this.nodeNameRemap ?? nodeName;
    const found = new Map<string, RclParameter>();
    for (const key of ['/**', name]) {
      const rule = this.rules.toNative()?.find((r) => r.name === key);
      for (const p of rule?.parameters ?? []) found.set(p.name, new FakeParameter(p.name, p.type, p.value));
    }
    return [this.graph, this.context, name, this.namespaceRemap ?? namespace, found, options, this.logs];
  }

  private assertInit(): void {
    if (this.shut) throw new Error('rclnodejs is not initialized');
  }
}
