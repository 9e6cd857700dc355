import { InProcessNodeHost } from '../../src/ros/host/InProcessNodeHost';
import { ManualClock } from '../../src/time/ManualClock';
import { LoopbackTransport } from '../../src/transport/LoopbackTransport';
import { FakeRclnodejs } from '../support/ros/FakeRclnodejs';
import { hostContract, rclnodejsSuites, type TestApi, transportContract } from './contract/suites';

/**
 * The transport and node host contracts on the in-process implementations and on the fake rclnodejs (the
 * adapters' own logic). The same suites run on the real rclnodejs in plain Node (test/ros/rclnodejs.test.ts),
 * since rclnodejs cannot load inside jest.
 */

const JEST: TestApi = {
  describe,
  it: (name, fn) => it(name, async () => fn()),
  beforeAll: (fn) => beforeAll(async () => fn()),
  afterAll: (fn) => afterAll(async () => fn()),
  beforeEach: (fn) => beforeEach(async () => fn()),
  afterEach: (fn) => afterEach(async () => fn()),
  expect: expect as unknown as TestApi['expect'],
};

transportContract(JEST, 'LoopbackTransport', async () => {
  const bus = new LoopbackTransport(new ManualClock(5));
  return { sender: bus, receiver: bus, close: () => bus.close() };
});

let hostCounter = 0;
hostContract(JEST, 'InProcessNodeHost', async (overrides) => {
  const host = new InProcessNodeHost({ nodeName: `contract_${++hostCounter}`, overrides });
  return { host, call: (type, name, request) => host.callService(type, name, request), close: async () => undefined };
});

describe('with FakeRclnodejs', () =>
  rclnodejsSuites(JEST, () => {
    const rcl = new FakeRclnodejs();
    return { rcl, native: rcl.native };
  }));
