/** The ROS 2 node: its logic, the node hosts (rclnodejs and in-process), the ROS transport and the package's messages. */
export { VlaBridgeNode, type VlaBridgeNodeOptions } from './node/VlaBridgeNode';
export { NODE_PARAMETERS, type NodeParameters } from './node/nodeParameters';
export type {
  BridgeFactory,
  BridgeListeners,
  BridgeRuntime,
  BridgeSettings,
  BridgeStats,
  BridgeTick,
  ResetOutcome,
} from './node/BridgeRuntime';
export { PipelineBridge, pipelineBridgeFactory, type PipelineBridgeDeps } from './node/PipelineBridge';
export type { NodeHost, NodeLogger, ParameterSpec, ParameterValue, LifecycleHandlers, TransitionOutcome } from './host/NodeHost';
export { InProcessNodeHost, type InProcessNodeHostOptions } from './host/InProcessNodeHost';
export { type LifecycleState, type TransitionName, LIFECYCLE_STATE_IDS } from './host/lifecycle';
export { RosTransport } from './rclnodejs/RosTransport';
export { RclNodeHost } from './rclnodejs/RclNodeHost';
export { loadRclnodejs, RCLNODEJS_VERSION } from './rclnodejs/loadRclnodejs';
export { runNode, type RunNodeOptions } from './runNode';
