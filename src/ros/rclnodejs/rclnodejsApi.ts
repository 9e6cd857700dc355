/**
 * The parts of rclnodejs 2.2.0 (pinned in package.json) that vla_bridge calls, written from its published
 * `types/*.d.ts` and `lib/*.js`. rclnodejs builds only on a machine with ROS 2, so its own typings are not
 * available here; these interfaces are the contract the ROS transport and node host are written against.
 * Nothing outside src/ros/rclnodejs may depend on them.
 *
 * Facts of that API worth knowing (they shape the code that uses it):
 * - Lifecycle transition callbacks are synchronous: `LifecycleNode._changeState` uses the callback's return
 *   value at once, so a callback cannot await anything.
 * - Integer parameters hold bigint values; a YAML `100` given for a double parameter arrives as an integer.
 * - Timer periods are bigint nanoseconds.
 * - Every Node declares `use_sim_time` itself (its TimeSource), so it must not be declared again.
 * - A subscription callback receives a plain object (typed arrays for numeric arrays); `publish` accepts one.
 * - A service callback gets `(request, response)` and answers with `response.send(plainObject)`.
 */

/** rcl_interfaces/msg/ParameterType values, as `rclnodejs.ParameterType` holds them at run time. */
export interface RclParameterTypeEnum {
  readonly PARAMETER_NOT_SET: number;
  readonly PARAMETER_BOOL: number;
  readonly PARAMETER_INTEGER: number;
  readonly PARAMETER_DOUBLE: number;
  readonly PARAMETER_STRING: number;
  readonly PARAMETER_BYTE_ARRAY: number;
  readonly PARAMETER_BOOL_ARRAY: number;
  readonly PARAMETER_INTEGER_ARRAY: number;
  readonly PARAMETER_DOUBLE_ARRAY: number;
  readonly PARAMETER_STRING_ARRAY: number;
}

export interface RclParameter {
  readonly name: string;
  readonly type: number;
  /** boolean, bigint (integer), number (double), string, or arrays of them. */
  value: unknown;
}

export type RclRange = object;

export interface RclParameterDescriptor {
  readonly name: string;
  readonly type: number;
  readonly description: string;
  readonly readOnly: boolean;
  additionalConstraints: string;
  /**
   * What `toMessage()` (and so `ros2 param describe`) reads for the range in 2.2.0, instead of the range the
   * constructor stores (`_range`): never set by rclnodejs itself, so ranges never reach describe_parameters.
   * Its enumerable fields are copied into rcl_interfaces/msg/IntegerRange or FloatingPointRange by name.
   */
  _rangeConstraint?: RclRange;
}

/**
 * One node entry of the parameter rules rcl parsed from `-p` and `--params-file` arguments
 * (rcl_arguments_get_param_overrides), as the native addon returns them: the node key as written (`/**`,
 * `vla_bridge`, `/vla_bridge`, `/*\/vla_bridge`, ...; a plain `-p name:=value` is under `/**`) and its parameters,
 * with rcl's types (integers as numbers).
 */
export interface RclParameterRule {
  readonly name: string;
  readonly parameters: readonly { readonly name: string; readonly type: number; readonly value: unknown }[];
}

/** rclnodejs's native addon (what its lib/*.js import from native_loader.js): the one call vla_bridge makes. */
export interface RclNative {
  getParameterOverrides(contextHandle: unknown): RclParameterRule[] | undefined;
}

/** rclnodejs's TimeSource (lib/time_source.js): what feeds the node's ROS clock from /clock with use_sim_time. */
export interface RclTimeSource {
  /** The /clock subscription rclnodejs's TimeSource made (reliable, default QoS), while use_sim_time is true. */
  _clockSubscription?: RclSubscription;
  /** Feeds rclnodejs's ROS clocks (node.now(), timers) with a /clock message. */
  _clockCallback(message: unknown): void;
}

/** rcl_interfaces/msg/SetParametersResult */
export interface RclSetParametersResult {
  successful: boolean;
  reason: string;
}

export interface RclLogger {
  debug(message: string): boolean;
  info(message: string): boolean;
  warn(message: string): boolean;
  error(message: string): boolean;
  fatal(message: string): boolean;
}

/** Subscription/publisher options (`Options` in node.d.ts). `qos` is a QoS object or a profile name. */
export interface RclEntityOptions {
  enableTypedArray?: boolean;
  qos?: string | object;
}

export interface RclPublisher {
  readonly topic: string;
  publish(message: object): void;
}

export interface RclSubscription {
  readonly topic: string;
}

export interface RclServiceResponse {
  /** An empty response object of the service's type. */
  readonly template: Record<string, unknown>;
  send(response: object): void;
}

export interface RclService {
  readonly serviceName: string;
}

export interface RclClient {
  waitForService(timeoutMs?: number): Promise<boolean>;
  sendRequestAsync(request: object, options?: { timeout?: number }): Promise<Record<string, unknown>>;
}

export interface RclLifecycleState {
  readonly id: number;
  /** unconfigured, inactive, active, finalized (primary states) or a transition state label. */
  readonly label: string;
}

/** Returned by a transition callback: `lifecycle.CallbackReturnCode.SUCCESS | FAILURE | ERROR`. */
export type RclCallbackReturnCode = number;
export type RclTransitionCallback = (previousState: RclLifecycleState) => RclCallbackReturnCode;

export interface RclNode {
  /** The context the node belongs to; its handle is what the native calls take. */
  readonly context: { readonly handle: unknown };
  /** rclnodejs's own TimeSource of the node (a private member in 2.2.0, read-only use here). */
  readonly _timeSource?: RclTimeSource;
  name(): string;
  namespace(): string;
  getFullyQualifiedName(): string;
  getLogger(): RclLogger;
  spin(timeoutMs?: number): void;
  destroy(): void;

  createPublisher(typeClass: string, topic: string, options?: RclEntityOptions): RclPublisher;
  createSubscription(typeClass: string, topic: string, options: RclEntityOptions, callback: (message: unknown) => void): RclSubscription;
  destroyPublisher(publisher: RclPublisher): void;
  destroySubscription(subscription: RclSubscription): void;

  createService(
    typeClass: string,
    serviceName: string,
    options: RclEntityOptions,
    callback: (request: Record<string, unknown>, response: RclServiceResponse) => void,
  ): RclService;
  destroyService(service: RclService): void;
  createClient(typeClass: string, serviceName: string, options?: RclEntityOptions): RclClient;
  destroyClient(client: RclClient): void;

  declareParameter(parameter: RclParameter, descriptor?: RclParameterDescriptor, ignoreOverride?: boolean): RclParameter;
  hasParameter(name: string): boolean;
  getParameter(name: string): RclParameter;
  getParameterOverrides(): RclParameter[];
  setParameter(parameter: RclParameter): RclSetParametersResult;
  addOnSetParametersCallback(callback: (parameters: RclParameter[]) => RclSetParametersResult): void;
}

export interface RclLifecycleNode extends RclNode {
  readonly currentState: RclLifecycleState;
  registerOnConfigure(cb: RclTransitionCallback): void;
  registerOnActivate(cb: RclTransitionCallback): void;
  registerOnDeactivate(cb: RclTransitionCallback): void;
  registerOnCleanup(cb: RclTransitionCallback): void;
  registerOnShutdown(cb: RclTransitionCallback): void;
  registerOnError(cb: RclTransitionCallback): void;
  configure(): RclLifecycleState;
  activate(): RclLifecycleState;
  deactivate(): RclLifecycleState;
  cleanup(): RclLifecycleState;
  shutdown(): RclLifecycleState;
}

export interface RclNodeOptions {
  parameterOverrides: RclParameter[];
}

/** The module object: `require('rclnodejs')` (its CommonJS build, dist/index.cjs). */
export interface Rclnodejs {
  init(context?: unknown, argv?: string[]): Promise<void>;
  shutdown(context?: unknown): void;
  isShutdown(context?: unknown): boolean;
  /** Removes rclnodejs's own SIGINT handler (which shuts everything down at once). */
  removeSignalHandlers(): void;
  createNode(nodeName: string, namespace?: string, context?: unknown, options?: RclNodeOptions): RclNode;
  createLifecycleNode(
    nodeName: string,
    namespace?: string,
    context?: unknown,
    options?: RclNodeOptions,
    enableCommunicationInterface?: boolean,
  ): RclLifecycleNode;
  NodeOptions: new () => RclNodeOptions;
  Parameter: new (name: string, type: number, value?: unknown) => RclParameter;
  ParameterDescriptor: new (
    name: string,
    type: number,
    description?: string,
    readOnly?: boolean,
    range?: RclRange | null,
  ) => RclParameterDescriptor;
  FloatingPointRange: new (from: number, to: number, step?: number, tolerance?: number) => RclRange;
  IntegerRange: new (from: bigint, to: bigint, step?: bigint) => RclRange;
  ParameterType: RclParameterTypeEnum;
  QoS: { readonly profileDefault: string; readonly profileSensorData: string; readonly profileServicesDefault: string };
  lifecycle: {
    CallbackReturnCode: { readonly SUCCESS: number; readonly FAILURE: number; readonly ERROR: number };
  };
}
