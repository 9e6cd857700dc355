import type { ParsedDefinitions } from './parseDefinitionText';

/**
 * The first field a message object lacks, as a dotted path (`header.stamp.sec`, `points[2].positions`), or
 * undefined when every field of the definition is present. Serializers fill missing fields with zeros, which
 * would record a wrong message silently.
 */
export function missingField(definitions: ParsedDefinitions, message: unknown): string | undefined {
  const byName = new Map(definitions.map((d) => [d.name ?? '', d]));
  const root = definitions[0];
  if (root === undefined) return undefined;
  const check = (fields: ParsedDefinitions[number]['definitions'], value: unknown, path: string): string | undefined => {
    if (typeof value !== 'object' || value === null) return path === '' ? '(the message is not an object)' : path;
    const record = value as Record<string, unknown>;
    for (const field of fields) {
      if (field.isConstant === true) continue;
      const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
      const v = record[field.name];
      if (v === undefined || v === null) return fieldPath;
      const nested =
        field.isComplex === true ? byName.get(field.type) : field.type === 'time' || field.type === 'duration' ? TIME : undefined;
      if (nested === undefined) continue;
      if (field.isArray === true) {
        if (typeof (v as { length?: unknown }).length !== 'number') return fieldPath;
        const items = v as ArrayLike<unknown>;
        for (let i = 0; i < items.length; i++) {
          const missing = check(nested.definitions, items[i], `${fieldPath}[${i}]`);
          if (missing !== undefined) return missing;
        }
      } else {
        const missing = check(nested.definitions, v, fieldPath);
        if (missing !== undefined) return missing;
      }
    }
    return undefined;
  };
  return check(root.definitions, message, '');
}

const TIME: ParsedDefinitions[number] = {
  definitions: [
    { name: 'sec', type: 'int32' },
    { name: 'nanosec', type: 'uint32' },
  ],
};
