import { isVlaError } from '../../errors';
import { FakeRclnodejs } from '../testing/FakeRclnodejs';
import { loadRclnodejs } from './loadRclnodejs';

function failure(fn: () => unknown): { code?: string; kind?: string; message: string; hint?: string } {
  try {
    fn();
  } catch (err) {
    if (isVlaError(err)) return { code: err.code, kind: err.kind, message: err.message, hint: err.hint };
    return { message: String(err) };
  }
  throw new Error('expected a failure');
}

describe('loadRclnodejs', () => {
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
        requireModule: () => {
          throw new Error("Cannot find module 'rclnodejs'\nRequire stack:\n- /x");
        },
      }),
    );
    expect(f).toMatchObject({ code: 'ROS_UNAVAILABLE', kind: 'input', message: "rclnodejs 2.2.0 could not be loaded for ROS 2 jazzy: Cannot find module 'rclnodejs'" });
    expect(f.hint).toMatch(/npm ci/);
  });

  it('accepts the module as CommonJS exports or as a default export, and refuses something else', () => {
    const rcl = new FakeRclnodejs();
    expect(loadRclnodejs({ env: { ROS_DISTRO: 'humble' }, requireModule: () => rcl })).toBe(rcl);
    expect(loadRclnodejs({ env: { ROS_DISTRO: 'humble' }, requireModule: () => ({ default: rcl }) })).toBe(rcl);
    expect(failure(() => loadRclnodejs({ env: { ROS_DISTRO: 'humble' }, requireModule: () => ({ version: '1' }) })).message).toMatch(/does not look like rclnodejs 2\.2\.0/);
  });
});
