import { z } from 'zod';
import { VlaError } from '../errors';
import type { Embodiment } from '../config/Embodiment';
import type { JointLimits } from '../robot/JointLimits';
import { KinematicChain } from '../robot/KinematicChain';
import { DEFAULT_CAMERA_TIMEOUT_S, DEFAULT_WATCHDOG_RESUME } from './Watchdog';

/**
 * Options of a SafetyLayer, validated (a misspelled key is an error). Everything has a safe default: there is
 * no option that turns a limit off.
 */

const positive = z.number().refine((v) => v > 0 && !Number.isNaN(v), { message: 'must be a number greater than 0' });
const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const vec3 = z.tuple([finite, finite, finite]);

export const SafetyLayerOptionsSchema = z.strictObject({
  /** Limits of every commanded joint, in command order (src/config/resolveJointLimits). */
  limits: z
    .array(z.custom<JointLimits>((v) => typeof v === 'object' && v !== null && 'name' in v, { message: 'must be JointLimits' }))
    .min(1)
    .readonly(),
  /** From the base link to the tool link; needed for the Cartesian checks and modes. */
  chain: z.custom<KinematicChain>((v) => v instanceof KinematicChain, { message: 'must be a KinematicChain' }).optional(),
  /** Axis-aligned box for the tool link origin, in the base link frame, metres. */
  workspace: z
    .strictObject({ min: vec3, max: vec3 })
    .refine((w) => w.min.every((v, i) => v < w.max[i]!), { message: 'workspace.min must be below workspace.max on every axis' })
    .optional(),
  /** Tool linear speed limit, m/s (joint mode: unlimited when unset; Cartesian modes: 0.25 m/s when unset). */
  maxEeLinearSpeedMPerS: positive.optional(),
  /** Tool angular speed limit, rad/s (joint mode: unlimited when unset; Cartesian modes: 1 rad/s when unset). */
  maxEeAngularSpeedRadPerS: positive.optional(),
  /** Largest position change of any joint in one tick (rad or m), whatever the velocity limit allows. */
  maxStepPerTick: positive.optional(),
  timeouts: z
    .strictObject({
      jointStateS: positive.default(0.1),
      /** Per camera name. */
      cameraS: z.record(z.string(), positive).default({}),
      defaultCameraS: positive.default(DEFAULT_CAMERA_TIMEOUT_S),
    })
    .default({ jointStateS: 0.1, cameraS: {}, defaultCameraS: DEFAULT_CAMERA_TIMEOUT_S }),
  /**
   * After a watchdog stop, when fresh data returns: `auto` moves again by itself; `manual` holds a stop that
   * lasted longer than `graceS` seconds until `reset()` (a physical arm), and resumes a shorter gap by itself.
   */
  watchdogResume: z
    .strictObject({
      mode: z.enum(['auto', 'manual']),
      graceS: z.number().refine((v) => v >= 0 && Number.isFinite(v), { message: 'must be a finite number >= 0' }),
    })
    .default({ ...DEFAULT_WATCHDOG_RESUME }),
  /**
   * Tracking error tolerance as time at the velocity limit: a joint measured farther than maxVelocity * this
   * from its last command stops the arm. Infinity only for offline replay, where commands are not executed.
   */
  trackingErrorS: positive.default(0.5),
  /** frame_id of Cartesian commands (default: the chain's base link, else "base_link"). */
  frameId: z.string().min(1).optional(),
  /**
   * The gripper joint (one of `limits`): in the Cartesian modes it rides with the tool command as a joint
   * position, limited as a joint (joint mode limits it with the arm anyway).
   */
  gripperJoint: z.string().min(1).optional(),
});

export type SafetyLayerOptions = z.input<typeof SafetyLayerOptionsSchema>;
export type ResolvedSafetyLayerOptions = z.output<typeof SafetyLayerOptionsSchema>;

/** Options that may be layered over an embodiment's (e.g. `trackingErrorS: Infinity` for replay). */
export type SafetyLayerOverrides = Partial<Omit<SafetyLayerOptions, 'limits' | 'chain' | 'gripperJoint'>>;

/** Validates options; throws CONFIG_INVALID naming the field, or URDF_UNUSABLE_LIMIT naming the joint. */
export function resolveSafetyLayerOptions(options: SafetyLayerOptions): ResolvedSafetyLayerOptions {
  const parsed = SafetyLayerOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.');
    throw new VlaError('CONFIG_INVALID', `safety layer option ${path === '' ? '' : `"${path}" `}${issue.message}`, { path });
  }
  for (const l of parsed.data.limits) checkJointLimits(l);
  return parsed.data;
}

/** The options an embodiment gives: its limits, chain, workspace, speeds, step, timeouts and frame. */
export function optionsFromEmbodiment(embodiment: Embodiment, overrides: SafetyLayerOverrides = {}): SafetyLayerOptions {
  const c = embodiment.config;
  const cameraS: Record<string, number> = {};
  for (const cam of c.topics.cameras) cameraS[cam.name] = cam.timeout_s;
  return {
    limits: embodiment.limits,
    chain: embodiment.chain,
    workspace: c.safety.workspace,
    maxEeLinearSpeedMPerS: c.safety.max_ee_linear_speed_m_per_s,
    maxEeAngularSpeedRadPerS: c.safety.max_ee_angular_speed_rad_per_s,
    maxStepPerTick: c.safety.max_step_per_tick,
    timeouts: { jointStateS: c.timeouts.joint_state_s, cameraS, defaultCameraS: DEFAULT_CAMERA_TIMEOUT_S },
    frameId: c.control.frame_id ?? c.base_link,
    ...(c.gripper === undefined ? {} : { gripperJoint: c.gripper.joint }),
    ...overrides,
  };
}

function checkJointLimits(l: JointLimits): void {
  const bad = (what: string, hint: string): never => {
    throw new VlaError('URDF_UNUSABLE_LIMIT', `joint "${l.name}": ${what}`, { joint: l.name, hint });
  };
  if (!(l.maxVelocity > 0) || !Number.isFinite(l.maxVelocity)) {
    bad(
      `velocity limit ${l.maxVelocity} cannot be used to move the joint safely`,
      `give safety.joints.${l.name}.max_velocity in the embodiment YAML`,
    );
  }
  if (Number.isNaN(l.minPosition) || Number.isNaN(l.maxPosition) || l.minPosition > l.maxPosition) {
    bad(`position range [${l.minPosition}, ${l.maxPosition}] is empty`, 'fix the URDF <limit> or the YAML min_position/max_position');
  }
  if (!(l.maxAcceleration > 0))
    bad(
      `acceleration limit ${l.maxAcceleration} must be greater than 0 (Infinity when unset)`,
      `fix safety.joints.${l.name}.max_acceleration`,
    );
  if (!(l.maxJerk > 0)) bad(`jerk limit ${l.maxJerk} must be greater than 0 (Infinity when unset)`, `fix safety.joints.${l.name}.max_jerk`);
}
