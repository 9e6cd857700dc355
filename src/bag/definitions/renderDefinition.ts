import type { ParsedDefinitions } from './parseDefinitionText';

type Definition = ParsedDefinitions[number];
type Field = Definition['definitions'][number];

/** ROS 1 builtins that @foxglove's ROS 2 definitions still use for builtin_interfaces. */
const BUILTIN_TYPES: Readonly<Record<string, string>> = {
  time: 'builtin_interfaces/Time',
  duration: 'builtin_interfaces/Duration',
};

function renderField(field: Field): string {
  const baseType = BUILTIN_TYPES[field.type] ?? field.type;
  const bounded = field.type === 'string' && field.upperBound !== undefined ? `string<=${field.upperBound}` : baseType;
  if (field.isConstant === true) return `${bounded} ${field.name}=${field.valueText ?? String(field.value)}`;
  let array = '';
  if (field.isArray === true) {
    if (field.arrayLength !== undefined) array = `[${field.arrayLength}]`;
    else if (field.arrayUpperBound !== undefined) array = `[<=${field.arrayUpperBound}]`;
    else array = '[]';
  }
  return `${bounded}${array} ${field.name}`;
}

/** The .msg text of one parsed definition (fields and constants; comments and default values are not kept). */
export function renderDefinition(definition: Definition): string {
  return definition.definitions.map((field) => `${renderField(field)}\n`).join('');
}
