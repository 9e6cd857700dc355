import { VlaError } from '../errors';
import type { BridgeFactory } from './node/BridgeRuntime';
import { pipelineBridgeFactory } from './node/PipelineBridge';
import { VlaBridgeNode } from './node/VlaBridgeNode';
import { loadRclnodejs } from './rclnodejs/loadRclnodejs';
import type { Rclnodejs } from './rclnodejs/rclnodejsApi';
import { RclNodeHost } from './rclnodejs/RclNodeHost';

export const NODE_NAME = 'vla_bridge';

/** Wall time a Ctrl-C waits for the controlled stop and shutdown before the node exits anyway, ms. */
const SHUTDOWN_LIMIT_MS = 5000;

export interface RunNodeOptions {
  /** The ROS arguments (`--ros-args ...`), as rcl parses them: remappings, -p, --params-file, --log-level. */
  rosArgs: readonly string[];
  /** String parameters given on the command line (--embodiment, --policy, --instruction); they win over -p. */
  parameters?: Readonly<Record<string, string>>;
  /** Builds the pipeline (default: the policy runtime, safety layer and control loop). */
  createBridge?: BridgeFactory;
  /** Default: loadRclnodejs (ROS_UNAVAILABLE without a sourced ROS 2). */
  loadRcl?: () => Rclnodejs;
  /** Resolves when the node should end (default: SIGINT or SIGTERM). */
  until?: Promise<unknown>;
  /** Where progress lines go (the node's own logs go through rclnodejs). */
  log?: (line: string) => void;
}

/**
 * Runs the vla_bridge lifecycle node until SIGINT/SIGTERM: rclnodejs init with the ROS arguments, the node with
 * its parameters, lifecycle callbacks and topics, then on a signal a controlled stop, shutdown and exit.
 */
export async function runNode(options: RunNodeOptions): Promise<void> {
  const rcl = (options.loadRcl ?? loadRclnodejs)();
  try {
    await rcl.init(undefined, ['vla-bridge', ...options.rosArgs]);
  } catch (err) {
    throw new VlaError('ARGUMENT_INVALID', `rclnodejs could not start with the ROS arguments ${JSON.stringify(options.rosArgs.join(' '))}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'check the arguments after --ros-args (e.g. -p name:=value, -r from:=to, --params-file FILE)',
      cause: err,
    });
  }
  // rclnodejs's own SIGINT handler tears everything down at once; the node stops the arm first.
  rcl.removeSignalHandlers();
  const nodeOptions = new rcl.NodeOptions();
  nodeOptions.parameterOverrides = Object.entries(options.parameters ?? {}).map(([name, value]) => new rcl.Parameter(name, rcl.ParameterType.PARAMETER_STRING, value));
  const rclNode = rcl.createLifecycleNode(NODE_NAME, '', undefined, nodeOptions);
  let node: VlaBridgeNode | undefined;
  try {
    const host = new RclNodeHost(rcl, rclNode);
    node = new VlaBridgeNode({ host, createBridge: options.createBridge ?? pipelineBridgeFactory() });
    node.start();
    rclNode.spin();
    await (options.until ?? signalled());
    options.log?.('vla_bridge: stopping (controlled stop, then shutdown)');
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), SHUTDOWN_LIMIT_MS)));
    const outcome = await Promise.race([node.dispose().then(() => 'done' as const), limit]);
    if (timer !== undefined) clearTimeout(timer);
    if (outcome === 'timeout') options.log?.(`vla_bridge: the stop did not finish within ${SHUTDOWN_LIMIT_MS / 1000} s (is the clock still running?); exiting`);
  } finally {
    rclNode.destroy();
    if (!rcl.isShutdown()) rcl.shutdown();
  }
}

function signalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
