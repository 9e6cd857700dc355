/**
 * The only command type a publisher accepts. It can be created only inside src/safety (by `mintSafeCommand`,
 * which is not exported from the package index), and every publisher checks `isSafeCommand` at run time too:
 * a value built by hand or cast to this type is refused. Bypassing the safety layer is therefore impossible by
 * construction, not by convention.
 */

declare const safeBrand: unique symbol;

interface SafeBase {
  readonly [safeBrand]: true;
  /** Time the command is for, seconds (the clock's time base). */
  readonly stampS: number;
}

/** Joint positions (and the velocities they imply), in the embodiment's command joint order. */
export interface SafeJointCommand extends SafeBase {
  readonly kind: 'joint';
  readonly jointNames: readonly string[];
  /** Positions in rad or m. */
  readonly positions: Float64Array;
  /** (q_k - q_{k-1}) / dt_k, rad/s or m/s. */
  readonly velocities: Float64Array;
  /** True while the layer is holding (e-stop, watchdog, non-finite proposal). */
  readonly holding: boolean;
}

/** The gripper joint that rides with a Cartesian command: position rad or m, velocity rad/s or m/s. */
export interface SafeGripperCommand {
  readonly joint: string;
  readonly position: number;
  readonly velocity: number;
}

/** End-effector twist in `frameId`: linear m/s, angular rad/s; the gripper when the embodiment has one. */
export interface SafeTwistCommand extends SafeBase {
  readonly kind: 'twist';
  readonly frameId: string;
  readonly linearMPerS: readonly [number, number, number];
  readonly angularRadPerS: readonly [number, number, number];
  readonly gripper?: SafeGripperCommand;
  readonly holding: boolean;
}

/** End-effector pose in `frameId`: position m, orientation quaternion (x, y, z, w); the gripper when there is one. */
export interface SafePoseCommand extends SafeBase {
  readonly kind: 'pose';
  readonly frameId: string;
  readonly positionM: readonly [number, number, number];
  readonly orientationXyzw: readonly [number, number, number, number];
  readonly gripper?: SafeGripperCommand;
  readonly holding: boolean;
}

export type SafeCommand = SafeJointCommand | SafeTwistCommand | SafePoseCommand;

type Unbranded<T> = Omit<T, typeof safeBrand>;
export type SafeCommandFields = Unbranded<SafeJointCommand> | Unbranded<SafeTwistCommand> | Unbranded<SafePoseCommand>;

/**
 * The brand: a private field only this class can give. Unlike a property or a prototype it cannot be copied,
 * spread, cast or forged (`Object.create`, `setPrototypeOf` and structured clones do not carry it), and unlike
 * a WeakSet of minted commands it costs the garbage collector nothing at 1 kHz.
 */
class Minted {
  /**
   * The brand, and what a joint command's typed arrays held when it was minted (positions, then velocities):
   * a typed array cannot be frozen, so a publisher compares them before sending and refuses a command changed
   * since. Every other array is a frozen copy.
   */
  readonly #minted: readonly Float64Array[];

  constructor(fields: SafeCommandFields) {
    Object.assign(this, fields);
    const own = this as unknown as Record<string, unknown>;
    if (fields.kind === 'joint') {
      own.positions = fields.positions.slice();
      own.velocities = fields.velocities.slice();
      this.#minted = [fields.positions.slice(), fields.velocities.slice()];
    } else {
      this.#minted = [];
      if (fields.gripper !== undefined) own.gripper = Object.freeze({ ...fields.gripper });
      if (fields.kind === 'twist') {
        own.linearMPerS = Object.freeze(fields.linearMPerS.slice());
        own.angularRadPerS = Object.freeze(fields.angularRadPerS.slice());
      } else {
        own.positionM = Object.freeze(fields.positionM.slice());
        own.orientationXyzw = Object.freeze(fields.orientationXyzw.slice());
      }
    }
    Object.freeze(this);
  }

  static has(value: object): boolean {
    return #minted in value;
  }

  /** True when a joint command's positions and velocities still hold what they held at minting. */
  static intact(value: Minted): boolean {
    const minted = value.#minted;
    if (minted.length === 0) return true;
    const command = value as unknown as SafeJointCommand;
    return same(command.positions, minted[0]!) && same(command.velocities, minted[1]!);
  }
}

function same(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Brands a command that has passed the safety layer. Internal to src/safety: do not export it from the package
 * index and do not call it anywhere else.
 */
export function mintSafeCommand<T extends SafeCommandFields>(fields: T): T & SafeBase {
  return new Minted(fields) as unknown as T & SafeBase;
}

/** True only for commands minted by the safety layer in this process. */
export function isSafeCommand(value: unknown): value is SafeCommand {
  return typeof value === 'object' && value !== null && Minted.has(value);
}

/**
 * Why `value` must not be sent, or undefined when it may: it was not minted by the safety layer, or one of
 * its values was changed after the layer checked it. Publishers call it before sending.
 */
export function unsafeReason(value: unknown): string | undefined {
  if (!isSafeCommand(value)) return 'the command did not come from the safety layer';
  if (!Minted.intact(value as unknown as Minted)) return 'the command was changed after the safety layer checked it';
  return undefined;
}
