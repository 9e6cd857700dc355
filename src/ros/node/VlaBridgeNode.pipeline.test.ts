import { loadEmbodiment } from '../../config/loadEmbodiment';
import { ManualClock } from '../../time/ManualClock';
import { ExactArm } from '../../bench/ExactArm';
import { ScriptedChunkPolicy } from '../../../test/support/control/TestPolicies';
import type { BoolMsg, DiagnosticArrayMsg } from '../../msgs/rosMessages';
import { LoopbackTransport } from '../../transport/LoopbackTransport';
import type { MessageOf, Publisher, TopicOptions, Unsubscribe } from '../../transport/Transport';
import { InProcessNodeHost } from '../host/InProcessNodeHost';
import type { ParameterValue } from '../host/NodeHost';
import { type ActionChunkMsg, type PolicyStatusMsg, SAFETY_EVENT_SEVERITY, type SafetyEventMsg } from '../../msgs/vlaMessages';
import { pipelineBridgeFactory } from './PipelineBridge';
import { VlaBridgeNode } from './VlaBridgeNode';

/**
 * The node wired to the real pipeline (control loop, action queue, safety layer, command publisher) on an
 * in-process transport, with a test arm that executes every command and a scripted policy.
 */

const embodiment = loadEmbodiment('franka_panda');
const HOME = [0, -0.785, 0, -2.356, 0, 1.571, 0.785, 0.04];
const TARGET = HOME.slice(0, 7).map((q, j) => (j === 0 ? q + 1.0 : q));
const PERIOD = 1 / embodiment.config.rates.command_hz;
const T0 = 50;

interface Rig {
  clock: ManualClock;
  bus: LoopbackTransport;
  host: InProcessNodeHost;
  node: VlaBridgeNode;
  arm: ExactArm;
  policy: ScriptedChunkPolicy;
  inbox<T>(topic: string, type: string): T[];
  run(seconds: number): Promise<void>;
  runUntil(done: () => boolean, limitS: number): Promise<void>;
}

const live: Rig[] = [];
afterEach(async () => {
  // Disposing stops the arm first, which takes clock time: keep the clock going until it is done.
  for (const r of live.splice(0)) {
    let done = false;
    const disposing = r.node.dispose().finally(() => (done = true));
    await r.runUntil(() => done, 5);
    await disposing;
  }
});

/** `frameStampS`: the header stamp of the camera frames published at `t` (default `t`); `target`: the policy's. */
function rig(
  overrides: Record<string, ParameterValue> = {},
  frameStampS: (t: number) => number = (t) => t,
  target: readonly number[] = TARGET,
): Rig {
  const clock = new ManualClock(T0);
  const bus = new LoopbackTransport(clock);
  const arm = new ExactArm(bus, embodiment, HOME);
  const policy = new ScriptedChunkPolicy({
    names: embodiment.policyJointNames,
    horizon: 10,
    stepDtS: 0.1,
    stepsToExecute: 5,
    action: () => [...target],
  });
  const host = new InProcessNodeHost({
    bus,
    overrides: { embodiment: 'franka_panda', policy: '/policies/scripted', instruction: 'turn the base', ...overrides },
  });
  const node = new VlaBridgeNode({ host, createBridge: pipelineBridgeFactory({ loadPolicy: async () => policy }) });
  let k = 0;
  const step = async (): Promise<void> => {
    const t = clock.nowS();
    arm.publishState(t);
    if (k % 5 === 0) arm.publishFrames(t, frameStampS(t));
    k++;
    await clock.advanceTo(T0 + k * PERIOD);
    await new Promise((resolve) => setImmediate(resolve));
  };
  const r: Rig = {
    clock,
    bus,
    host,
    node,
    arm,
    policy,
    inbox<T>(topic: string, type: string): T[] {
      const list: T[] = [];
      bus.subscribe(topic, type, (m) => list.push(m as T));
      return list;
    },
    async run(seconds: number) {
      for (let i = 0; i < Math.round(seconds / PERIOD); i++) await step();
    },
    async runUntil(done: () => boolean, limitS: number) {
      for (let i = 0; i < Math.round(limitS / PERIOD) && !done(); i++) await step();
    },
  };
  live.push(r);
  return r;
}

async function activated(r: Rig): Promise<void> {
  r.node.start();
  expect(r.host.trigger('configure')).toBe('inactive');
  await r.node.whenLoaded();
  expect(r.host.trigger('activate')).toBe('active');
}

/** The bus, recording which topics were opened, how, and with which QoS. */
class RecordingBus extends LoopbackTransport {
  readonly opened: string[] = [];
  override subscribe<T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void, options?: TopicOptions): Unsubscribe {
    this.opened.push(`sub ${topic} ${type} ${options?.qos ?? 'default'}`);
    return super.subscribe(topic, type, handler, options);
  }
  override createPublisher<T extends string>(topic: string, type: T, options?: TopicOptions): Publisher<MessageOf<T>> {
    this.opened.push(`pub ${topic} ${type} ${options?.qos ?? 'default'}`);
    return super.createPublisher(topic, type, options);
  }
}

describe('VlaBridgeNode with the pipeline', () => {
  it("configure opens the embodiment's sensors with sensor-data QoS and its command topics reliably", async () => {
    const so101 = loadEmbodiment('so101');
    const bus = new RecordingBus(new ManualClock(T0));
    const policy = new ScriptedChunkPolicy({
      names: so101.policyJointNames,
      horizon: 4,
      stepDtS: 0.1,
      stepsToExecute: 2,
      action: () => [0, 0, 0, 0, 0],
    });
    const host = new InProcessNodeHost({ bus, overrides: { embodiment: 'so101', policy: '/p' } });
    const node = new VlaBridgeNode({ host, createBridge: pipelineBridgeFactory({ loadPolicy: async () => policy }) });
    node.start();
    host.trigger('configure');
    await node.whenLoaded();
    expect(bus.opened).toEqual(
      expect.arrayContaining([
        'sub /joint_states sensor_msgs/msg/JointState sensor_data',
        'sub /front_camera/image_raw sensor_msgs/msg/Image sensor_data',
        'sub /wrist_camera/image_raw/compressed sensor_msgs/msg/CompressedImage sensor_data',
        'pub /forward_position_controller/commands std_msgs/msg/Float64MultiArray reliable',
        'sub /vla_bridge/instruction std_msgs/msg/String default',
        'sub /vla_bridge/estop std_msgs/msg/Bool default',
        'pub /vla_bridge/status vla_bridge/msg/PolicyStatus default',
        'pub /diagnostics diagnostic_msgs/msg/DiagnosticArray default',
      ]),
    );
    host.trigger('cleanup');
    await node.dispose();
  });

  it('drives the arm through the safety layer toward the policy target and reports chunks and status', async () => {
    const r = rig();
    const chunks = r.inbox<ActionChunkMsg>('/vla_bridge/action_chunk', 'vla_bridge/msg/ActionChunk');
    const status = r.inbox<PolicyStatusMsg>('/vla_bridge/status', 'vla_bridge/msg/PolicyStatus');
    await activated(r);
    await r.run(1.5);
    expect(r.arm.commands.length).toBeGreaterThan(100);
    expect(r.arm.positions[0]).toBeGreaterThan(HOME[0]! + 0.1);
    expect(r.arm.positions[0]).toBeLessThanOrEqual(TARGET[0]! + 1e-9);
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks[0]).toMatchObject({ horizon: 10, dims: 7, kind: 'absolute', frame: 'joint' });
    expect(r.policy.calls).toBeGreaterThan(0);
    expect(status.at(-1)).toMatchObject({
      mode: 'running',
      lifecycle_state: 3,
      embodiment: 'franka_panda',
      policy: 'test_policy',
      instruction: 'turn the base',
    });
    expect(status.at(-1)!.ticks).toBeGreaterThan(100);
  });

  it('a camera that leaves header.stamp at zero: the node judges its frames by receive time, drives the arm, and warns once', async () => {
    const r = rig({}, () => 0);
    const status = r.inbox<PolicyStatusMsg>('/vla_bridge/status', 'vla_bridge/msg/PolicyStatus');
    await activated(r);
    await r.run(1.5);
    // Before: every frame was 50 s old on arrival, and the arm held "for camera:primary" for ever.
    expect(r.arm.positions[0]).toBeGreaterThan(HOME[0]! + 0.1);
    expect(r.policy.calls).toBeGreaterThan(0);
    expect(status.at(-1)).toMatchObject({ mode: 'running' });
    const camera = embodiment.config.topics.cameras[0]!.topic;
    const warnings = r.host.logs.filter((l) => l.level === 'warn' && l.message.includes('header.stamp'));
    expect(warnings.map((l) => l.message)).toEqual([
      `${camera}: header.stamp is zero; freshness is judged by the time each message is received (set the stamp in the driver to use it)`,
    ]);
  });

  it('deactivate brakes within the limits to rest, then stops commanding', async () => {
    const r = rig();
    await activated(r);
    await r.run(0.6);
    const moving = r.arm.commands.length;
    expect(r.host.trigger('deactivate')).toBe('inactive');
    let stopped = false;
    void r.node.whenStopped().then(() => (stopped = true));
    await r.runUntil(() => stopped, 3);
    expect(stopped).toBe(true);
    expect(r.arm.commands.length).toBeGreaterThan(moving);
    const last = r.arm.commands.at(-1)!;
    const before = r.arm.commands.at(-2)!;
    expect(Math.abs(last[0]! - before[0]!)).toBeLessThan(1e-9);
    const sent = r.arm.commands.length;
    await r.run(0.2);
    expect(r.arm.commands.length).toBe(sent);
    expect(r.node.snapshot().mode).toBe('ready');

    expect(r.host.trigger('activate')).toBe('active');
    await r.run(0.3);
    expect(r.arm.commands.length).toBeGreaterThan(sent);
  });

  it('the e-stop topic stops the arm through the safety layer and reports events until ~/reset', async () => {
    const r = rig();
    const events = r.inbox<SafetyEventMsg>('/vla_bridge/safety_events', 'vla_bridge/msg/SafetyEvent');
    await activated(r);
    await r.run(0.3);
    r.bus.createPublisher('/vla_bridge/estop', 'std_msgs/msg/Bool').publish({ data: true } satisfies BoolMsg);
    await r.run(1.0);
    expect(events.some((e) => e.limit === 'estop')).toBe(true);
    const held = r.arm.positions[0]!;
    await r.run(0.3);
    expect(r.arm.positions[0]).toBeCloseTo(held, 12);
    expect(r.node.snapshot()).toMatchObject({ mode: 'estopped', estopped: true });

    const answer = await r.host.callService('std_srvs/srv/Trigger', '~/reset', {});
    expect(answer.success).toBe(true);
    await r.run(0.5);
    expect(r.arm.positions[0]).toBeGreaterThan(held);
  });

  it("~/status counts interventions by the one rule: an e-stop held for a second is one, a deactivation's stop is none", async () => {
    // A policy that holds the rest pose: nothing but the e-stop and the stop can act.
    const r = rig({}, (t) => t, HOME.slice(0, 7));
    const events = r.inbox<SafetyEventMsg>('/vla_bridge/safety_events', 'vla_bridge/msg/SafetyEvent');
    const status = r.inbox<PolicyStatusMsg>('/vla_bridge/status', 'vla_bridge/msg/PolicyStatus');
    await activated(r);
    await r.run(0.3);
    r.bus.createPublisher('/vla_bridge/estop', 'std_msgs/msg/Bool').publish({ data: true } satisfies BoolMsg);
    await r.run(1.0);
    expect((await r.host.callService('std_srvs/srv/Trigger', '~/reset', {})).success).toBe(true);
    await r.run(0.3);
    expect(r.host.trigger('deactivate')).toBe('inactive');
    let stopped = false;
    void r.node.whenStopped().then(() => (stopped = true));
    await r.runUntil(() => stopped, 3);
    r.node.publishStatus();
    const { info } = SAFETY_EVENT_SEVERITY;
    expect(events.filter((e) => e.severity !== info).map((e) => e.limit)).toEqual(['estop']);
    // The deactivation's controlled stop is reported (severity info), not counted.
    expect(events.some((e) => e.limit === 'stop' && e.severity === info)).toBe(true);
    expect(status.at(-1)!.safety_interventions).toBe(1);
  });

  it('a policy failing every inference (its server down): the log names the failure once, then counts it', async () => {
    const r = rig();
    await activated(r);
    await r.run(0.5);
    const infer = jest.spyOn(r.policy, 'infer').mockRejectedValue(new Error('no connection to policy server ws://gpu:8000'));
    await r.run(12);
    const failures = infer.mock.calls.length;
    const lines = () => r.host.logs.filter((l) => l.level === 'warn' && l.message.includes('inference failed')).map((l) => l.message);
    expect(failures).toBeGreaterThan(20);
    // The first failure, then one count per 5 s of node time.
    expect(lines()).toHaveLength(3);
    expect(lines()[0]).toBe('inference failed: no connection to policy server ws://gpu:8000');
    expect(lines()[1]).toMatch(/^inference failed: no connection to policy server ws:\/\/gpu:8000 \(\d+ more times in the last 5\.0 s\)$/);
    r.host.trigger('deactivate');
    await r.run(3);
    // Deactivating ends the run: what was not yet logged is counted, so every failure appears in the log.
    const counted = lines()
      .slice(1)
      .reduce((sum, l) => sum + Number(/\((\d+) more times|\(once more/.exec(l)?.[1] ?? 1), 1);
    // (One request may still be in flight when the run ends: the stopped loop drops its result.)
    expect(counted).toBeLessThanOrEqual(infer.mock.calls.length);
    expect(counted).toBeGreaterThanOrEqual(infer.mock.calls.length - 1);
  });

  it('active with no joint state and no image yet: ~/status says it waits, and for which topics', async () => {
    const r = rig();
    const status = r.inbox<PolicyStatusMsg>('/vla_bridge/status', 'vla_bridge/msg/PolicyStatus');
    await activated(r);
    for (let k = 1; k <= 50; k++) await r.clock.advanceTo(T0 + k * PERIOD);
    r.node.publishStatus();
    const { joint_states, cameras } = embodiment.config.topics;
    expect(status.at(-1)).toMatchObject({
      mode: 'waiting',
      holding: true,
      reason: `waiting for the first message on ${[joint_states, ...cameras.map((c) => c.topic)].join(', ')}`,
    });
    expect(status.at(-1)!.ticks).toBeGreaterThan(40);
    expect(r.arm.commands).toHaveLength(0);
    r.arm.publishState(r.clock.nowS());
    await r.clock.advanceTo(r.clock.nowS() + PERIOD);
    r.node.publishStatus();
    expect(status.at(-1)).toMatchObject({
      mode: 'waiting',
      reason: `waiting for the first message on ${cameras.map((c) => c.topic).join(', ')}`,
    });
    await r.run(0.5);
    r.node.publishStatus();
    expect(status.at(-1)).toMatchObject({ mode: 'running', holding: false, reason: '' });
  });

  it('a /clock coarser than the command rate: ticks that see no time pass are skipped, without safety events, and status says why', async () => {
    const r = rig();
    const events = r.inbox<SafetyEventMsg>('/vla_bridge/safety_events', 'vla_bridge/msg/SafetyEvent');
    const status = r.inbox<PolicyStatusMsg>('/vla_bridge/status', 'vla_bridge/msg/PolicyStatus');
    await activated(r);
    // /clock at 40 Hz (rosbag2's default) while the loop ticks at 100 Hz, for 2 s.
    for (let k = 1; k <= 80; k++) {
      const t = r.clock.nowS();
      r.arm.publishState(t);
      if (k % 3 === 0) r.arm.publishFrames(t);
      await r.clock.advanceTo(T0 + k * 0.025);
      await new Promise((resolve) => setImmediate(resolve));
    }
    r.node.publishStatus();
    const last = status.at(-1)!;
    expect(events.filter((e) => e.limit === 'clock')).toEqual([]);
    expect(last.clock_stalls).toBeGreaterThan(20);
    expect(last).toMatchObject({ mode: 'running', holding: false });
    expect(last.reason).toMatch(
      /the clock advances in steps of 25\.0 ms \(\/clock at about 40 Hz\), coarser than the 100 Hz command rate; publish \/clock at 100 Hz or more \(ros2 bag play --clock 100\): \d+ ticks skipped/,
    );
    const warnings = r.host.logs.filter((l) => l.level === 'warn' && /clock advances/.test(l.message));
    expect(warnings).toHaveLength(1);
    expect(r.arm.positions[0]).toBeGreaterThan(HOME[0]! + 0.05);
  });

  it("reports the loop's lateness over a rolling window on ~/status and /diagnostics", async () => {
    const r = rig();
    const status = r.inbox<PolicyStatusMsg>('/vla_bridge/status', 'vla_bridge/msg/PolicyStatus');
    const diagnostics = r.inbox<DiagnosticArrayMsg>('/diagnostics', 'diagnostic_msgs/msg/DiagnosticArray');
    await activated(r);
    await r.run(0.5);
    r.node.publishStatus();
    r.node.publishDiagnostics();
    // The manual clock lands exactly on every deadline: no lateness.
    expect(status.at(-1)).toMatchObject({ lateness_p50_s: 0, lateness_p99_s: 0, lateness_max_s: 0, overruns: 0, clock_stalls: 0 });
    const values = new Map(diagnostics.at(-1)!.status[0]!.values.map((v) => [v.key, v.value]));
    expect(values.get('lateness_p99_ms')).toBe('0.000');
    expect(values.get('clock_stalls')).toBe('0');
  });

  it('in a dry run the arm hears nothing and the preview topic carries the commands', async () => {
    const r = rig({ dry_run: true });
    const preview = r.inbox<unknown>('/vla_bridge/preview/panda_arm_controller/joint_trajectory', 'trajectory_msgs/msg/JointTrajectory');
    await activated(r);
    await r.run(0.5);
    expect(preview.length).toBeGreaterThan(20);
    expect(r.arm.commands).toHaveLength(0);
  });
});
