/**
 * Errors are values with a code and a location, so callers can tell failures apart and the command line can
 * print one clear line (file, field or joint, what to do) instead of a stack trace.
 *
 * - `kind: 'input'`: bad input or configuration. The command line exits with 2.
 * - `kind: 'runtime'`: a run that failed for another reason. The command line exits with 1.
 */

export type ErrorKind = 'input' | 'runtime';

/**
 * Stable, machine-readable error codes and the kind each one has by default. Add new codes here; never reuse one
 * for a different meaning.
 */
const ERROR_CODES = {
  FILE_NOT_FOUND: 'input',
  FILE_UNREADABLE: 'input',
  XML_INVALID: 'input',
  XACRO_NOT_URDF: 'input',
  URDF_INVALID: 'input',
  URDF_UNSUPPORTED_JOINT: 'input',
  URDF_UNUSABLE_LIMIT: 'input',
  YAML_INVALID: 'input',
  CONFIG_INVALID: 'input',
  CONFIG_LOOSENS_LIMIT: 'input',
  CONFIG_UNKNOWN_JOINT: 'input',
  EMBODIMENT_NOT_FOUND: 'input',
  CHAIN_INVALID: 'input',
  POLICY_INVALID: 'input',
  MODEL_MISMATCH: 'input',
  MODEL_OUTPUT_INVALID: 'runtime',
  IMAGE_INVALID: 'input',
  TOKENIZER_INVALID: 'input',
  BAG_INVALID: 'input',
  BAG_UNSUPPORTED: 'input',
  BAG_TOPIC_MISSING: 'input',
  BAG_TOPIC_MISMATCH: 'input',
  MESSAGE_INVALID: 'input',
  ARGUMENT_INVALID: 'input',
  ROS_UNAVAILABLE: 'runtime',
  INFERENCE_FAILED: 'runtime',
  INFERENCE_TIMEOUT: 'runtime',
  INFERENCE_BUSY: 'runtime',
  EXECUTION_PROVIDER_UNAVAILABLE: 'input',
  POLICY_SERVER_UNREACHABLE: 'input',
  POLICY_SERVER_UNAUTHORIZED: 'input',
  POLICY_SERVER_ERROR: 'runtime',
  POLICY_SERVER_REPLY_INVALID: 'runtime',
  RUN_FAILED: 'runtime',
  COMMAND_REFUSED: 'runtime',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The kind an error code has unless its thrower says otherwise. */
export function defaultKindOf(code: ErrorCode): ErrorKind {
  return ERROR_CODES[code];
}

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
    this.kind = options.kind ?? defaultKindOf(code);
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

/**
 * Any thrown value as text for a person: a VlaError's `describe()` (location and hint included), an Error's
 * message, anything else as a string. The one way to turn an unknown error into a message.
 */
export function describeError(err: unknown): string {
  if (err instanceof VlaError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
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
