import { VlaError } from '../errors';
import type { ElementLines } from './urdfText';
import type { Joint, JointType, Origin, UrdfLimit, UrdfMimic, UrdfSafetyController, UrdfWarning, Vec3 } from './RobotModel';
import { attr, first, isAttr, numberAttr, parseUrdfNumber, STANDARD_ATTRS, vec3, warnNonStandard, type XmlNode } from './urdfXml';

/** One URDF `<joint>` element -> Joint: its type, ends, origin and axis, and its limit, safety_controller and mimic children. */

const JOINT_TYPES: ReadonlySet<string> = new Set(['revolute', 'continuous', 'prismatic', 'fixed', 'floating', 'planar']);

/** Non-standard `<limit>` attributes that are read (and reported) rather than ignored. */
const RATE_LIMIT_ATTRS = ['acceleration', 'jerk'] as const;

export function parseJoint(node: XmlNode, lines: ElementLines, file: string | undefined, warnings: UrdfWarning[]): Joint {
  const name = attr(node, 'name');
  if (name === undefined || name === '') {
    throw new VlaError('URDF_INVALID', '<joint> without a name', { file, path: 'joint', hint: 'every <joint> needs name="..."' });
  }
  const where = { file, joint: name, line: lines.of('joint', name) };
  const type = attr(node, 'type');
  if (type === undefined || !JOINT_TYPES.has(type)) {
    throw new VlaError('URDF_INVALID', type === undefined ? `joint "${name}" has no type` : `joint "${name}" has unknown type "${type}"`, {
      ...where,
      hint: 'type must be one of revolute, continuous, prismatic, fixed, floating, planar',
    });
  }
  warnNonStandard(node, 'joint', name, warnings);
  const parent = attr(first(node, 'parent') ?? {}, 'link');
  const child = attr(first(node, 'child') ?? {}, 'link');
  if (parent === undefined || child === undefined) {
    throw new VlaError('URDF_INVALID', `joint "${name}" needs <parent link="..."/> and <child link="..."/>`, where);
  }
  const originNode = first(node, 'origin');
  const origin: Origin = {
    xyz: originNode === undefined ? [0, 0, 0] : vec3(originNode, 'xyz', [0, 0, 0], where),
    rpy: originNode === undefined ? [0, 0, 0] : vec3(originNode, 'rpy', [0, 0, 0], where),
  };
  const axisNode = first(node, 'axis');
  const axis = axisNode === undefined ? ([1, 0, 0] as Vec3) : vec3(axisNode, 'xyz', [1, 0, 0], where);
  if ((type === 'revolute' || type === 'continuous' || type === 'prismatic') && Math.hypot(...axis) < 1e-9) {
    throw new VlaError('URDF_INVALID', `joint "${name}" has a zero axis`, {
      ...where,
      hint: 'give <axis xyz="..."/> a non-zero direction',
    });
  }

  const joint: Joint = { name, type: type as JointType, parent, child, origin, axis };
  const limitNode = first(node, 'limit');
  if (limitNode !== undefined) joint.limit = parseLimit(limitNode, joint.type, name, where, warnings);
  if ((type === 'revolute' || type === 'prismatic') && limitNode === undefined) {
    warnings.push({
      element: name,
      message: `${type} joint "${name}" has no <limit>; its position and velocity limits must come from the embodiment YAML`,
    });
  }
  if (type === 'continuous' && joint.limit !== undefined && (joint.limit.lower !== undefined || joint.limit.upper !== undefined)) {
    warnings.push({
      element: name,
      message: `continuous joint "${name}" gives position limits; a continuous joint has none, so they are ignored`,
    });
    delete joint.limit.lower;
    delete joint.limit.upper;
  }
  const safetyNode = first(node, 'safety_controller');
  if (safetyNode !== undefined) {
    const sc = parseSafetyController(safetyNode, joint, warnings);
    if (sc !== undefined) joint.safetyController = sc;
  }
  const mimicNode = first(node, 'mimic');
  if (mimicNode !== undefined) joint.mimic = parseMimic(mimicNode, name, where, warnings);
  return joint;
}

/** Kept as written; a fixed joint's limits (exporters write them, often all zero) are reported as unused. */
function parseLimit(
  node: XmlNode,
  type: JointType,
  joint: string,
  where: { file?: string; joint: string; line?: number },
  warnings: UrdfWarning[],
): UrdfLimit {
  warnNonStandard(node, 'limit', joint, warnings, RATE_LIMIT_ATTRS);
  const limit: UrdfLimit = {};
  for (const key of ['lower', 'upper', 'velocity', 'effort'] as const) {
    const value = numberAttr(node, key, where, warnings, joint);
    if (value !== undefined) limit[key] = value;
  }
  for (const key of RATE_LIMIT_ATTRS) {
    const value = numberAttr(node, key, where, warnings, joint);
    if (value === undefined) continue;
    if (value > 0 && Number.isFinite(value) && type !== 'fixed') {
      limit[key] = value;
      warnings.push({
        element: joint,
        message:
          `joint "${joint}": non-standard attribute ${key}="${attr(node, key)!}" on <limit> ` +
          `applied as its ${key} limit wherever it is tighter than the embodiment's (never to loosen)`,
      });
    } else {
      warnings.push({
        element: joint,
        message:
          `joint "${joint}": non-standard attribute ${key}="${attr(node, key)!}" on <limit> ` +
          `ignored (${type === 'fixed' ? 'a fixed joint' : 'not a positive finite limit'})`,
      });
    }
  }
  if (type === 'fixed') {
    warnings.push({
      element: joint,
      message: `fixed joint "${joint}" has a <limit>; a fixed joint does not move, so its limits are not used`,
    });
    return limit;
  }
  if (limit.lower !== undefined && limit.upper !== undefined && limit.lower > limit.upper) {
    warnings.push({ element: joint, message: `joint "${joint}": lower limit ${limit.lower} is above upper limit ${limit.upper}` });
  }
  if (limit.velocity !== undefined && limit.velocity <= 0) {
    warnings.push({
      element: joint,
      message:
        `joint "${joint}" has velocity limit ${limit.velocity}: unusable, a max_velocity must ` +
        `come from the embodiment YAML (or safety-filter --max-velocity)`,
    });
  }
  return limit;
}

/**
 * The soft limits of a `<safety_controller>` are used only when the element is valid: standard attribute
 * names, k_velocity present, finite soft limits with lower <= upper. Otherwise it is reported and ignored
 * (the hard limits still apply).
 */
function parseSafetyController(node: XmlNode, joint: Joint, warnings: UrdfWarning[]): UrdfSafetyController | undefined {
  const name = joint.name;
  const unknown = Object.keys(node).filter((k) => isAttr(node, k) && !STANDARD_ATTRS.safety_controller!.includes(k));
  const bad = (why: string): undefined => {
    warnings.push({ element: name, message: `joint "${name}": <safety_controller> ${why}; its soft limits are ignored` });
    return undefined;
  };
  if (unknown.length > 0)
    return bad(`has non-standard attribute(s) ${unknown.join(', ')} (expected soft_lower_limit, soft_upper_limit, k_position, k_velocity)`);
  const read = (key: string): number | undefined | null => {
    const raw = attr(node, key);
    if (raw === undefined) return undefined;
    const v = parseUrdfNumber(raw);
    return Number.isNaN(v) ? null : v;
  };
  const sc: UrdfSafetyController = {};
  const soft = {
    softLowerLimit: read('soft_lower_limit'),
    softUpperLimit: read('soft_upper_limit'),
    kPosition: read('k_position'),
    kVelocity: read('k_velocity'),
  };
  for (const [key, value] of Object.entries(soft)) {
    if (value === null) return bad(`has a non-numeric ${key}`);
    if (value !== undefined) sc[key as keyof UrdfSafetyController] = value;
  }
  if (sc.kVelocity === undefined) return bad('has no k_velocity (required)');
  if (joint.type === 'continuous') {
    delete sc.softLowerLimit;
    delete sc.softUpperLimit;
    return sc;
  }
  const lo = sc.softLowerLimit;
  const hi = sc.softUpperLimit;
  if ((lo !== undefined && !Number.isFinite(lo)) || (hi !== undefined && !Number.isFinite(hi))) return bad('has infinite soft limits');
  if (lo !== undefined && hi !== undefined && lo > hi) return bad(`has soft_lower_limit ${lo} above soft_upper_limit ${hi}`);
  return sc;
}

function parseMimic(
  node: XmlNode,
  joint: string,
  where: { file?: string; joint: string; line?: number },
  warnings: UrdfWarning[],
): UrdfMimic {
  warnNonStandard(node, 'mimic', joint, warnings);
  const target = attr(node, 'joint');
  if (target === undefined || target === '') {
    throw new VlaError('URDF_INVALID', `joint "${joint}": <mimic> needs joint="..."`, where);
  }
  return {
    joint: target,
    multiplier: numberAttr(node, 'multiplier', where, warnings, joint) ?? 1,
    offset: numberAttr(node, 'offset', where, warnings, joint) ?? 0,
  };
}
