import type { ImageMsg, JointStateMsg, StringMsg } from '../../../src/msgs/rosMessages';
import type { NodeHost, ParameterSpec } from '../../../src/ros/host/NodeHost';
import type { ServiceRequest, ServiceResponse, ServiceType } from '../../../src/ros/host/serviceTypes';
import type { RclNative, RclNode, Rclnodejs } from '../../../src/ros/rclnodejs/rclnodejsApi';
import { RclNodeHost } from '../../../src/ros/rclnodejs/RclNodeHost';
import { RosTransport } from '../../../src/ros/rclnodejs/RosTransport';
import { ManualClock } from '../../../src/time/ManualClock';
import type { Transport } from '../../../src/transport/Transport';

/**
 * One set of behavioural checks for the message-level Transport and the NodeHost, written once and run by two
 * runners: jest (the in-process implementations and the fake rclnodejs, test/ros/RosTransport.contract.test.ts)
 * and plain Node's test runner (the real rclnodejs, which cannot load inside jest: test/ros/contract/real.ts).
 */

/** What a suite needs from its test runner: jest's globals, or node:test plus the `expect` package. */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void> | void): void;
  beforeAll(fn: () => Promise<void> | void): void;
  afterAll(fn: () => Promise<void> | void): void;
  beforeEach(fn: () => Promise<void> | void): void;
  afterEach(fn: () => Promise<void> | void): void;
  expect: typeof import('expect').expect;
}

export interface TransportPair {
  /** Where the test publishes. */
  sender: Transport;
  /** Where the test subscribes. */
  receiver: Transport;
  close(): Promise<void>;
}

export interface HostUnderTest {
  host: NodeHost;
  call<S extends ServiceType>(type: S, name: string, request: ServiceRequest<S>): Promise<ServiceResponse<S>>;
  close(): Promise<void>;
}

/** Waits (in wall time, bounded) until `done()`, calling `poke` meanwhile: ROS discovery takes a moment. */
async function eventually(done: () => boolean, poke: () => void = () => undefined, limitMs = 5000): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    poke();
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (done()) return;
    if (Date.now() > end) throw new Error('condition not met in time');
  }
}

let topicCounter = 0;
const freshTopic = (stem: string): string => `/vla_contract/${stem}_${process.pid}_${++topicCounter}`;

export function transportContract(t: TestApi, label: string, open: () => Promise<TransportPair>): void {
  t.describe(`Transport contract: ${label}`, () => {
    let pair: TransportPair;
    t.beforeEach(async () => {
      pair = await open();
    });
    t.afterEach(async () => {
      await pair.close();
    });

    t.it('delivers a message with its fields (reliable)', async () => {
      const topic = freshTopic('string');
      const got: StringMsg[] = [];
      pair.receiver.subscribe(topic, 'std_msgs/msg/String', (m) => got.push(m));
      const pub = pair.sender.createPublisher(topic, 'std_msgs/msg/String');
      await eventually(
        () => got.length > 0,
        () => pub.publish({ data: 'pick up the cup' }),
      );
      t.expect(got[0]).toEqual({ data: 'pick up the cup' });
      t.expect(pub.topic).toBe(topic);
      t.expect(pub.type).toBe('std_msgs/msg/String');
    });

    t.it('delivers joint states and images with sensor-data QoS, numeric arrays intact', async () => {
      const jsTopic = freshTopic('joint_states');
      const imTopic = freshTopic('image');
      const states: JointStateMsg[] = [];
      const images: ImageMsg[] = [];
      pair.receiver.subscribe(jsTopic, 'sensor_msgs/msg/JointState', (m) => states.push(m), { qos: 'sensor_data' });
      pair.receiver.subscribe(imTopic, 'sensor_msgs/msg/Image', (m) => images.push(m), { qos: 'sensor_data' });
      const jsPub = pair.sender.createPublisher(jsTopic, 'sensor_msgs/msg/JointState', { qos: 'sensor_data' });
      const imPub = pair.sender.createPublisher(imTopic, 'sensor_msgs/msg/Image', { qos: 'sensor_data' });
      const state: JointStateMsg = {
        header: { stamp: { sec: 12, nanosec: 500 }, frame_id: 'base' },
        name: ['j1', 'j2'],
        position: Float64Array.from([0.25, -1.5]),
        velocity: Float64Array.from([0, 0.125]),
        effort: new Float64Array(0),
      };
      const image: ImageMsg = {
        header: { stamp: { sec: 1, nanosec: 2 }, frame_id: 'camera' },
        height: 2,
        width: 3,
        encoding: 'rgb8',
        is_bigendian: 0,
        step: 9,
        data: Uint8Array.from({ length: 18 }, (_, i) => i * 7),
      };
      await eventually(
        () => states.length > 0 && images.length > 0,
        () => {
          jsPub.publish(state);
          imPub.publish(image);
        },
      );
      const s = states[0]!;
      t.expect(s.name).toEqual(['j1', 'j2']);
      t.expect(Array.from(s.position)).toEqual([0.25, -1.5]);
      t.expect(Array.from(s.velocity)).toEqual([0, 0.125]);
      t.expect(s.header).toEqual(state.header);
      const im = images[0]!;
      t.expect([im.width, im.height, im.step, im.encoding]).toEqual([3, 2, 9, 'rgb8']);
      t.expect(Array.from(im.data)).toEqual(Array.from(image.data));
    });

    t.it('stops delivering after unsubscribe, and after close', async () => {
      const topic = freshTopic('unsub');
      const a: StringMsg[] = [];
      const b: StringMsg[] = [];
      const unsubscribe = pair.receiver.subscribe(topic, 'std_msgs/msg/String', (m) => a.push(m));
      pair.receiver.subscribe(topic, 'std_msgs/msg/String', (m) => b.push(m));
      const pub = pair.sender.createPublisher(topic, 'std_msgs/msg/String');
      await eventually(
        () => a.length > 0 && b.length > 0,
        () => pub.publish({ data: 'x' }),
      );
      unsubscribe();
      unsubscribe();
      const before = a.length;
      const bBefore = b.length;
      await eventually(
        () => b.length > bBefore + 2,
        () => pub.publish({ data: 'y' }),
      );
      t.expect(a.length).toBe(before);
      await pair.receiver.close();
      const afterClose = b.length;
      pub.publish({ data: 'z' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      t.expect(b.length).toBe(afterClose);
    });

    t.it('keeps one message type per topic', () => {
      const topic = freshTopic('typed');
      pair.sender.createPublisher(topic, 'std_msgs/msg/String');
      t.expect(() => pair.sender.createPublisher(topic, 'std_msgs/msg/Bool')).toThrow(
        /carries std_msgs\/msg\/String, not std_msgs\/msg\/Bool/,
      );
    });

    t.it('has a clock', () => {
      t.expect(Number.isFinite(pair.sender.clock.nowS())).toBe(true);
    });
  });
}

export const SPECS: ParameterSpec[] = [
  { name: 'contract_name', kind: 'string', default: 'none', description: 'A string parameter for the contract test', readOnly: true },
  {
    name: 'contract_rate_hz',
    kind: 'double',
    default: 10,
    description: 'A double parameter with a range',
    readOnly: false,
    range: { from: 1, to: 100 },
  },
  { name: 'contract_flag', kind: 'bool', default: false, description: 'A boolean parameter', readOnly: false },
];

export function hostContract(
  t: TestApi,
  label: string,
  open: (overrides: Record<string, string | number | boolean>) => Promise<HostUnderTest>,
): void {
  t.describe(`NodeHost contract: ${label}`, () => {
    let h: HostUnderTest;
    t.afterEach(async () => {
      await h.close();
    });

    t.it('declares parameters with overrides (a whole number given for a double is taken) and refuses read-only changes', async () => {
      h = await open({ contract_name: 'given', contract_rate_hz: 50 });
      const values = h.host.declareParameters(SPECS);
      t.expect(Object.fromEntries(values)).toEqual({ contract_name: 'given', contract_rate_hz: 50, contract_flag: false });
      t.expect(h.host.setParameter('contract_name', 'changed').successful).toBe(false);
      t.expect(h.host.setParameter('contract_rate_hz', 500).successful).toBe(false);
      t.expect(h.host.setParameter('contract_rate_hz', 20.5).successful).toBe(true);
      t.expect(h.host.getParameter('contract_rate_hz')).toBe(20.5);
      t.expect(h.host.useSimTime).toBe(false);
    });

    t.it('lets a change handler veto a change', async () => {
      h = await open({});
      h.host.declareParameters(SPECS);
      h.host.onParameterChange((name, value) =>
        name === 'contract_flag' && value === true ? { successful: false, reason: 'not now' } : { successful: true, reason: '' },
      );
      t.expect(h.host.setParameter('contract_flag', true)).toEqual({ successful: false, reason: 'not now' });
      t.expect(h.host.getParameter('contract_flag')).toBe(false);
    });

    t.it('runs the lifecycle: success moves on, failure stays, error goes through onError', async () => {
      h = await open({});
      let configureOutcome: 'success' | 'failure' | 'error' = 'failure';
      const seen: string[] = [];
      h.host.setLifecycleHandlers({
        onConfigure: () => (seen.push('configure'), configureOutcome),
        onActivate: () => (seen.push('activate'), 'success'),
        onDeactivate: () => (seen.push('deactivate'), 'success'),
        onCleanup: () => (seen.push('cleanup'), 'success'),
        onShutdown: (from) => (seen.push(`shutdown:${from}`), 'success'),
        onError: (from) => (seen.push(`error:${from}`), 'success'),
      });
      t.expect(h.host.lifecycleState).toBe('unconfigured');
      t.expect(h.host.trigger('configure')).toBe('unconfigured');
      configureOutcome = 'error';
      t.expect(h.host.trigger('configure')).toBe('unconfigured');
      configureOutcome = 'success';
      t.expect(h.host.trigger('configure')).toBe('inactive');
      t.expect(h.host.trigger('activate')).toBe('active');
      t.expect(() => h.host.trigger('configure')).toThrow();
      t.expect(h.host.trigger('deactivate')).toBe('inactive');
      t.expect(h.host.trigger('cleanup')).toBe('unconfigured');
      t.expect(h.host.trigger('shutdown')).toBe('finalized');
      t.expect(seen).toEqual([
        'configure',
        'configure',
        'error:unconfigured',
        'configure',
        'activate',
        'deactivate',
        'cleanup',
        'shutdown:unconfigured',
      ]);
    });

    t.it('serves services under the node name', async () => {
      h = await open({});
      let last = '';
      const handle = h.host.createService('vla_bridge/srv/SetInstruction', '~/contract_set', (req) => {
        last = req.instruction;
        return { success: true, message: `got ${req.instruction}` };
      });
      t.expect(handle.name).toMatch(/\/contract_set$/);
      t.expect(await h.call('vla_bridge/srv/SetInstruction', handle.name, { instruction: 'wave' })).toEqual({
        success: true,
        message: 'got wave',
      });
      t.expect(last).toBe('wave');
      const trigger = h.host.createService('std_srvs/srv/Trigger', '~/contract_fail', () => {
        throw new Error('broken');
      });
      t.expect(await h.call('std_srvs/srv/Trigger', trigger.name, {})).toEqual({ success: false, message: '' });
    });
  });
}

/** The rclnodejs-backed implementations, on whichever rclnodejs module (and its native addon) `load` gives. */
export function rclnodejsSuites(t: TestApi, load: () => { rcl: Rclnodejs; native: RclNative }): void {
  let rcl: Rclnodejs;
  let native: RclNative;
  const nodes: RclNode[] = [];
  let nodeCounter = 0;
  const nextName = (stem: string): string => `vla_contract_${stem}_${process.pid}_${++nodeCounter}`;

  t.beforeAll(async () => {
    ({ rcl, native } = load());
    await rcl.init();
  });
  t.afterAll(() => {
    for (const node of nodes.splice(0)) node.destroy();
    rcl.shutdown();
  });

  const spun = <N extends RclNode>(node: N): N => {
    node.spin();
    nodes.push(node);
    return node;
  };

  transportContract(t, 'RosTransport', async () => {
    const a = spun(rcl.createNode(nextName('tx')));
    const b = spun(rcl.createNode(nextName('rx')));
    const sender = new RosTransport(a, rcl.QoS, new ManualClock(5));
    const receiver = new RosTransport(b, rcl.QoS, new ManualClock(5));
    return {
      sender,
      receiver,
      close: async () => {
        await sender.close();
        await receiver.close();
      },
    };
  });

  const openHost = async (overrides: Record<string, string | number | boolean>): Promise<HostUnderTest> => {
    const { host, node } = RclNodeHost.create({ rcl, native, nodeName: nextName('host'), overrides });
    spun(node);
    const client = spun(rcl.createNode(nextName('client')));
    return {
      host,
      call: async (srvType, name, request) => {
        const c = client.createClient(srvType, name);
        if (!(await c.waitForService(5000))) throw new Error(`service ${name} did not appear`);
        const answer = await c.sendRequestAsync(request, { timeout: 5000 });
        client.destroyClient(c);
        return answer as never;
      },
      close: async () => undefined,
    };
  };
  hostContract(t, 'RclNodeHost', openHost);

  t.it('RclNodeHost: `ros2 param describe` (describe_parameters) shows the ranges', async () => {
    const h = await openHost({});
    h.host.declareParameters(SPECS);
    const service = `/${h.host.nodeName}/describe_parameters`;
    const answer = (await h.call('rcl_interfaces/srv/DescribeParameters' as never, service, { names: ['contract_rate_hz'] } as never)) as {
      descriptors: { floating_point_range: { from_value: number; to_value: number }[] }[];
    };
    t.expect(answer.descriptors[0]!.floating_point_range).toEqual([t.expect.objectContaining({ from_value: 1, to_value: 100 })]);
  });
}
