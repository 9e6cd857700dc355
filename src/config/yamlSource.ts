import { isNode, LineCounter, parseDocument } from 'yaml';
import type { core } from 'zod';
import { VlaError } from '../errors';
import { readTextFile } from './readTextFile';

/** A parsed YAML file that can say on which line a path (`safety.joints.j1.max_velocity`) was written. */
export interface YamlSource {
  file: string;
  value: unknown;
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export function readYamlFile(file: string): YamlSource {
  return parseYaml(readTextFile(file), file);
}

export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    throw new VlaError('YAML_INVALID', `not valid YAML: ${first.message.split('\n')[0]}`, {
      file,
      line: first.linePos?.[0]?.line,
      hint: 'fix the YAML syntax at that line (indentation, a missing colon, a duplicated key)',
    });
  }
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    // Deepest existing node along the path: a missing key points at its parent.
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range !== undefined && node.range !== null) {
        // A key's value starts on the key's line for scalars; for maps, point at the key.
        const keyLine = n > 0 ? keyLineOf(path.slice(0, n)) : undefined;
        return keyLine ?? lineCounter.linePos(node.range[0]).line;
      }
    }
    return undefined;
  };
  const keyLineOf = (path: readonly (string | number)[]): number | undefined => {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    const last = path[path.length - 1];
    if (parent === null || parent === undefined || typeof parent !== 'object' || !('items' in parent)) return undefined;
    const items = (parent as { items: unknown[] }).items;
    for (const item of items) {
      if (typeof item === 'object' && item !== null && 'key' in item) {
        const key = (item as { key: unknown }).key;
        if (isNode(key) && (key as { value?: unknown }).value === last && key.range) return lineCounter.linePos(key.range[0]).line;
      }
    }
    return undefined;
  };
  return { file, value: doc.toJS(), lineOf };
}

/** zod issues -> one VlaError each, naming the file, the YAML path, its line and what to do. */
export function zodIssuesToErrors(issues: readonly core.$ZodIssue[], source: YamlSource): VlaError[] {
  if (source.value === null || source.value === undefined) {
    return [
      new VlaError('CONFIG_INVALID', 'the file is empty (no YAML mapping, only whitespace or comments)', {
        file: source.file,
        hint: 'write the configuration into it; see the shipped examples',
      }),
    ];
  }
  return issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys;
      return new VlaError('CONFIG_INVALID', `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`, {
        file: source.file,
        path: [...path, keys[0]!].join('.'),
        line: source.lineOf([...path, keys[0]!]),
        hint: 'remove it or check its spelling (keys are validated; a misspelled key is never ignored)',
      });
    }
    const hint =
      issue.code === 'invalid_type' && issue.input === undefined
        ? 'this field is required'
        : issue.code === 'invalid_value'
          ? `allowed values: ${issue.values.map((v) => String(v)).join(', ')}`
          : 'fix this value';
    return new VlaError(
      'CONFIG_INVALID',
      issue.input === undefined && issue.code === 'invalid_type' ? `missing required field (${issue.message})` : issue.message,
      {
        file: source.file,
        path: path.length === 0 ? '(document)' : path.join('.'),
        line: source.lineOf(path),
        hint,
      },
    );
  });
}
