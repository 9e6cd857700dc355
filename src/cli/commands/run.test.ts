import { runCli } from '../../../test/support/runCli';
import { splitRosArgs } from './run';

/** Runs `fn` with ROS_DISTRO set to `value` (or unset), restoring it afterwards. */
async function withRosDistro<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.ROS_DISTRO;
  if (value === undefined) delete process.env.ROS_DISTRO;
  else process.env.ROS_DISTRO = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.ROS_DISTRO;
    else process.env.ROS_DISTRO = saved;
  }
}

function rclnodejsInstalled(): boolean {
  try {
    require.resolve('rclnodejs');
    return true;
  } catch {
    return false;
  }
}

describe('vla-bridge run', () => {
  it('without a sourced ROS 2 exits 2 with ROS_UNAVAILABLE and says what to do, without a stack', async () => {
    const r = await withRosDistro(undefined, () =>
      runCli(['run', '--embodiment', 'franka_panda', '--policy', 'policy', '--ros-args', '-p', 'dry_run:=true']),
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/ROS 2 is not sourced \(ROS_DISTRO is not set\)/);
    expect(r.stderr).toMatch(/-> source your ROS 2 setup and build the workspace; see README/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  (rclnodejsInstalled() ? it.skip : it)(
    'with ROS_DISTRO set but no rclnodejs (npm dropped it after a failed build) exits 2 saying how to see why',
    async () => {
      const r = await withRosDistro('jazzy', () => runCli(['run']));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/rclnodejs 2\.2\.0 cannot run with ROS 2 jazzy: it is not installed/);
      expect(r.stderr).toMatch(/npm ci --foreground-scripts[\s\S]*rcl 9\.2\.0/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('refuses a stray argument before --ros-args', async () => {
    const r = await runCli(['run', '--embodimnt', 'ur5e']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unexpected argument "--embodimnt"[\s\S]*after --ros-args/);
  });

  it('checks --embodiment before starting ROS', async () => {
    const r = await withRosDistro(undefined, () => runCli(['run', '--embodiment', 'no_such_robot']));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no shipped embodiment named "no_such_robot"/);
  });

  it('checks --execution-provider before starting ROS, naming an unknown provider', async () => {
    const r = await withRosDistro(undefined, () => runCli(['run', '--embodiment', 'franka_panda', '--execution-provider', 'cuda,tpu']));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--execution-provider: unknown execution provider "tpu"/);
    expect(r.stderr).not.toMatch(/ROS 2 is not sourced/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('documents its options and lifecycle in --help', async () => {
    const r = await runCli(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--embodiment <name-or-yaml>/);
    expect(r.stdout).toMatch(/--policy <dir>/);
    expect(r.stdout).toMatch(/--instruction <text>/);
    expect(r.stdout).toMatch(/--execution-provider <EPS>[\s\S]*node parameter\s+execution_provider/);
    expect(r.stdout).toMatch(/ros2 lifecycle set \/vla_bridge configure/);
  });
});

describe('splitRosArgs', () => {
  it('keeps everything from --ros-args on for rcl, and reports what comes before', () => {
    expect(splitRosArgs(['--ros-args', '-r', '__node:=arm_bridge', '-p', 'dry_run:=true'])).toEqual({
      rosArgs: ['--ros-args', '-r', '__node:=arm_bridge', '-p', 'dry_run:=true'],
      stray: [],
    });
    expect(splitRosArgs(['--', '--ros-args', '--log-level', 'debug'])).toEqual({
      rosArgs: ['--ros-args', '--log-level', 'debug'],
      stray: [],
    });
    expect(splitRosArgs(['extra', '--ros-args'])).toEqual({ rosArgs: ['--ros-args'], stray: ['extra'] });
    expect(splitRosArgs([])).toEqual({ rosArgs: [], stray: [] });
  });
});
