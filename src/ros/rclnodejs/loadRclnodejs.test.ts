import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVlaError } from '../../errors';
import { FakeRclnodejs } from '../../../test/support/ros/FakeRclnodejs';
import { loadRclnodejs, loadRclnodejsNative } from './loadRclnodejs';

function failure(fn: () => unknown): { code?: string; kind?: string; message: string; hint?: string } {
  try {
    fn();
  } catch (err) {
    if (isVlaError(err)) return { code: err.code, kind: err.kind, message: err.message, hint: err.hint };
    return { message: String(err) };
  }
  throw new Error('expected a failure');
}

/** An installed rclnodejs package folder, with its native addon built or not. */
function installed(built: boolean): { packageJson: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rclnodejs-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"rclnodejs","version":"2.2.0"}');
  if (built) {
    mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
    writeFileSync(join(dir, 'build', 'Release', 'rclnodejs.node'), '');
  }
  return { packageJson: join(dir, 'package.json'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('loadRclnodejs', () => {
  let built: ReturnType<typeof installed>;
  beforeAll(() => (built = installed(true)));
  afterAll(() => built.remove());

  it('is ROS_UNAVAILABLE (an input error: exit 2) without ROS_DISTRO, and does not try to load', () => {
    let tried = false;
    const f = failure(() => loadRclnodejs({ env: {}, requireModule: () => ((tried = true), {}) }));
    expect(f).toMatchObject({ code: 'ROS_UNAVAILABLE', kind: 'input', message: expect.stringMatching(/ROS_DISTRO is not set/) });
    expect(tried).toBe(false);
  });

  it('names the distribution and the cause when rclnodejs does not load', () => {
    const f = failure(() =>
      loadRclnodejs({
        env: { ROS_DISTRO: 'jazzy' },
        resolvePackage: () => built.packageJson,
        requireModule: () => {
          throw new Error("Cannot find module 'rclnodejs'\nRequire stack:\n- /x");
        },
      }),
    );
    expect(f).toMatchObject({
      code: 'ROS_UNAVAILABLE',
      kind: 'input',
      message: "rclnodejs 2.2.0 could not be loaded for ROS 2 jazzy: Cannot find module 'rclnodejs'",
    });
    expect(f.hint).toMatch(/npm rebuild rclnodejs/);
  });

  it('says what to do, without loading it, when rclnodejs is missing or its native addon was never built', () => {
    const unbuilt = installed(false);
    try {
      let tried = false;
      const requireModule = (): unknown => ((tried = true), {});
      const f = failure(() => loadRclnodejs({ env: { ROS_DISTRO: 'jazzy' }, resolvePackage: () => unbuilt.packageJson, requireModule }));
      expect(f).toMatchObject({
        code: 'ROS_UNAVAILABLE',
        kind: 'input',
        message: expect.stringMatching(/^rclnodejs 2\.2\.0 cannot run with ROS 2 jazzy: its native addon was never built/),
      });
      expect(f.hint).toMatch(/npm rebuild rclnodejs[\s\S]*rcl 9\.2\.0[\s\S]*rcl_timer_get_next_call_time/);
      const absent = failure(() => loadRclnodejs({ env: { ROS_DISTRO: 'jazzy' }, resolvePackage: () => undefined, requireModule }));
      expect(absent.message).toMatch(/it is not installed/);
      expect(absent.hint).toMatch(/npm ci --foreground-scripts[\s\S]*drops an optional dependency whose build failed/);
      expect(tried).toBe(false);
    } finally {
      unbuilt.remove();
    }
  });

  it('finds the native addon rclnodejs loaded, by its file', () => {
    const addon = { getParameterOverrides: () => undefined };
    const cache = {
      [join('/x', 'node_modules', 'rclnodejs', 'build', 'Release', 'rclnodejs.node')]: { exports: addon },
    } as unknown as NodeJS.Dict<NodeJS.Module>;
    expect(loadRclnodejsNative(cache)).toBe(addon);
    expect(failure(() => loadRclnodejsNative({})).code).toBe('ROS_UNAVAILABLE');
  });

  it('accepts the module as CommonJS exports or as a default export, and refuses something else', () => {
    const rcl = new FakeRclnodejs();
    const resolvePackage = (): string => built.packageJson;
    expect(loadRclnodejs({ env: { ROS_DISTRO: 'humble' }, resolvePackage, requireModule: () => rcl })).toBe(rcl);
    expect(loadRclnodejs({ env: { ROS_DISTRO: 'humble' }, resolvePackage, requireModule: () => ({ default: rcl }) })).toBe(rcl);
    expect(
      failure(() => loadRclnodejs({ env: { ROS_DISTRO: 'humble' }, resolvePackage, requireModule: () => ({ version: '1' }) })).message,
    ).toMatch(/does not look like rclnodejs 2\.2\.0/);
  });
});
