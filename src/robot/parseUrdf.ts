import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readTextFile } from '../config/readTextFile';
import { VlaError } from '../errors';
import { ElementLines, refuseDoctype } from './urdfText';
import type { Joint, Link, RobotModel, UrdfWarning } from './RobotModel';
import { parseJoint } from './parseUrdfJoint';
import { attr, children, type XmlNode } from './urdfXml';

/**
 * URDF text -> RobotModel. Parses what the URDF standard defines, warns about what is not standard but
 * readable, and refuses (URDF_INVALID, naming the element) what cannot be a robot: broken XML, a joint
 * without name/type/parent/child, a link that is the child of two joints, a cycle, several roots.
 */

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
