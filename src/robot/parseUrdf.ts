import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readTextFile } from '../config/readTextFile';
import { VlaError } from '../errors';
import { ElementLines, refuseDoctype } from './urdfText';
import type {
  Joint,
  JointType,
  Link,
  Origin,
  RobotModel,
  UrdfLimit,
  UrdfMimic,
  UrdfSafetyController,
  UrdfWarning,
  Vec3,
} from './RobotModel';

/**
 * URDF text -> RobotModel. Parses what the URDF standard defines, warns about what is not standard but
 * readable, and refuses (URDF_INVALID, naming the element) what cannot be a robot: broken XML, a joint
 * without name/type/parent/child, a link that is the child of two joints, a cycle, several roots.
 */

const JOINT_TYPES: ReadonlySet<string> = new Set(['revolute', 'continuous', 'prismatic', 'fixed', 'floating', 'planar']);
const STANDARD_ATTRS: Readonly<Record<string, readonly string[]>> = {
  joint: ['name', 'type'],
  limit: ['lower', 'upper', 'velocity', 'effort'],
  safety_controller: ['soft_lower_limit', 'soft_upper_limit', 'k_position', 'k_velocity'],
  mimic: ['joint', 'multiplier', 'offset'],
  origin: ['xyz', 'rpy'],
  axis: ['xyz'],
};

type XmlNode = Record<string, unknown>;

export function parseUrdfFile(file: string): RobotModel {
  return parseUrdf(readTextFile(file), file);
}

export function parseUrdf(text: string, file?: string): RobotModel {
  const where = { file };
  if (looksLikeXacro(text, file)) {
    throw new VlaError('XACRO_NOT_URDF', 'this is a xacro file, not a URDF: it still contains xacro macros', {
      ...where,
      hint: `expand it first: xacro ${file ?? 'robot.urdf.xacro'} > robot.urdf`,
    });
  }
  refuseDoctype(text, file);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (valid !== true) {
    throw new VlaError('XML_INVALID', `not well-formed XML: ${valid.err.msg}`, {
      ...where,
      line: valid.err.line,
      hint: 'fix the XML syntax at that line',
    });
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    allowBooleanAttributes: true,
    parseAttributeValue: false,
    parseTagValue: false,
    // Every element is an array (a URDF repeats link/joint freely); attributes stay strings.
    isArray: (_name: string, _jpath: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  const doc = parser.parse(text) as XmlNode;
  const robots = doc['robot'] as XmlNode[] | undefined;
  const robot = robots?.[0];
  if (robot === undefined) {
    throw new VlaError('URDF_INVALID', 'no <robot> element: this is not a URDF', {
      ...where,
      hint: 'the root element of a URDF is <robot name="...">',
    });
  }
  const warnings: UrdfWarning[] = [];
  const lines = new ElementLines(text);
  const name = attr(robot, 'name') ?? '';
  if (name === '') warnings.push({ message: '<robot> has no name attribute' });

  const links: Link[] = [];
  const linkByName = new Map<string, Link>();
  for (const node of children(robot, 'link')) {
    const linkName = attr(node, 'name');
    if (linkName === undefined || linkName === '') {
      throw new VlaError('URDF_INVALID', '<link> without a name', { ...where, path: 'link', hint: 'every <link> needs name="..."' });
    }
    if (linkByName.has(linkName)) {
      throw new VlaError('URDF_INVALID', `link "${linkName}" is defined twice`, {
        ...where,
        path: `link ${linkName}`,
        line: lines.of('link', linkName, 2),
      });
    }
    const link = { name: linkName };
    links.push(link);
    linkByName.set(linkName, link);
  }

  const joints: Joint[] = [];
  const jointByName = new Map<string, Joint>();
  for (const node of children(robot, 'joint')) {
    const joint = parseJoint(node, lines, file, warnings);
    if (jointByName.has(joint.name)) {
      throw new VlaError('URDF_INVALID', `joint "${joint.name}" is defined twice`, {
        ...where,
        joint: joint.name,
        line: lines.of('joint', joint.name, 2),
      });
    }
    for (const end of ['parent', 'child'] as const) {
      if (!linkByName.has(joint[end])) {
        throw new VlaError('URDF_INVALID', `joint "${joint.name}" names ${end} link "${joint[end]}", which is not defined`, {
          ...where,
          joint: joint.name,
          line: lines.of('joint', joint.name),
          hint: `add <link name="${joint[end]}"/> or fix the joint's <${end} link="...">`,
        });
      }
    }
    joints.push(joint);
    jointByName.set(joint.name, joint);
  }
  if (links.length === 0) {
    throw new VlaError('URDF_INVALID', `robot "${name}" has no links`, { ...where, hint: 'a URDF needs at least one <link>' });
  }

  for (const joint of joints) {
    if (joint.mimic !== undefined && !jointByName.has(joint.mimic.joint)) {
      throw new VlaError('URDF_INVALID', `joint "${joint.name}" mimics "${joint.mimic.joint}", which is not defined`, {
        ...where,
        joint: joint.name,
        line: lines.of('joint', joint.name),
      });
    }
  }
  const rootLink = checkTree(links, joints, file);
  return { name, sourceFile: file, links, joints, jointByName, linkByName, rootLink, warnings };
}

function parseJoint(node: XmlNode, lines: ElementLines, file: string | undefined, warnings: UrdfWarning[]): Joint {
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

/** Exactly one root; every link reachable from it; no link the child of two joints; no cycles. */
function checkTree(links: readonly Link[], joints: readonly Joint[], file: string | undefined): string {
  const parentOf = new Map<string, Joint>();
  for (const joint of joints) {
    const existing = parentOf.get(joint.child);
    if (existing !== undefined) {
      throw new VlaError('URDF_INVALID', `link "${joint.child}" is the child of two joints ("${existing.name}" and "${joint.name}")`, {
        file,
        joint: joint.name,
        hint: 'a URDF is a tree: each link has at most one parent joint',
      });
    }
    parentOf.set(joint.child, joint);
  }
  // Walk up from each joint until a link already known to reach the root: each link is walked once.
  const reachesRoot = new Set<string>();
  for (const joint of joints) {
    const path = new Set<string>();
    let link = joint.parent;
    while (!reachesRoot.has(link)) {
      const up = parentOf.get(link);
      if (up === undefined) break;
      if (path.has(link)) {
        throw new VlaError('URDF_INVALID', `the joints form a cycle through link "${link}" (joint "${up.name}")`, {
          file,
          joint: up.name,
          hint: 'a URDF is a tree: remove the joint that closes the loop',
        });
      }
      path.add(link);
      link = up.parent;
    }
    for (const l of path) reachesRoot.add(l);
  }
  const roots = links.filter((l) => !parentOf.has(l.name));
  if (roots.length !== 1) {
    throw new VlaError(
      'URDF_INVALID',
      roots.length === 0
        ? 'no root link (every link has a parent)'
        : `${roots.length} root links (${roots.map((r) => r.name).join(', ')}): the links are not connected into one tree`,
      {
        file,
        hint: 'connect every link to the robot with a joint (a fixed joint is enough)',
      },
    );
  }
  return roots[0]!.name;
}

function looksLikeXacro(text: string, file: string | undefined): boolean {
  if (file !== undefined && /\.xacro$/i.test(file)) return true;
  // Commented-out macros or ${...} in an expanded file's comments do not make it a xacro file.
  const live = text.replace(/<!--[\s\S]*?-->/g, '');
  return /<xacro:(macro|include|property|arg|if|unless|call|insert_block)\b/.test(live) || /\$\{[^}]*\}/.test(live);
}

function isAttr(node: XmlNode, key: string): boolean {
  return typeof node[key] === 'string';
}

function attr(node: XmlNode, key: string): string | undefined {
  const value = node[key];
  return typeof value === 'string' ? value.trim() : undefined;
}

function children(node: XmlNode, tag: string): XmlNode[] {
  const value = node[tag];
  return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as XmlNode[]) : [];
}

function first(node: XmlNode, tag: string): XmlNode | undefined {
  return children(node, tag)[0];
}

/** Numbers as URDF writers really write them: "inf", "-inf", "Infinity", "1e3", " 2.0 ". */
export function parseUrdfNumber(raw: string): number {
  const s = raw.trim().toLowerCase();
  if (s === 'inf' || s === '+inf' || s === 'infinity' || s === '+infinity') return Infinity;
  if (s === '-inf' || s === '-infinity') return -Infinity;
  if (s === '') return NaN;
  return Number(s);
}

function numberAttr(
  node: XmlNode,
  key: string,
  where: { file?: string; joint: string; line?: number },
  warnings: UrdfWarning[],
  joint: string,
): number | undefined {
  const raw = attr(node, key);
  if (raw === undefined) return undefined;
  const value = parseUrdfNumber(raw);
  if (Number.isNaN(value)) {
    throw new VlaError('URDF_INVALID', `joint "${joint}": ${key}="${raw}" is not a number`, { ...where, path: key });
  }
  if (!Number.isFinite(value)) warnings.push({ element: joint, message: `joint "${joint}": ${key}="${raw}" is infinite` });
  return value;
}

function vec3(node: XmlNode, key: string, fallback: Vec3, where: { file?: string; joint: string; line?: number }): Vec3 {
  const raw = attr(node, key);
  if (raw === undefined || raw === '') return fallback;
  const parts = raw.split(/\s+/).map(parseUrdfNumber);
  if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v))) {
    throw new VlaError('URDF_INVALID', `joint "${where.joint}": ${key}="${raw}" must be three finite numbers`, { ...where, path: key });
  }
  return [parts[0]!, parts[1]!, parts[2]!];
}

/** Non-standard `<limit>` attributes that are read (and reported) rather than ignored. */
const RATE_LIMIT_ATTRS = ['acceleration', 'jerk'] as const;

function warnNonStandard(node: XmlNode, tag: string, joint: string, warnings: UrdfWarning[], handled: readonly string[] = []): void {
  const allowed = STANDARD_ATTRS[tag] ?? [];
  for (const key of Object.keys(node)) {
    if (isAttr(node, key) && !allowed.includes(key) && !handled.includes(key)) {
      warnings.push({
        element: joint,
        message: `joint "${joint}": non-standard attribute ${key}="${String(node[key])}" on <${tag}> ignored`,
      });
    }
  }
}
