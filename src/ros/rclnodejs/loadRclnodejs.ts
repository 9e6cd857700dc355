import { VlaError } from '../../errors';
import type { Rclnodejs } from './rclnodejsApi';

/** The rclnodejs version the ROS code is written against (package.json optionalDependencies). */
export const RCLNODEJS_VERSION = '2.2.0';

const HINT = 'source your ROS 2 setup and build the workspace; see README (docs/ROS.md)';

export interface LoadRclnodejsOptions {
  /** Environment to read ROS_DISTRO from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Module loader (default `require`); tests pass one that fails. */
  requireModule?: (id: string) => unknown;
}

let cached: Rclnodejs | undefined;

/**
 * Loads rclnodejs lazily (only the ROS node needs it; everything else runs without ROS). A missing ROS 2
 * environment or a failed load is a ROS_UNAVAILABLE input error (exit 2) that says what to do, never a stack.
 */
export function loadRclnodejs(options: LoadRclnodejsOptions = {}): Rclnodejs {
  const custom = options.env !== undefined || options.requireModule !== undefined;
  if (cached !== undefined && !custom) return cached;
  const env = options.env ?? process.env;
  const distro = env.ROS_DISTRO;
  if (distro === undefined || distro === '') {
    throw new VlaError('ROS_UNAVAILABLE', 'ROS 2 is not sourced (ROS_DISTRO is not set), so the ROS node cannot start', {
      kind: 'input',
      hint: HINT,
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = options.requireModule ?? ((id: string): unknown => require(id));
  let mod: unknown;
  try {
    mod = load('rclnodejs');
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new VlaError('ROS_UNAVAILABLE', `rclnodejs ${RCLNODEJS_VERSION} could not be loaded for ROS 2 ${distro}: ${reason}`, {
      kind: 'input',
      hint: `${HINT}; with ROS 2 sourced, run \`npm ci\` in the package folder so rclnodejs builds against it`,
      cause: err,
    });
  }
  const rcl = ((mod as { default?: unknown }).default ?? mod) as Partial<Rclnodejs>;
  if (typeof rcl.init !== 'function' || typeof rcl.createLifecycleNode !== 'function') {
    throw new VlaError('ROS_UNAVAILABLE', `the module loaded as rclnodejs does not look like rclnodejs ${RCLNODEJS_VERSION} (no init/createLifecycleNode)`, {
      kind: 'input',
      hint: `reinstall it: npm ci (with ROS 2 sourced); vla_bridge is written against rclnodejs ${RCLNODEJS_VERSION}`,
    });
  }
  if (!custom) cached = rcl as Rclnodejs;
  return rcl as Rclnodejs;
}

/** True when ROS 2 is sourced and rclnodejs loads (the contract tests use it to decide whether to run). */
export function rclnodejsAvailable(env?: NodeJS.ProcessEnv): boolean {
  try {
    loadRclnodejs(env === undefined ? {} : { env });
    return true;
  } catch {
    return false;
  }
}
