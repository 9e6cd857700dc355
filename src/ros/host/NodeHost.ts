import type { Transport } from '../../transport/Transport';
import type { LifecycleState, TransitionName } from './lifecycle';
import type { ServiceRequest, ServiceResponse, ServiceType } from './serviceTypes';

/**
 * What a ROS 2 node offers beyond topics (which go through `Transport`): parameters with descriptors, services,
 * lifecycle transitions and logging. Two implementations: `RclNodeHost` (rclnodejs, live) and
 * `InProcessNodeHost` (tests and in-process wiring). The node's logic (`VlaBridgeNode`) is written against this
 * interface and `Transport` only, so its wiring is tested without ROS.
 */

export type ParameterKind = 'bool' | 'integer' | 'double' | 'string';
export type ParameterValue = boolean | number | string;

/** A parameter declared with its descriptor (rcl_interfaces/ParameterDescriptor). */
export interface ParameterSpec {
  name: string;
  kind: ParameterKind;
  default: ParameterValue;
  description: string;
  /** Read-only parameters take their value at start (command line, launch file, params file) only. */
  readOnly: boolean;
  /** Inclusive range for integer and double parameters. */
  range?: { from: number; to: number };
  /** Extra constraints for a person, e.g. "a shipped embodiment name or a YAML path". */
  additionalConstraints?: string;
}

/** The answer of a parameter change callback (rcl_interfaces/SetParametersResult). */
export interface SetParameterResult {
  successful: boolean;
  reason: string;
}

/** Called before a parameter changes at run time; refusing keeps the old value. */
export type ParameterChangeHandler = (name: string, value: ParameterValue) => SetParameterResult;

export type TransitionOutcome = 'success' | 'failure' | 'error';

/**
 * Called during a lifecycle transition, synchronously (rclnodejs needs the outcome at once). `failure` keeps
 * the node in its start state; `error` runs `onError`.
 */
export interface LifecycleHandlers {
  onConfigure(): TransitionOutcome;
  onActivate(): TransitionOutcome;
  onDeactivate(): TransitionOutcome;
  onCleanup(): TransitionOutcome;
  onShutdown(from: LifecycleState): TransitionOutcome;
  /** After a callback returned `error` or threw: `success` goes to unconfigured, else to finalized. */
  onError(from: LifecycleState): TransitionOutcome;
}

export interface NodeLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Answers a service request; may be async. A throw answers with the response type's defaults and is logged. */
export type ServiceHandler<S extends ServiceType> = (request: ServiceRequest<S>) => ServiceResponse<S> | Promise<ServiceResponse<S>>;

export interface ServiceHandle {
  readonly name: string;
  close(): void;
}

export interface NodeHost {
  /** The node's name (`vla_bridge` unless remapped). */
  readonly nodeName: string;
  readonly logger: NodeLogger;
  readonly lifecycleState: LifecycleState;
  /** True when ROS time (`use_sim_time`) drives the node's clock. */
  readonly useSimTime: boolean;

  /**
   * Declares parameters with their descriptors and returns their values (overrides from the command line,
   * launch file or params file applied). A parameter the host declared itself (use_sim_time) is read, not
   * declared again. An override of the wrong type is a CONFIG_INVALID error naming the parameter.
   */
  declareParameters(specs: readonly ParameterSpec[]): Map<string, ParameterValue>;
  getParameter(name: string): ParameterValue;
  /** Sets a parameter as `ros2 param set` would (read-only and range checks, then the change handler). */
  setParameter(name: string, value: ParameterValue): SetParameterResult;
  onParameterChange(handler: ParameterChangeHandler): void;

  /** A topic scope of its own: closing it releases its subscriptions and publishers, not the node's. */
  openTransport(): Transport;

  createService<S extends ServiceType>(type: S, name: string, handler: ServiceHandler<S>): ServiceHandle;

  setLifecycleHandlers(handlers: LifecycleHandlers): void;
  /** Runs a transition as `ros2 lifecycle set` would; returns the state reached. Refused transitions throw. */
  trigger(transition: TransitionName): LifecycleState;
}
