import { VlaError } from '../errors';
import type { UrdfWarning, Vec3 } from './RobotModel';

/** Reading a parsed URDF element: attributes as strings, numbers and vectors, children, non-standard attributes reported. */

export const STANDARD_ATTRS: Readonly<Record<string, readonly string[]>> = {
  joint: ['name', 'type'],
  limit: ['lower', 'upper', 'velocity', 'effort'],
  safety_controller: ['soft_lower_limit', 'soft_upper_limit', 'k_position', 'k_velocity'],
  mimic: ['joint', 'multiplier', 'offset'],
  origin: ['xyz', 'rpy'],
  axis: ['xyz'],
};

export type XmlNode = Record<string, unknown>;

export function isAttr(node: XmlNode, key: string): boolean {
  return typeof node[key] === 'string';
}

export function attr(node: XmlNode, key: string): string | undefined {
  const value = node[key];
  return typeof value === 'string' ? value.trim() : undefined;
}

export function children(node: XmlNode, tag: string): XmlNode[] {
  const value = node[tag];
  return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as XmlNode[]) : [];
}

export function first(node: XmlNode, tag: string): XmlNode | undefined {
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

export function numberAttr(
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

export function vec3(node: XmlNode, key: string, fallback: Vec3, where: { file?: string; joint: string; line?: number }): Vec3 {
  const raw = attr(node, key);
  if (raw === undefined || raw === '') return fallback;
  const parts = raw.split(/\s+/).map(parseUrdfNumber);
  if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v))) {
    throw new VlaError('URDF_INVALID', `joint "${where.joint}": ${key}="${raw}" must be three finite numbers`, { ...where, path: key });
  }
  return [parts[0]!, parts[1]!, parts[2]!];
}

export function warnNonStandard(node: XmlNode, tag: string, joint: string, warnings: UrdfWarning[], handled: readonly string[] = []): void {
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
