import { describeError, VlaError } from '../errors';
import { NODE_NAME } from '../outputs/nodeTopics';
import type { BridgeFactory } from './node/BridgeRuntime';
import { pipelineBridgeFactory } from './node/PipelineBridge';
import { VlaBridgeNode } from './node/VlaBridgeNode';
import { loadRclnodejs, loadRclnodejsNative } from './rclnodejs/loadRclnodejs';
import type { RclNative, Rclnodejs } from './rclnodejs/rclnodejsApi';
import { RclNodeHost } from './rclnodejs/RclNodeHost';
import { StopSignals } from './StopSignals';

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
  /** rclnodejs's native addon, for the parameter rules rcl parsed (default: loadRclnodejsNative). */
  loadNative?: () => RclNative;
  /** Resolves when the node should end (default: the first SIGINT or SIGTERM). */
  until?: Promise<unknown>;
  /** Where progress lines go (the node's own logs go through rclnodejs). */
  log?: (line: string) => void;
}

/**
 * Runs the vla_bridge lifecycle node until SIGINT/SIGTERM: rclnodejs init with the ROS arguments, the node with
 * its parameters, lifecycle callbacks and topics, then on a signal a controlled stop, shutdown and exit. Later
 * signals (a second Ctrl-C, launch's SIGTERM escalation) do not interrupt the stop: it ends within its limit.
 */
export async function runNode(options: RunNodeOptions): Promise<void> {
  const rcl = (options.loadRcl ?? loadRclnodejs)();
  const native = (options.loadNative ?? loadRclnodejsNative)();
  const signals = options.until === undefined ? new StopSignals(options.log) : undefined;
  try {
    await rcl.init(undefined, ['vla-bridge', ...options.rosArgs]);
  } catch (err) {
    signals?.close();
    throw new VlaError(
      'ARGUMENT_INVALID',
      `rclnodejs could not start with the ROS arguments ${JSON.stringify(options.rosArgs.join(' '))}: ${describeError(err)}`,
      {
        hint: 'check the arguments after --ros-args (e.g. -p name:=value, -r from:=to, --params-file FILE)',
        cause: err,
      },
    );
  }
  // rclnodejs's own SIGINT handler tears everything down at once; the node stops the arm first.
  rcl.removeSignalHandlers();
  let rclNode: { destroy(): void } | undefined;
  try {
    const created = RclNodeHost.create({ rcl, native, nodeName: NODE_NAME, overrides: options.parameters ?? {} });
    rclNode = created.node;
    const node = new VlaBridgeNode({ host: created.host, createBridge: options.createBridge ?? pipelineBridgeFactory() });
    node.start();
    created.node.spin();
    await (options.until ?? signals!.first);
    options.log?.('vla_bridge: stopping (controlled stop, then shutdown)');
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), SHUTDOWN_LIMIT_MS)));
    const outcome = Promise.race([node.dispose().then(() => 'done' as const), limit]);
    const carried = await created.host.carryStoppedClock(outcome);
    if (carried === 'stopped') {
      options.log?.("vla_bridge: /clock has stopped (the bag has ended?); the stop ran on the node's own ROS time from the last /clock");
    } else if (carried === 'absent') {
      options.log?.(
        'vla_bridge: no /clock ever arrived (use_sim_time is true: start the simulator or `ros2 bag play --clock`); ' +
          "the stop ran on the node's own ROS time",
      );
    }
    const finished = await outcome;
    if (timer !== undefined) clearTimeout(timer);
    if (finished === 'timeout') options.log?.(`vla_bridge: the stop did not finish within ${SHUTDOWN_LIMIT_MS / 1000} s; exiting`);
  } finally {
    rclNode?.destroy();
    if (!rcl.isShutdown()) rcl.shutdown();
    signals?.close();
  }
}
