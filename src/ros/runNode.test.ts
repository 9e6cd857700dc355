import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVlaError } from '../errors';
import { runNode } from './runNode';
import { FakeBridgeFactory, flush } from '../../test/support/ros/FakeBridge';
import { type FakeLifecycleNode, FakeRclnodejs } from '../../test/support/ros/FakeRclnodejs';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** runNode on a fresh fake rclnodejs, ended when the test resolves `end`; its progress lines in `lines`. */
function start(
  rosArgs: string[],
  factory: FakeBridgeFactory,
  parameters?: Record<string, string>,
): { rcl: FakeRclnodejs; end: () => void; lines: string[]; running: Promise<void> } {
  const rcl = new FakeRclnodejs();
  const end = deferred();
  const lines: string[] = [];
  const running = runNode({
    rosArgs,
    ...(parameters === undefined ? {} : { parameters }),
    loadRcl: () => rcl,
    loadNative: () => rcl.native,
    createBridge: factory.create,
    until: end.promise,
    log: (line) => lines.push(line),
  });
  return { rcl, end: end.resolve, lines, running };
}

describe('runNode', () => {
  it('starts the lifecycle node with the ROS arguments and command-line parameters, and stops the arm on the way out', async () => {
    const factory = new FakeBridgeFactory();
    const { rcl, end, lines, running } = start(
      ['--ros-args', '-r', '__node:=arm_bridge', '-p', 'status_rate_hz:=2', '-p', 'embodiment:=ur5e'],
      factory,
      {
        embodiment: 'franka_panda',
        policy: '/policies/demo',
      },
    );
    await flush();
    expect(rcl.initArgv).toEqual([
      'vla-bridge',
      '--ros-args',
      '-r',
      '__node:=arm_bridge',
      '-p',
      'status_rate_hz:=2',
      '-p',
      'embodiment:=ur5e',
    ]);
    expect(rcl.signalHandlersRemoved).toBe(true);
    const node = rcl.nodes[0] as FakeLifecycleNode;
    expect(node.name()).toBe('arm_bridge');
    expect(node.spinning).toBe(true);
    // The command line wins over -p; a whole number given for a double parameter is taken.
    expect(node.getParameter('embodiment').value).toBe('franka_panda');
    expect(node.getParameter('status_rate_hz').value).toBe(2);
    expect(node.currentState.label).toBe('unconfigured');

    // What `ros2 lifecycle set /arm_bridge configure|activate` does.
    expect(node.configure().label).toBe('inactive');
    const bridge = await factory.load();
    expect(node.activate().label).toBe('active');
    expect(bridge.calls).toEqual(['start']);
    expect(rcl.graph.services.has('/arm_bridge/reset')).toBe(true);

    end();
    await flush();
    expect(bridge.calls).toEqual(['start', 'stop']);
    bridge.finishStop();
    await running;
    expect(node.currentState.label).toBe('finalized');
    expect(bridge.calls).toEqual(['start', 'stop', 'close']);
    expect(node.destroyed).toBe(true);
    expect(rcl.isShutdown()).toBe(true);
    expect(lines).toEqual(['vla_bridge: stopping (controlled stop, then shutdown)']);
  });

  it('takes parameters from the params file launch_ros writes (keyed by the fully qualified name)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vla-run-'));
    const file = join(dir, 'launch_params.yaml');
    writeFileSync(
      file,
      '/vla_bridge:\n  ros__parameters:\n    embodiment: ur5e\n    policy: /policies/demo\n    autostart: false\n    dry_run: true\n',
    );
    const { rcl, end, running } = start(['--ros-args', '--params-file', file], new FakeBridgeFactory());
    await flush();
    const node = rcl.nodes[0] as FakeLifecycleNode;
    expect([node.getParameter('embodiment').value, node.getParameter('policy').value, node.getParameter('dry_run').value]).toEqual([
      'ur5e',
      '/policies/demo',
      true,
    ]);
    end();
    await running;
    rmSync(dir, { recursive: true, force: true });
  });

  it('execution_provider from the command line or -p reaches the pipeline as a list (the command line wins)', async () => {
    const factory = new FakeBridgeFactory();
    const parameters = { embodiment: 'franka_panda', policy: '/policies/demo', execution_provider: 'cuda,cpu' };
    const { rcl, end, running } = start(['--ros-args', '-p', 'execution_provider:=tensorrt'], factory, parameters);
    await flush();
    const node = rcl.nodes[0] as FakeLifecycleNode;
    expect(node.getParameter('execution_provider').value).toBe('cuda,cpu');
    expect(node.configure().label).toBe('inactive');
    expect(factory.settings[0]!.executionProviders).toEqual(['cuda', 'cpu']);
    end();
    await flush();
    factory.bridges[0]?.finishStop();
    await running;
  });

  it.each([
    ['/clock has stopped (a replayed bag has ended)', true, /^vla_bridge: \/clock has stopped/],
    ['no /clock ever arrived (use_sim_time, nothing publishing it)', false, /^vla_bridge: no \/clock ever arrived \(use_sim_time is true/],
  ])('ends a controlled stop at once when %s, and exits cleanly', async (_case, clockRan, logged) => {
    // The stop needs 0.5 s of ROS time, which does not advance without /clock.
    const factory = new FakeBridgeFactory({ loadAtOnce: true, stopTakesS: 0.5 });
    const { rcl, end, lines, running } = start(
      ['--ros-args', '-p', 'use_sim_time:=true', '-p', 'embodiment:=franka_panda', '-p', 'policy:=/policies/demo'],
      factory,
    );
    await flush();
    const node = rcl.nodes[0] as FakeLifecycleNode;
    if (clockRan) {
      const bag = rcl.createNode('rosbag2_player');
      const clock = bag.createPublisher('rosgraph_msgs/msg/Clock', '/clock', { qos: rcl.QoS.profileSensorData });
      clock.publish({ clock: { sec: 1700000000, nanosec: 0 } });
      await flush();
    }
    expect(node.configure().label).toBe('inactive');
    await flush();
    expect(node.activate().label).toBe('active');
    // No more /clock (or none at all). Then Ctrl-C.
    end();
    await running;
    const bridge = factory.bridges[0]!;
    expect(bridge.calls).toEqual(['start', 'stop', 'close']);
    expect(bridge.stopsCompleted).toBe(1);
    expect(node.currentState.label).toBe('finalized');
    expect(lines).toEqual(['vla_bridge: stopping (controlled stop, then shutdown)', expect.stringMatching(logged)]);
  });

  it('refuses a parameter of the wrong type naming it, and leaves ROS shut down', async () => {
    const rcl = new FakeRclnodejs();
    const error = await runNode({
      rosArgs: ['--ros-args', '-p', 'dry_run:=maybe'],
      loadRcl: () => rcl,
      loadNative: () => rcl.native,
      createBridge: new FakeBridgeFactory().create,
      until: new Promise(() => {}),
    }).catch((e: unknown) => e);
    expect(isVlaError(error) && error.code).toBe('CONFIG_INVALID');
    expect(String((error as Error).message)).toMatch(/dry_run must be true or false, got "maybe"/);
    expect(rcl.isShutdown()).toBe(true);
  });

  it('maps ROS arguments rcl cannot parse to ARGUMENT_INVALID', async () => {
    const rcl = new FakeRclnodejs();
    const error = await runNode({
      rosArgs: ['--ros-args', '--bogus'],
      loadRcl: () => rcl,
      loadNative: () => rcl.native,
      until: new Promise(() => {}),
    }).catch((e: unknown) => e);
    expect(isVlaError(error) && error.code).toBe('ARGUMENT_INVALID');
    expect(String((error as Error).message)).toMatch(/--bogus/);
  });
});
