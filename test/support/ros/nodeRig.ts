import { ManualClock } from '../../../src/time/ManualClock';
import { LoopbackTransport } from '../../../src/transport/LoopbackTransport';
import { InProcessNodeHost } from '../../../src/ros/host/InProcessNodeHost';
import type { ParameterValue } from '../../../src/ros/host/NodeHost';
import { VlaBridgeNode } from '../../../src/ros/node/VlaBridgeNode';
import { FakeBridgeFactory, flush } from './FakeBridge';

/**
 * The node on an in-process host with a FakeBridgeFactory, for the node's wiring tests: `rig()` makes one,
 * `disposeRigs()` (in afterEach) ends every node made since.
 */
export interface Rig {
  clock: ManualClock;
  bus: LoopbackTransport;
  host: InProcessNodeHost;
  factory: FakeBridgeFactory;
  node: VlaBridgeNode;
  received<T>(topic: string, type: string): T[];
  publish<T>(topic: string, type: string, msg: T): void;
}

/** Made by rig(), for disposeRigs(). */
export const nodes: VlaBridgeNode[] = [];
export const factories: FakeBridgeFactory[] = [];

export function rig(overrides: Record<string, ParameterValue> = {}, start = true): Rig {
  const clock = new ManualClock(100);
  const bus = new LoopbackTransport(clock);
  const host = new InProcessNodeHost({ bus, overrides: { embodiment: 'franka_panda', policy: '/policies/demo', ...overrides } });
  const factory = new FakeBridgeFactory();
  const node = new VlaBridgeNode({ host, createBridge: factory.create });
  nodes.push(node);
  factories.push(factory);
  const inboxes = new Map<string, unknown[]>();
  const r: Rig = {
    clock,
    bus,
    host,
    factory,
    node,
    received<T>(topic: string, type: string): T[] {
      let inbox = inboxes.get(topic);
      if (inbox === undefined) {
        const list: unknown[] = [];
        inbox = list;
        inboxes.set(topic, list);
        bus.subscribe(topic, type, (msg) => list.push(msg));
      }
      return inbox as T[];
    },
    publish<T>(topic: string, type: string, msg: T): void {
      bus.createPublisher(topic, type).publish(msg as never);
    },
  };
  if (start) node.start();
  return r;
}

/** Ends every node made by `rig()` since the last call (ending any controlled stop in progress). */
export async function disposeRigs(): Promise<void> {
  const bridges = factories.splice(0).flatMap((f) => f.bridges);
  const disposing = nodes.splice(0).map((node) => node.dispose().catch(() => undefined));
  await flush();
  for (const bridge of bridges) bridge.finishStop();
  await Promise.all(disposing);
}

export function errors(host: InProcessNodeHost): string[] {
  return host.logs.filter((l) => l.level === 'error').map((l) => l.message);
}
