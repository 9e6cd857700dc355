import { VlaError } from '../errors';
import type { JointLimits } from '../robot/JointLimits';
import type { RobotModel } from '../robot/RobotModel';
import type { SafetyConfig } from './EmbodimentConfig';

/**
 * Layers the limits of each commanded joint, as ros2_control's joint_limits does: the URDF `<limit>` first,
 * then a valid `<safety_controller>`'s soft limits, then the embodiment YAML, which may only tighten, then the
 * position margin. A joint without a usable velocity limit (0 or missing) is refused unless the YAML gives one.
 */

export interface LimitSource {
  /** The YAML file, for messages. */
  configFile?: string;
  /** 1-based line of a YAML path, where known. */
  lineOf?: (path: readonly (string | number)[]) => number | undefined;
  /**
   * A velocity limit given on the command line (`safety-filter --max-velocity`): it stands in for a joint whose
   * URDF velocity limit is unusable, and the message for such a joint names this option as the fix.
   */
  commandLineMaxVelocity?: { option: string; value: number };
}

export interface ResolvedLimits {
  limits: JointLimits[];
  warnings: string[];
}

export function resolveJointLimits(
  robot: RobotModel,
  jointNames: readonly string[],
  safety: SafetyConfig | undefined,
  source: LimitSource = {},
): ResolvedLimits {
  const warnings: string[] = [];
  const overrides = safety?.joints ?? {};
  const at = (path: (string | number)[], joint?: string) => ({
    file: source.configFile ?? robot.sourceFile,
    path: path.join('.'),
    line: source.lineOf?.(path),
    joint,
  });

  for (const name of Object.keys(overrides)) {
    if (!robot.jointByName.has(name)) {
      throw new VlaError('CONFIG_UNKNOWN_JOINT', `safety.joints names joint "${name}", which the URDF does not have`, {
        ...at(['safety', 'joints', name], name),
        hint: `use one of the URDF's joints: ${robot.joints
          .filter((j) => j.type !== 'fixed')
          .map((j) => j.name)
          .join(', ')}`,
      });
    }
    if (!jointNames.includes(name)) warnings.push(`safety.joints.${name}: joint "${name}" is not commanded, its limits are not used`);
  }

  const limits = jointNames.map((name) => {
    const joint = robot.jointByName.get(name);
    if (joint === undefined) {
      throw new VlaError('CONFIG_UNKNOWN_JOINT', `joint "${name}" is not in the URDF (${robot.sourceFile ?? robot.name})`, {
        ...at(['joints'], name),
        hint: `use one of the URDF's joints: ${robot.joints
          .filter((j) => j.type !== 'fixed')
          .map((j) => j.name)
          .join(', ')}`,
      });
    }
    if (joint.type !== 'revolute' && joint.type !== 'continuous' && joint.type !== 'prismatic') {
      throw new VlaError('CONFIG_INVALID', `joint "${name}" is ${joint.type} and cannot be commanded`, {
        ...at(['joints'], name),
        hint: 'list only revolute, continuous and prismatic joints',
      });
    }
    if (joint.mimic !== undefined) {
      throw new VlaError('CONFIG_INVALID', `joint "${name}" mimics "${joint.mimic.joint}" and cannot be commanded on its own`, {
        ...at(['joints'], name),
        hint: `command "${joint.mimic.joint}" instead`,
      });
    }
    const o = overrides[name] ?? {};
    const path = (key: string) => ['safety', 'joints', name, key];
    const margin = o.position_margin ?? (joint.type === 'prismatic' ? safety?.position_margin_m : safety?.position_margin) ?? 0;
    const marginPath =
      o.position_margin !== undefined
        ? path('position_margin')
        : ['safety', joint.type === 'prismatic' ? 'position_margin_m' : 'position_margin'];
    const urdf = joint.limit ?? {};

    let minPosition = -Infinity;
    let maxPosition = Infinity;
    if (joint.type !== 'continuous') {
      if (urdf.lower === undefined || urdf.upper === undefined) {
        if (o.min_position === undefined || o.max_position === undefined) {
          throw new VlaError('URDF_UNUSABLE_LIMIT', `joint "${name}" has no position limits in the URDF`, {
            ...at(['safety', 'joints', name], name),
            hint: `add safety.joints.${name}.min_position and max_position to the embodiment YAML`,
          });
        }
      } else {
        minPosition = urdf.lower;
        maxPosition = urdf.upper;
        if (minPosition > maxPosition) {
          throw new VlaError(
            'URDF_UNUSABLE_LIMIT',
            `joint "${name}" has lower limit ${minPosition} above upper limit ${maxPosition} in the URDF`,
            {
              file: robot.sourceFile,
              joint: name,
              hint: 'fix the URDF <limit>',
            },
          );
        }
        if (!Number.isFinite(minPosition) || !Number.isFinite(maxPosition)) {
          warnings.push(`joint "${name}": the URDF gives an infinite position limit; that side is unbounded`);
        }
      }
      const sc = joint.safetyController;
      if (sc?.softLowerLimit !== undefined) minPosition = Math.max(minPosition, sc.softLowerLimit);
      if (sc?.softUpperLimit !== undefined) maxPosition = Math.min(maxPosition, sc.softUpperLimit);
    }
    if (o.min_position !== undefined) {
      if (o.min_position < minPosition) {
        throw loosens(name, 'min_position', o.min_position, minPosition, at(path('min_position'), name));
      }
      minPosition = o.min_position;
    }
    if (o.max_position !== undefined) {
      if (o.max_position > maxPosition) {
        throw loosens(name, 'max_position', o.max_position, maxPosition, at(path('max_position'), name));
      }
      maxPosition = o.max_position;
    }
    if (minPosition > maxPosition) {
      const blamed = o.min_position !== undefined ? 'min_position' : 'max_position';
      throw new VlaError('CONFIG_INVALID', `joint "${name}": min_position ${minPosition} is above max_position ${maxPosition}`, {
        ...at(path(blamed), name),
        hint: 'min_position must be below max_position (after the URDF and safety controller limits)',
      });
    }
    if (Number.isFinite(minPosition) && Number.isFinite(maxPosition)) {
      if (minPosition + 2 * margin > maxPosition) {
        throw new VlaError(
          'CONFIG_INVALID',
          `joint "${name}": position_margin ${margin} leaves no range between ${minPosition} and ${maxPosition}`,
          {
            ...at(marginPath, name),
            hint: 'use a smaller position_margin',
          },
        );
      }
    }
    minPosition += margin;
    maxPosition -= margin;

    const urdfVelocity = urdf.velocity !== undefined && urdf.velocity > 0 && Number.isFinite(urdf.velocity) ? urdf.velocity : undefined;
    let maxVelocity: number;
    if (o.max_velocity !== undefined) {
      if (urdfVelocity !== undefined && o.max_velocity > urdfVelocity) {
        throw loosens(name, 'max_velocity', o.max_velocity, urdfVelocity, at(path('max_velocity'), name));
      }
      if (urdfVelocity === undefined)
        warnings.push(
          `joint "${name}": the URDF velocity limit is ${urdf.velocity ?? 'missing'}; using max_velocity ${o.max_velocity} from the YAML`,
        );
      maxVelocity = o.max_velocity;
    } else if (urdfVelocity !== undefined) {
      maxVelocity = urdfVelocity;
    } else if (source.commandLineMaxVelocity !== undefined && Number.isFinite(source.commandLineMaxVelocity.value)) {
      warnings.push(
        `joint "${name}": the URDF velocity limit is ${urdf.velocity ?? 'missing'}; using ` +
          `${source.commandLineMaxVelocity.option} ${source.commandLineMaxVelocity.value}`,
      );
      maxVelocity = source.commandLineMaxVelocity.value;
    } else {
      const cli = source.commandLineMaxVelocity?.option;
      const yaml = `add safety.joints.${name}.max_velocity to the embodiment YAML`;
      throw new VlaError(
        'URDF_UNUSABLE_LIMIT',
        `joint "${name}" has ` +
          `${urdf.velocity === undefined ? 'no velocity limit' : `velocity limit ${urdf.velocity}`} in ` +
          `the URDF, so it cannot be moved safely`,
        {
          ...(source.configFile === undefined ? { file: robot.sourceFile, joint: name } : at(['safety', 'joints', name], name)),
          hint:
            cli === undefined
              ? yaml
              : source.configFile === undefined
                ? `give ${cli} V (rad/s or m/s) for it`
                : `give ${cli} V, or ${yaml}`,
        },
      );
    }
    const maxAcceleration = tightest(
      name,
      'acceleration',
      o.max_acceleration ?? safety?.default_max_acceleration,
      urdf.acceleration,
      warnings,
    );
    const maxJerk = tightest(name, 'jerk', o.max_jerk, urdf.jerk, warnings);
    return { name, type: joint.type, minPosition, maxPosition, maxVelocity, maxAcceleration, maxJerk } satisfies JointLimits;
  });
  return { limits, warnings };
}

function loosens(
  joint: string,
  key: string,
  value: number,
  urdfValue: number,
  where: { file?: string; path: string; line?: number },
): VlaError {
  return new VlaError(
    'CONFIG_LOOSENS_LIMIT',
    `${key} ${value} for joint "${joint}" loosens the URDF limit ${urdfValue}; the YAML may only tighten limits`,
    {
      ...where,
      joint,
      hint: `use a value ${key.startsWith('min') ? 'at or above' : 'at or below'} ${urdfValue}, or fix the URDF if the robot really allows more`,
    },
  );
}

/** The embodiment's limit, or the URDF's own (non-standard) one where that is tighter: never looser than either. */
function tightest(
  joint: string,
  what: 'acceleration' | 'jerk',
  fromYaml: number | undefined,
  fromUrdf: number | undefined,
  warnings: string[],
): number {
  if (fromUrdf === undefined) return fromYaml ?? Infinity;
  if (fromYaml !== undefined && fromYaml <= fromUrdf) return fromYaml;
  const why = fromYaml === undefined ? 'applied (the embodiment gives none)' : `tighter than the embodiment's ${fromYaml} and applied`;
  warnings.push(`joint "${joint}": the URDF's ${what} limit ${fromUrdf} is ${why}`);
  return fromUrdf;
}
