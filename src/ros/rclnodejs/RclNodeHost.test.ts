import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParameterSpec } from '../host/NodeHost';
import { flush } from '../../../test/support/ros/FakeBridge';
import { FakeRclnodejs } from '../../../test/support/ros/FakeRclnodejs';
import { RclNodeHost } from './RclNodeHost';

const SPECS: ParameterSpec[] = [
  { name: 'embodiment', kind: 'string', default: '', description: 'the robot', readOnly: true },
  { name: 'autostart', kind: 'bool', default: false, description: 'start by itself', readOnly: true },
  { name: 'command_rate_hz', kind: 'double', default: 0, description: 'command rate', readOnly: true, range: { from: 0, to: 1000 } },
  { name: 'queue_depth', kind: 'integer', default: 1, description: 'an integer with a range', readOnly: false, range: { from: 1, to: 50 } },
  {
    name: 'status_rate_hz',
    kind: 'double',
    default: 5,
    description: 'status rate',
    readOnly: true,
    range: { from: 0.1, to: 100 },
    additionalConstraints: '0.1 Hz or faster',
  },
];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vla-host-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A params file as launch_ros or a user writes it, keyed by `key`. */
function paramsFile(key: string, body: string): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `${key}:\n  ros__parameters:\n${body.replace(/^/gm, '    ')}\n`);
  return file;
}

async function hostWith(rosArgs: string[], overrides: Record<string, string> = {}): Promise<{ rcl: FakeRclnodejs; host: RclNodeHost }> {
  const rcl = new FakeRclnodejs();
  await rcl.init(undefined, ['vla-bridge', '--ros-args', ...rosArgs]);
  const { host } = RclNodeHost.create({ rcl, native: rcl.native, nodeName: 'vla_bridge', overrides });
  return { rcl, host };
}

describe('RclNodeHost parameters from rcl rules', () => {
  it.each([
    ['/vla_bridge', []],
    ['vla_bridge', []],
    ['/**', []],
    ['/*', []],
    ['/**/vla_bridge', []],
    ['/ns/vla_bridge', ['-r', '__ns:=/ns']],
    ['/*/vla_bridge', ['-r', '__ns:=/ns']],
    ['/**/vla_bridge', ['-r', '__ns:=/a/b']],
  ])('a params file keyed %s reaches the node (%j)', async (key, extra) => {
    const file = paramsFile(key, 'embodiment: ur5e\nautostart: true\ncommand_rate_hz: 125');
    const { host } = await hostWith([...extra, '--params-file', file]);
    expect(Object.fromEntries(host.declareParameters(SPECS))).toMatchObject({ embodiment: 'ur5e', autostart: true, command_rate_hz: 125 });
  });

  it('finds what rclnodejs 2.2.0 alone misses (it looks only under /** and the bare name)', async () => {
    const { rcl, host } = await hostWith(['--params-file', paramsFile('/vla_bridge', 'embodiment: ur5e')]);
    expect(rcl.nodes[0]!.getParameterOverrides().map((p) => p.name)).not.toContain('embodiment');
    expect(host.declareParameters(SPECS).get('embodiment')).toBe('ur5e');
  });

  it('ignores entries for other nodes and namespaces', async () => {
    const file = paramsFile('/other', 'embodiment: ur5e');
    const nested = paramsFile('vla_bridge', 'embodiment: so101');
    const { host } = await hostWith(['-r', '__ns:=/ns', '--params-file', file, '--params-file', nested]);
    expect(host.declareParameters(SPECS).get('embodiment')).toBe('');
  });

  it("applies rules in rcl order and lets the program's own values win", async () => {
    const first = paramsFile('/vla_bridge', 'embodiment: ur5e\ncommand_rate_hz: 50.0');
    const second = paramsFile('/**', 'embodiment: so101');
    const { host } = await hostWith(['--params-file', first, '--params-file', second, '-p', 'vla_bridge:command_rate_hz:=200'], {
      embodiment: 'franka_panda',
    });
    expect(Object.fromEntries(host.declareParameters(SPECS))).toMatchObject({ embodiment: 'franka_panda', command_rate_hz: 200 });
  });

  it('refuses a value of the wrong type from a params file, naming the parameter', async () => {
    const { host } = await hostWith(['--params-file', paramsFile('/vla_bridge', 'autostart: maybe')]);
    expect(() => host.declareParameters(SPECS)).toThrow(/autostart must be true or false, got "maybe"/);
  });
});

describe('RclNodeHost with use_sim_time', () => {
  it('takes use_sim_time from a params file keyed /vla_bridge and reads /clock on one best-effort subscription', async () => {
    const { rcl, host } = await hostWith(['--params-file', paramsFile('/vla_bridge', 'use_sim_time: true')]);
    const node = rcl.nodes[0]!;
    expect(host.useSimTime).toBe(true);
    node.spin();
    const clockSubs = [...rcl.graph.subscriptions].filter((s) => s.topic === '/clock');
    expect(clockSubs).toHaveLength(1);
    expect(clockSubs[0]!.bestEffort).toBe(true);

    // rosbag2 publishes /clock best effort.
    const bag = rcl.createNode('rosbag2_player');
    const clock = bag.createPublisher('rosgraph_msgs/msg/Clock', '/clock', { qos: rcl.QoS.profileSensorData });
    clock.publish({ clock: { sec: 42, nanosec: 500_000_000 } });
    await flush();
    expect(rcl.graph.qosWarnings).toEqual([]);
    expect(host.clock.nowS()).toBe(42.5);
    // rclnodejs's own ROS clock (node.now(), timers) keeps ROS time too.
    expect(node._timeSource.lastTimeS).toBe(42.5);
  });

  it("makes rosbag2 warn about QoS when rclnodejs's own reliable /clock subscription is left in place (the fake models it)", async () => {
    const rcl = new FakeRclnodejs();
    await rcl.init(undefined, ['vla-bridge', '--ros-args', '-p', 'use_sim_time:=true']);
    const node = rcl.createNode('plain');
    node.spin();
    rcl
      .createNode('rosbag2_player')
      .createPublisher('rosgraph_msgs/msg/Clock', '/clock', { qos: rcl.QoS.profileSensorData })
      .publish({ clock: { sec: 1, nanosec: 0 } });
    await flush();
    expect(rcl.graph.qosWarnings).toEqual([
      expect.stringMatching(/^New subscription discovered on topic '\/clock', requesting incompatible QoS.*RELIABILITY$/),
    ]);
    expect(node._timeSource.lastTimeS).toBe(0);
  });
});

describe('RclNodeHost parameter descriptors', () => {
  it('shows each range in `ros2 param describe` (rclnodejs 2.2.0 drops the range it is given) and says it in words', async () => {
    const { rcl, host } = await hostWith([]);
    host.declareParameters(SPECS);
    const client = rcl.createNode('ros2cli').createClient('rcl_interfaces/srv/DescribeParameters', '/vla_bridge/describe_parameters');
    const answer = (await client.sendRequestAsync({ names: ['command_rate_hz', 'queue_depth', 'status_rate_hz', 'embodiment'] })) as {
      descriptors: Record<string, unknown>[];
    };
    const [rate, depth, status, embodiment] = answer.descriptors;
    expect(rate).toMatchObject({
      floating_point_range: [{ from_value: 0, to_value: 1000, step: 0 }],
      integer_range: [],
      additional_constraints: 'from 0 to 1000',
    });
    expect(depth).toMatchObject({ integer_range: [{ from_value: 1n, to_value: 50n, step: 1n }], floating_point_range: [] });
    expect(status).toMatchObject({
      floating_point_range: [{ from_value: 0.1, to_value: 100 }],
      additional_constraints: 'from 0.1 to 100; 0.1 Hz or faster',
    });
    expect(embodiment).toMatchObject({ integer_range: [], floating_point_range: [], read_only: true });
    // The ranges are still enforced.
    expect(host.setParameter('queue_depth', 51).successful).toBe(false);
    expect(host.setParameter('queue_depth', 7).successful).toBe(true);
  });
});
