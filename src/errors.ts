/**
 * Errors are values with a code and a location, so callers can tell failures apart and the command line can
 * print one clear line (file, field or joint, what to do) instead of a stack trace.
 *
 * - `kind: 'input'`: bad input or configuration. The command line exits with 2.
 * - `kind: 'runtime'`: a run that failed for another reason. The command line exits with 1.
 */

export type ErrorKind = 'input' | 'runtime';

/** Stable, machine-readable error codes. Add new codes here; never reuse one for a different meaning. */
export type ErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'XML_INVALID'
  | 'XACRO_NOT_URDF'
  | 'URDF_INVALID'
  | 'URDF_UNSUPPORTED_JOINT'
  | 'URDF_UNUSABLE_LIMIT'
  | 'YAML_INVALID'
  | 'CONFIG_INVALID'
  | 'CONFIG_LOOSENS_LIMIT'
  | 'CONFIG_UNKNOWN_JOINT'
  | 'EMBODIMENT_NOT_FOUND'
  | 'CHAIN_INVALID'
  | 'POLICY_INVALID'
  | 'MODEL_MISMATCH'
  | 'MODEL_OUTPUT_INVALID'
  | 'IMAGE_INVALID'
  | 'TOKENIZER_INVALID'
  | 'BAG_INVALID'
  | 'BAG_UNSUPPORTED'
  | 'BAG_TOPIC_MISSING'
  | 'BAG_TOPIC_MISMATCH'
  | 'MESSAGE_INVALID'
  | 'ARGUMENT_INVALID'
  | 'ROS_UNAVAILABLE'
  | 'INFERENCE_FAILED'
  | 'INFERENCE_TIMEOUT'
  | 'INFERENCE_BUSY'
  | 'RUN_FAILED'
  | 'COMMAND_REFUSED';

export interface ErrorLocation {
  /** The file the problem is in. */
  file?: string;
  /** The field inside it, as a dotted path (`safety.joints.panda_joint1.max_velocity`), or an element name. */
  path?: string;
  /** 1-based line in the file, where known. */
  line?: number;
  /** The joint concerned, where there is one. */
  joint?: string;
}

export interface VlaErrorOptions extends ErrorLocation {
  /** What the user can do about it. */
  hint?: string;
  kind?: ErrorKind;
  cause?: unknown;
}

const INPUT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'XML_INVALID',
  'XACRO_NOT_URDF',
  'URDF_INVALID',
  'URDF_UNSUPPORTED_JOINT',
  'URDF_UNUSABLE_LIMIT',
  'YAML_INVALID',
  'CONFIG_INVALID',
  'CONFIG_LOOSENS_LIMIT',
  'CONFIG_UNKNOWN_JOINT',
  'EMBODIMENT_NOT_FOUND',
  'CHAIN_INVALID',
  'POLICY_INVALID',
  'MODEL_MISMATCH',
  'IMAGE_INVALID',
  'TOKENIZER_INVALID',
  'BAG_INVALID',
  'BAG_UNSUPPORTED',
  'BAG_TOPIC_MISSING',
  'BAG_TOPIC_MISMATCH',
  'MESSAGE_INVALID',
  'ARGUMENT_INVALID',
]);

export class VlaError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly file?: string;
  readonly path?: string;
  readonly line?: number;
  readonly joint?: string;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: VlaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VlaError';
    this.code = code;
    this.kind = options.kind ?? (INPUT_CODES.has(code) ? 'input' : 'runtime');
    this.file = options.file;
    this.path = options.path;
    this.line = options.line;
    this.joint = options.joint;
    this.hint = options.hint;
  }

  /** One line for a person: `file:line: path: message (hint)`. */
  describe(): string {
    const where = [this.file === undefined ? undefined : this.line === undefined ? this.file : `${this.file}:${this.line}`, this.path]
      .filter((part): part is string => part !== undefined && part !== '')
      .join(': ');
    const head = where === '' ? this.message : `${where}: ${this.message}`;
    return this.hint === undefined ? head : `${head}\n  -> ${this.hint}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      kind: this.kind,
      message: this.message,
      file: this.file,
      path: this.path,
      line: this.line,
      joint: this.joint,
      hint: this.hint,
    };
  }
}

export function isVlaError(value: unknown): value is VlaError {
  return value instanceof VlaError;
}

/** Several problems found in one file, reported together (a config with three bad fields names all three). */
export class VlaErrorList extends VlaError {
  readonly errors: readonly VlaError[];

  constructor(errors: readonly VlaError[]) {
    const first = errors[0];
    if (first === undefined) throw new RangeError('VlaErrorList needs at least one error');
    super(first.code, errors.length === 1 ? first.message : `${errors.length} problems`, {
      file: first.file,
      kind: errors.some((e) => e.kind === 'runtime') ? 'runtime' : 'input',
    });
    this.errors = errors;
  }

  override describe(): string {
    return this.errors.length === 1 ? this.errors[0]!.describe() : this.errors.map((e) => e.describe()).join('\n');
  }
}
