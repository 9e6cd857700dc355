import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { describeError, VlaError } from '../../errors';
import type { RclNative, Rclnodejs } from './rclnodejsApi';

/** The rclnodejs version the ROS code is written against (package.json optionalDependencies). */
export const RCLNODEJS_VERSION = '2.2.0';

const HINT = 'source your ROS 2 setup and build the workspace; see README (docs/ROS.md)';
const VERSIONS =
  'rclnodejs 2.2.0 does not compile against rcl 9.2.0 (early Jazzy builds: ' +
  'rcl_timer_get_next_call_time is missing); docs/ROS.md lists the ROS 2 versions that work';
/** npm drops an optional dependency whose native build failed, or keeps it unbuilt, and says "up to date" either way. */
const REBUILD = `with ROS 2 sourced, run \`npm rebuild rclnodejs --foreground-scripts\` in the package folder and read its compiler errors; ${VERSIONS}`;
const REINSTALL =
  `with ROS 2 sourced, run \`npm ci --foreground-scripts\` in the package folder and ` +
  `read rclnodejs's compiler errors (npm drops an optional dependency whose build failed and still ` +
  `reports success); ${VERSIONS}`;

export interface LoadRclnodejsOptions {
  /** Environment to read ROS_DISTRO from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Module loader (default `require`); tests pass one that fails. */
  requireModule?: (id: string) => unknown;
  /** Where rclnodejs's package.json is, or undefined when it is not installed (default: require.resolve). */
  resolvePackage?: () => string | undefined;
}

let cached: Rclnodejs | undefined;

/**
 * Loads rclnodejs lazily (only the ROS node needs it; everything else runs without ROS). A missing ROS 2
 * environment or a failed load is a ROS_UNAVAILABLE input error (exit 2) that says what to do, never a stack.
 */
export function loadRclnodejs(options: LoadRclnodejsOptions = {}): Rclnodejs {
  const custom = options.env !== undefined || options.requireModule !== undefined || options.resolvePackage !== undefined;
  if (cached !== undefined && !custom) return cached;
  const env = options.env ?? process.env;
  const distro = env.ROS_DISTRO;
  if (distro === undefined || distro === '') {
    throw new VlaError('ROS_UNAVAILABLE', 'ROS 2 is not sourced (ROS_DISTRO is not set), so the ROS node cannot start', {
      kind: 'input',
      hint: HINT,
    });
  }
  const packageJson = (options.resolvePackage ?? resolveRclnodejsPackage)();
  const missing = packageJson === undefined ? 'it is not installed' : missingAddon(dirname(packageJson), distro, env);
  if (missing !== undefined) {
    // Without its native addon, require('rclnodejs') starts a node-gyp build of several minutes: say why instead.
    throw new VlaError('ROS_UNAVAILABLE', `rclnodejs ${RCLNODEJS_VERSION} cannot run with ROS 2 ${distro}: ${missing}`, {
      kind: 'input',
      hint: packageJson === undefined ? REINSTALL : REBUILD,
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = options.requireModule ?? ((id: string): unknown => require(id));
  let mod: unknown;
  try {
    mod = load('rclnodejs');
  } catch (err) {
    const reason = describeError(err).split('\n')[0];
    throw new VlaError('ROS_UNAVAILABLE', `rclnodejs ${RCLNODEJS_VERSION} could not be loaded for ROS 2 ${distro}: ${reason}`, {
      kind: 'input',
      hint: `${HINT}; ${REBUILD}`,
      cause: err,
    });
  }
  const rcl = ((mod as { default?: unknown }).default ?? mod) as Partial<Rclnodejs>;
  if (typeof rcl.init !== 'function' || typeof rcl.createLifecycleNode !== 'function') {
    throw new VlaError(
      'ROS_UNAVAILABLE',
      `the module loaded as rclnodejs does not look like rclnodejs ${RCLNODEJS_VERSION} (no init/createLifecycleNode)`,
      {
        kind: 'input',
        hint: `reinstall it: npm ci (with ROS 2 sourced); vla_bridge is written against rclnodejs ${RCLNODEJS_VERSION}`,
      },
    );
  }
  if (!custom) cached = rcl as Rclnodejs;
  return rcl as Rclnodejs;
}

function resolveRclnodejsPackage(): string | undefined {
  try {
    return require.resolve('rclnodejs/package.json');
  } catch {
    return undefined;
  }
}

/**
 * Why rclnodejs's native addon cannot load, or undefined when it can: the addon its loader (lib/native_loader.js)
 * looks for, a build in build/Release or a prebuilt binary for this ROS distribution, Ubuntu release and
 * architecture (it ships them for Ubuntu only).
 */
function missingAddon(packageDir: string, distro: string, env: NodeJS.ProcessEnv): string | undefined {
  if (existsSync(join(packageDir, 'build', 'Release', 'rclnodejs.node')) || env.RCLNODEJS_FORCE_BUILD === '1') return undefined;
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(readText('/etc/os-release'))?.[1]?.trim();
  const prebuilt = join(packageDir, 'prebuilds', `linux-${process.arch}`, `${distro}-${codename}-${process.arch}-node-rclnodejs.node`);
  if (codename !== undefined && existsSync(prebuilt)) return undefined;
  return (
    `its native addon was never built ` +
    `(${join('node_modules', 'rclnodejs', 'build', 'Release', 'rclnodejs.node')} is missing, and ` +
    `it ships no prebuilt one for ${distro} on this system)`
  );
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * rclnodejs's native addon, as its own loader loaded it (call after loadRclnodejs). rclnodejs keeps it private
 * and reads only some of what rcl parsed through it (parameter rules under `/**` and the bare node name), so the
 * node host reads the rules itself. Node caches a loaded addon by its file, whichever copy of the loader asked.
 */
export function loadRclnodejsNative(cache: NodeJS.Dict<NodeJS.Module> = require.cache): RclNative {
  for (const [file, mod] of Object.entries(cache)) {
    if (!file.endsWith('.node') || !file.includes(`${sep}rclnodejs${sep}`)) continue;
    const addon = mod?.exports as Partial<RclNative> | undefined;
    if (typeof addon?.getParameterOverrides === 'function') return addon as RclNative;
  }
  throw new VlaError(
    'ROS_UNAVAILABLE',
    `rclnodejs ${RCLNODEJS_VERSION} is loaded but its native addon was not found among the loaded modules`,
    {
      kind: 'input',
      hint: `reinstall it with ROS 2 sourced (${REBUILD})`,
    },
  );
}
