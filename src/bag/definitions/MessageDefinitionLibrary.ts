import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ros2humble } from '@foxglove/rosmsg-msgs-common';
import { packageRoot } from '../../config/packageRoot';
import { normalizeTypeName, shortTypeName, typePackage } from '../rosTypeName';
import { DEFINITION_SEPARATOR, type ParsedDefinitions, parseDefinitionText } from './parseDefinitionText';
import { renderDefinition } from './renderDefinition';

/** A folder of .msg files: `<dir>/<Name>.msg` defines `<package>/msg/<Name>`. */
export interface MsgDirectory {
  package: string;
  dir: string;
}

export interface MessageDefinitionLibraryOptions {
  /** Folders read at run time, before the common ROS 2 types. Default: this package's `msg/` as `vla_bridge`. */
  msgDirectories?: readonly MsgDirectory[];
  /** Single-type .msg texts keyed by type name (`pkg/msg/Name`), consulted first. */
  texts?: ReadonlyMap<string, string>;
}

const PRIMITIVES: ReadonlySet<string> = new Set([
  'bool',
  'byte',
  'char',
  'float32',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'string',
  'wstring',
]);

// A field line starts with its type: `pkg/Name[] field`, `Name field`, `float64 x`. Comments do not match.
const FIELD_TYPE = /^\s*([A-Za-z][A-Za-z0-9_/]*)(?:\[[^\]]*\])?\s+/gm;

const COMMON = ros2humble as unknown as Readonly<Record<string, ParsedDefinitions[number] | undefined>>;

function defaultMsgDirectories(): MsgDirectory[] {
  return [{ package: 'vla_bridge', dir: join(packageRoot(), 'msg') }];
}

/** The types a .msg text refers to, as full type names (unqualified names are in `contextPackage`). */
export function msgDependencies(text: string, contextPackage: string): string[] {
  const deps = new Set<string>();
  for (const match of text.matchAll(FIELD_TYPE)) {
    const type = match[1]!;
    if (PRIMITIVES.has(type)) continue;
    deps.add(type.includes('/') ? type : `${contextPackage}/${type}`);
  }
  return [...deps].sort();
}

/**
 * Message definitions the bag code knows without a bag: this package's own .msg files (read at run time), and
 * the common ROS 2 types of @foxglove/rosmsg-msgs-common (Humble). Used to decode bags that carry no
 * definitions (sqlite3 bags before Iron) and to write rosbag2's full definition text when recording.
 */
export class MessageDefinitionLibrary {
  private readonly msgDirectories: readonly MsgDirectory[];
  private readonly texts: ReadonlyMap<string, string>;
  private readonly singleCache = new Map<string, string | undefined>();
  private readonly parsedCache = new Map<string, ParsedDefinitions | undefined>();

  constructor(options: MessageDefinitionLibraryOptions = {}) {
    this.msgDirectories = options.msgDirectories ?? defaultMsgDirectories();
    this.texts = options.texts ?? new Map();
  }

  /** The .msg text of one type alone (no dependencies), or undefined if unknown. */
  singleText(type: string): string | undefined {
    const full = normalizeTypeName(type);
    if (this.singleCache.has(full)) return this.singleCache.get(full);
    const text = this.lookupSingle(full);
    this.singleCache.set(full, text);
    return text;
  }

  has(type: string): boolean {
    return this.fullText(type) !== undefined;
  }

  /**
   * The full `ros2msg` text as rosbag2 writes it: the type's own text, then for each dependency (sorted,
   * depth first, each once) a line of 80 `=`, `MSG: pkg/Name` and its text. Undefined when the type or one of
   * its dependencies is unknown.
   */
  fullText(type: string): string | undefined {
    const root = normalizeTypeName(type);
    const seen = new Set<string>([root]);
    let missing = false;
    const append = (name: string, depth: number): string => {
      const text = this.singleText(name);
      if (text === undefined || depth > 64) {
        missing = true;
        return '';
      }
      let out = text;
      for (const dep of msgDependencies(text, typePackage(normalizeTypeName(name)) ?? '')) {
        const key = normalizeTypeName(dep);
        if (seen.has(key)) continue;
        seen.add(key);
        out += `\n${DEFINITION_SEPARATOR}\nMSG: ${shortTypeName(key)}\n${append(key, depth + 1)}`;
      }
      return out;
    };
    const text = append(root, 0);
    return missing ? undefined : text;
  }

  /** The parsed full definition of a type (root first), or undefined if unknown. */
  parsed(type: string): ParsedDefinitions | undefined {
    const full = normalizeTypeName(type);
    if (!this.parsedCache.has(full)) {
      const text = this.fullText(full);
      this.parsedCache.set(full, text === undefined ? undefined : parseDefinitionText(text));
    }
    return this.parsedCache.get(full);
  }

  private lookupSingle(full: string): string | undefined {
    const given = this.texts.get(full);
    if (given !== undefined) return given;
    const pkg = typePackage(full);
    const name = full.slice(full.lastIndexOf('/') + 1);
    for (const source of this.msgDirectories) {
      if (source.package !== pkg || !full.includes('/msg/')) continue;
      const file = join(source.dir, `${name}.msg`);
      if (existsSync(file)) return readFileSync(file, 'utf8');
    }
    const common = COMMON[shortTypeName(full)];
    return common === undefined ? undefined : renderDefinition(common);
  }
}
