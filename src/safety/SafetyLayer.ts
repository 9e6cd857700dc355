import { VlaError } from '../errors';
import type { Embodiment } from '../config/Embodiment';
import type { JointLimits } from '../robot/JointLimits';
import type { KinematicChain } from '../robot/KinematicChain';
import { CartesianGuard, type CartesianLimits } from './CartesianGuard';
import type { SafetyStepResult, SafetyTickInput, SharedSafetyState } from './CommandLimiter';
import { GripperLimiter } from './GripperLimiter';
import { JointCommandLimiter } from './JointCommandLimiter';
import { JointLimiter } from './JointLimiter';
import { type PoseProposal, PoseCommandLimiter } from './PoseCommandLimiter';
import type { SafeJointCommand, SafePoseCommand, SafeTwistCommand } from './SafeCommand';
import { SAFETY_LIMITS, type SafetyLimit } from './SafetyEvent';
import {
  type ResolvedSafetyLayerOptions,
  type SafetyLayerOptions,
  type SafetyLayerOverrides,
  optionsFromEmbodiment,
  resolveSafetyLayerOptions,
} from './SafetyLayerOptions';
import { StopConditions } from './StopConditions';
import { type TwistProposal, TwistCommandLimiter } from './TwistCommandLimiter';

export type { SafetyStepResult } from './CommandLimiter';
export type { WatchdogInputs } from './Watchdog';

/** One tick of joint position commands: desired positions in command joint order (non-finite = bad entry). */
export type SafetyStepInput = SafetyTickInput<Float64Array>;
export type SafetyTwistInput = SafetyTickInput<TwistProposal>;
export type SafetyPoseInput = SafetyTickInput<PoseProposal>;

/** Cartesian modes need speed limits: these apply when the embodiment gives none (ISO 10218-1 reduced speed). */
export const DEFAULT_CARTESIAN_LINEAR_SPEED_M_PER_S = 0.25;
export const DEFAULT_CARTESIAN_ANGULAR_SPEED_RAD_PER_S = 1.0;

/**
 * The safety-limits layer: every command the policy proposes passes through it, and only it can produce the
 * SafeCommand type that publishers accept. Semantics: DESIGN §5, and the docs of JointLimiter (joint limits),
 * CartesianGuard (workspace and tool speeds), JointCommandLimiter (non-finite proposals, tracking error),
 * CommandLimiter (time, seeding, e-stop, watchdog), TwistCommandLimiter and PoseCommandLimiter.
 *
 * One layer serves one arm in one command mode per run; the e-stop latch, stop conditions and counters are
 * shared by its modes.
 */
export class SafetyLayer {
  readonly jointNames: readonly string[];
  readonly limits: readonly JointLimits[];
  private readonly options: ResolvedSafetyLayerOptions;
  private readonly shared: SharedSafetyState;
  private readonly joint: JointCommandLimiter;
  private twist: TwistCommandLimiter | undefined;
  private pose: PoseCommandLimiter | undefined;

  constructor(options: SafetyLayerOptions) {
    this.options = resolveSafetyLayerOptions(options);
    const o = this.options;
    this.limits = o.limits;
    this.jointNames = o.limits.map((l) => l.name);
    const counters = Object.fromEntries(SAFETY_LIMITS.map((l) => [l, 0])) as Record<SafetyLimit, number>;
    this.shared = {
      stops: new StopConditions(),
      counters,
      timeouts: o.timeouts,
      watchdogResume: o.watchdogResume,
      watchdogLatches: { latched: new Set(), released: new Set() },
      estopLatched: false,
      stopRequested: false,
    };
    const joints = new JointLimiter(o.limits, o.maxStepPerTick ?? Infinity);
    const cartesian: CartesianLimits = {
      workspace: o.workspace,
      maxLinearSpeedMPerS: o.maxEeLinearSpeedMPerS ?? Infinity,
      maxAngularSpeedRadPerS: o.maxEeAngularSpeedRadPerS ?? Infinity,
    };
    const needsChain =
      cartesian.workspace !== undefined || cartesian.maxLinearSpeedMPerS !== Infinity || cartesian.maxAngularSpeedRadPerS !== Infinity;
    if (needsChain && o.chain === undefined) {
      throw new VlaError('CONFIG_INVALID', 'workspace and end-effector speed limits need the kinematic chain (base_link to tool_link)', {
        path: 'safety',
        hint: 'give the chain, or remove safety.workspace and safety.max_ee_* limits',
      });
    }
    const guard = needsChain && o.chain !== undefined ? this.guardFor(o.chain, cartesian) : undefined;
    this.joint = new JointCommandLimiter(this.shared, joints, guard, o.trackingErrorS);
  }

  /** The layer for an embodiment: its resolved limits, chain, workspace, speed limits and timeouts. */
  static fromEmbodiment(embodiment: Embodiment, overrides?: SafetyLayerOverrides): SafetyLayer {
    return new SafetyLayer(optionsFromEmbodiment(embodiment, overrides));
  }

  /** Joint position mode: desired positions in, a SafeJointCommand out. */
  enforce(input: SafetyStepInput): SafetyStepResult<SafeJointCommand> {
    return this.joint.enforce(input);
  }

  /** Cartesian twist mode (the proposal ends with the gripper position when the layer has a gripper). */
  enforceTwist(input: SafetyTwistInput): SafetyStepResult<SafeTwistCommand> {
    this.twist ??= new TwistCommandLimiter(
      this.shared,
      this.jointNames,
      this.chainFor('cartesian_twist', false),
      this.cartesianModeLimits(),
      this.frameId(),
      this.gripperLimiter(),
    );
    return this.twist.enforce(input);
  }

  /** Cartesian pose mode (needs the chain; the proposal ends with the gripper position when the layer has a gripper). */
  enforcePose(input: SafetyPoseInput): SafetyStepResult<SafePoseCommand> {
    this.pose ??= new PoseCommandLimiter(
      this.shared,
      this.jointNames,
      this.chainFor('cartesian_pose', true)!,
      this.cartesianModeLimits(),
      this.frameId(),
      this.gripperLimiter(),
    );
    return this.pose.enforce(input);
  }

  /** Latches the e-stop: from the next tick, stop within the limits and hold until `reset`. */
  estop(): void {
    this.shared.estopLatched = true;
  }

  /**
   * A controlled stop on request (deactivation, the end of a run): the e-stop's ramp, decelerating within every
   * limit and then holding until `reset`, reported as a `stop` with severity `info` rather than counted as an
   * intervention.
   */
  stop(): void {
    this.shared.stopRequested = true;
  }

  /**
   * Releases the e-stop, the stop and the watchdog stops latched by `watchdog_resume: manual`. Motion resumes
   * from the held command (no jump) once nothing else holds it.
   */
  reset(): void {
    this.shared.estopLatched = false;
    this.shared.stopRequested = false;
    const { latched, released } = this.shared.watchdogLatches;
    for (const key of latched) released.add(key);
    latched.clear();
  }

  /** Releases a requested controlled stop only (an e-stop or a latched watchdog stop stays). */
  releaseStop(): void {
    this.shared.stopRequested = false;
  }

  /** True while the e-stop is latched: the one e-stop latch of a run. */
  get latched(): boolean {
    return this.shared.estopLatched;
  }

  /** What holds the arm until `reset()`: `estop` and the keys of watchdog stops latched by `watchdog_resume: manual`. */
  get resetRequiredFor(): readonly string[] {
    const out = this.shared.estopLatched ? ['estop'] : [];
    for (const key of this.shared.watchdogLatches.latched) out.push(key);
    return out;
  }

  /** Interventions so far per limit (events of severity `warn` or `error`). */
  get counters(): Readonly<Record<SafetyLimit, number>> {
    return this.shared.counters;
  }

  /** Keys of the conditions holding the arm now (`estop`, `stop`, `joint_states`, `camera:<name>`, `policy`, `tracking`, `measured`). */
  get holdingFor(): readonly string[] {
    return this.shared.stops.keys();
  }

  private guardFor(chain: KinematicChain, limits: CartesianLimits): CartesianGuard {
    const missing = chain.jointNames.filter((n) => !this.jointNames.includes(n));
    if (missing.length > 0) {
      throw new VlaError(
        'CHAIN_INVALID',
        `the chain ${chain.baseLink} -> ${chain.toolLink} moves joints that are not commanded: ${missing.join(', ')}`,
        {
          joint: missing[0],
          hint: 'command every joint between base_link and tool_link, or choose other links',
        },
      );
    }
    return new CartesianGuard(
      chain,
      this.jointNames,
      this.limits.map((l) => l.maxAcceleration),
      limits,
    );
  }

  private chainFor(mode: string, required: boolean): KinematicChain | undefined {
    const chain = this.options.chain;
    if (chain === undefined) {
      if (required)
        throw new VlaError('CONFIG_INVALID', `${mode} needs the kinematic chain (base_link to tool_link)`, { path: 'control.mode' });
      return undefined;
    }
    const missing = chain.jointNames.filter((n) => !this.jointNames.includes(n));
    if (missing.length > 0) {
      throw new VlaError('CHAIN_INVALID', `${mode}: the chain moves joints that are not in the joint state: ${missing.join(', ')}`, {
        joint: missing[0],
      });
    }
    return chain;
  }

  private cartesianModeLimits(): CartesianLimits {
    return {
      workspace: this.options.workspace,
      maxLinearSpeedMPerS: this.options.maxEeLinearSpeedMPerS ?? DEFAULT_CARTESIAN_LINEAR_SPEED_M_PER_S,
      maxAngularSpeedRadPerS: this.options.maxEeAngularSpeedRadPerS ?? DEFAULT_CARTESIAN_ANGULAR_SPEED_RAD_PER_S,
    };
  }

  /** The gripper of a Cartesian mode, when the options name one. */
  private gripperLimiter(): GripperLimiter | undefined {
    const name = this.options.gripperJoint;
    if (name === undefined) return undefined;
    const index = this.jointNames.indexOf(name);
    if (index < 0)
      throw new VlaError('CONFIG_UNKNOWN_JOINT', `the gripper joint "${name}" is not one of the commanded joints`, {
        joint: name,
        path: 'gripper.joint',
      });
    return new GripperLimiter(this.limits[index]!, index, this.options.maxStepPerTick);
  }

  private frameId(): string {
    return this.options.frameId ?? this.options.chain?.baseLink ?? 'base_link';
  }
}
