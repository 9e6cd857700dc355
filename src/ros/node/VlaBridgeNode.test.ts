import { ManualClock } from '../../time/ManualClock';
import type { DiagnosticArrayMsg, StringMsg } from '../../msgs/rosMessages';
import { LoopbackTransport } from '../../transport/LoopbackTransport';
import { InProcessNodeHost } from '../host/InProcessNodeHost';
import type { PolicyStatusMsg } from '../../msgs/vlaMessages';
import { FakeBridgeFactory, flush } from '../../../test/support/ros/FakeBridge';
import { disposeRigs, errors, factories, nodes, rig } from '../../../test/support/ros/nodeRig';
import { NODE_PARAMETERS } from './nodeParameters';
import { VlaBridgeNode } from './VlaBridgeNode';

afterEach(disposeRigs);

describe('VlaBridgeNode parameters', () => {
  it('declares every parameter with its descriptor and the overrides given at start', () => {
    const { host } = rig({ command_rate_hz: 200, dry_run: true });
    expect(host.parameterNames()).toEqual(NODE_PARAMETERS.map((p) => p.name).sort());
    expect(host.getParameter('embodiment')).toBe('franka_panda');
    expect(host.getParameter('command_rate_hz')).toBe(200);
    expect(host.getParameter('dry_run')).toBe(true);
    expect(host.getParameter('autostart')).toBe(false);
    expect(host.describeParameter('embodiment')).toMatchObject({ kind: 'string', readOnly: true });
    expect(host.describeParameter('instruction')).toMatchObject({ kind: 'string', readOnly: false });
    expect(host.describeParameter('command_rate_hz')).toMatchObject({ kind: 'double', readOnly: true, range: { from: 0, to: 1000 } });
    for (const spec of NODE_PARAMETERS) expect(spec.description.length).toBeGreaterThan(20);
  });

  it('refuses an override of the wrong type or out of range, naming the parameter', () => {
    expect(() => rig({ dry_run: 'yes' })).toThrow(/dry_run must be true or false/);
    expect(() => rig({ command_rate_hz: 5000 })).toThrow(/command_rate_hz must be in \[0, 1000\]/);
  });

  it('refuses run-time changes of read-only parameters and accepts the instruction', () => {
    const { host, node } = rig();
    expect(host.setParameter('dry_run', true)).toEqual({ successful: false, reason: 'parameter dry_run is read-only' });
    expect(host.setParameter('instruction', 'pick up the cup')).toEqual({ successful: true, reason: '' });
    expect(node.snapshot().instruction).toBe('pick up the cup');
    expect(host.setParameter('instruction', '  ').successful).toBe(false);
    expect(host.getParameter('instruction')).toBe('pick up the cup');
  });
});

describe('VlaBridgeNode lifecycle', () => {
  it('publishes ~/status and /diagnostics from the start, at their rates', async () => {
    const r = rig({ status_rate_hz: 4 });
    const status = r.received<PolicyStatusMsg>('/vla_bridge/status', 'vla_bridge/msg/PolicyStatus');
    const diagnostics = r.received<DiagnosticArrayMsg>('/diagnostics', 'diagnostic_msgs/msg/DiagnosticArray');
    for (let k = 1; k <= 8; k++) await r.clock.advanceTo(100 + k * 0.25);
    await flush();
    // One at start, then one per period.
    expect(status).toHaveLength(9);
    expect(diagnostics).toHaveLength(3);
    expect(status.at(-1)!.stamp).toEqual({ sec: 102, nanosec: 0 });
    expect(status.at(-1)).toMatchObject({ mode: 'unconfigured', lifecycle_state: 1, embodiment: 'franka_panda', dry_run: false });
    expect(diagnostics[0]!.status[0]).toMatchObject({ name: 'vla_bridge: bridge', level: 0 });
  });

  it('refuses configure without an embodiment, or with an unknown one, and says what to do', () => {
    const a = rig({ embodiment: '' });
    expect(a.host.trigger('configure')).toBe('unconfigured');
    expect(errors(a.host).join('\n')).toMatch(/embodiment parameter is empty[\s\S]*embodiment:=franka_panda/);
    expect(a.node.snapshot()).toMatchObject({ mode: 'unconfigured', reason: 'the embodiment parameter is empty' });

    const b = rig({ embodiment: 'no_such_robot' });
    expect(b.host.trigger('configure')).toBe('unconfigured');
    expect(errors(b.host).join('\n')).toMatch(/no shipped embodiment named "no_such_robot"[\s\S]*franka_panda/);
    expect(b.factory.settings).toHaveLength(0);
  });

  it('configure loads the embodiment, opens the topics and services and starts loading the policy', () => {
    const r = rig({ policy_rate_hz: 4, camera_timeout_s: 0.25, instruction: 'open the drawer' });
    expect(r.host.trigger('configure')).toBe('inactive');
    expect(r.host.serviceNames()).toEqual(['/vla_bridge/reset', '/vla_bridge/set_instruction']);
    const topics = new Map(r.bus.topics().map((t) => [t.topic, t.type]));
    expect(topics.get('/vla_bridge/safety_events')).toBe('vla_bridge/msg/SafetyEvent');
    expect(topics.get('/vla_bridge/action_chunk')).toBe('vla_bridge/msg/ActionChunk');
    expect(topics.get('/vla_bridge/instruction')).toBe('std_msgs/msg/String');
    expect(topics.get('/vla_bridge/estop')).toBe('std_msgs/msg/Bool');
    const settings = r.factory.settings[0]!;
    expect(settings.embodiment.name).toBe('franka_panda');
    expect(settings.policyPath).toBe('/policies/demo');
    expect(settings.instruction).toBe('open the drawer');
    expect(settings.commandRateHz).toBe(100);
    expect(settings.policyRateHz).toBe(4);
    expect(settings.jointStateTimeoutS).toBe(0.1);
    expect([...settings.cameraTimeoutsS]).toEqual([['primary', 0.25]]);
    expect(settings.handover).toEqual({ kind: 'receding_horizon', blendS: 0.3 });
    expect(settings.latencyCompensation).toBe('keep_fed');
    expect(r.node.snapshot()).toMatchObject({ mode: 'loading', lifecycle: 'inactive' });
  });

  it('passes the chunk handover and latency compensation to the pipeline, and refuses unknown ones by name', () => {
    const r = rig({ chunk_handover: 'temporal_ensemble', latency_compensation: 'strict' });
    expect(r.host.trigger('configure')).toBe('inactive');
    expect(r.factory.settings[0]!.handover).toMatchObject({ kind: 'temporal_ensemble' });
    expect(r.factory.settings[0]!.latencyCompensation).toBe('strict');

    const bad = rig({ chunk_handover: 'blend' });
    expect(bad.host.trigger('configure')).toBe('unconfigured');
    expect(errors(bad.host).join('\n')).toMatch(
      /chunk_handover: unknown handover "blend"[\s\S]*receding_horizon, overlap_blend, temporal_ensemble/,
    );
    const worse = rig({ latency_compensation: 'none' });
    expect(worse.host.trigger('configure')).toBe('unconfigured');
    expect(errors(worse.host).join('\n')).toMatch(/latency_compensation: unknown latency compensation "none"[\s\S]*keep_fed, strict/);
    expect(worse.factory.settings).toHaveLength(0);
  });

  it('refuses activate while the policy loads, then activates once it has loaded', async () => {
    const r = rig();
    r.host.trigger('configure');
    expect(r.host.trigger('activate')).toBe('inactive');
    expect(errors(r.host).at(-1)).toMatch(/policy is still loading/);
    const bridge = await r.factory.load();
    expect(r.node.snapshot().mode).toBe('ready');
    expect(r.host.trigger('activate')).toBe('active');
    expect(bridge.calls).toEqual(['start']);
    expect(r.node.snapshot()).toMatchObject({ mode: 'running', lifecycle: 'active', policy: 'fake_policy' });
  });

  it('refuses activate after the policy failed to load and reports the fault', async () => {
    const r = rig();
    r.host.trigger('configure');
    await r.factory.fail(new Error('model.onnx: no such file'));
    expect(r.host.trigger('activate')).toBe('inactive');
    expect(r.node.snapshot()).toMatchObject({ mode: 'fault', reason: 'the policy failed to load: model.onnx: no such file' });
    r.node.publishDiagnostics();
    const diagnostics = r.received<DiagnosticArrayMsg>('/diagnostics', 'diagnostic_msgs/msg/DiagnosticArray');
    r.node.publishDiagnostics();
    expect(diagnostics.at(-1)!.status[0]!.level).toBe(2);
  });

  it('deactivate brings the arm to a controlled stop; activate waits for it to end', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    r.host.trigger('activate');
    expect(r.host.trigger('deactivate')).toBe('inactive');
    expect(bridge.calls).toEqual(['start', 'stop']);
    expect(r.node.snapshot().mode).toBe('stopping');
    expect(r.host.trigger('activate')).toBe('inactive');
    expect(errors(r.host).at(-1)).toMatch(/still stopping/);
    bridge.finishStop();
    await r.node.whenStopped();
    expect(r.node.snapshot().mode).toBe('ready');
    expect(r.host.trigger('activate')).toBe('active');
    expect(bridge.calls).toEqual(['start', 'stop', 'start']);
  });

  it('cleanup releases services, subscriptions and the pipeline; configure works again', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    expect(r.host.trigger('cleanup')).toBe('unconfigured');
    await flush();
    expect(bridge.closed).toBe(true);
    expect(r.host.serviceNames()).toEqual([]);
    r.publish<StringMsg>('/vla_bridge/instruction', 'std_msgs/msg/String', { data: 'ignored after cleanup' });
    expect(r.host.getParameter('instruction')).toBe('');
    expect(r.host.trigger('configure')).toBe('inactive');
    expect(r.factory.settings).toHaveLength(2);
  });

  it('closes a pipeline that finishes loading after cleanup', async () => {
    const r = rig();
    r.host.trigger('configure');
    r.host.trigger('cleanup');
    const bridge = await r.factory.load();
    expect(bridge.closed).toBe(true);
    expect(r.node.bridge).toBeUndefined();
  });

  it('shutdown from active stops the arm before releasing everything', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    r.host.trigger('activate');
    expect(r.host.trigger('shutdown')).toBe('finalized');
    expect(bridge.calls).toEqual(['start', 'stop']);
    expect(bridge.closed).toBe(false);
    bridge.finishStop();
    await flush();
    await flush();
    expect(bridge.calls).toEqual(['start', 'stop', 'close']);
    expect(r.node.snapshot().mode).toBe('finalized');
  });

  it('dispose (Ctrl-C) deactivates, waits for the stop, and finalizes', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    r.host.trigger('activate');
    const disposed = r.node.dispose();
    await flush();
    expect(r.host.lifecycleState).toBe('inactive');
    bridge.finishStop();
    await disposed;
    expect(r.host.lifecycleState).toBe('finalized');
    expect(bridge.calls).toEqual(['start', 'stop', 'close']);
  });

  it('a fault of the control loop deactivates the node and is reported', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    r.host.trigger('activate');
    bridge.listeners.fault(new Error('joint state topic carries NaN'));
    expect(r.host.lifecycleState).toBe('inactive');
    expect(bridge.calls).toEqual(['start', 'stop']);
    expect(r.node.snapshot()).toMatchObject({ mode: 'fault', reason: 'the control loop stopped: joint state topic carries NaN' });
  });

  it('reports holding when the safety layer holds the arm', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    r.host.trigger('activate');
    bridge.setStats({ holding: true, holdReason: 'camera primary is stale', ticks: 42, safetyInterventions: 3, lastInferenceS: 0.12 });
    const status = r.received<PolicyStatusMsg>('/vla_bridge/status', 'vla_bridge/msg/PolicyStatus');
    r.node.publishStatus();
    expect(status.at(-1)).toMatchObject({
      mode: 'holding',
      holding: true,
      reason: 'camera primary is stale',
      ticks: 42,
      safety_interventions: 3,
      last_inference_s: 0.12,
    });
  });

  it('rejects transitions the state machine does not offer', () => {
    const r = rig();
    expect(() => r.host.trigger('activate')).toThrow(/activate is not available from state unconfigured/);
  });
});

describe('VlaBridgeNode autostart', () => {
  /** An autostart node with use_sim_time on a clock at 0 (no /clock yet), started; dispose it yourself or not. */
  function simTimeAutostart() {
    const clock = new ManualClock(0);
    const bus = new LoopbackTransport(clock);
    const host = new InProcessNodeHost({
      bus,
      overrides: { embodiment: 'franka_panda', policy: '/p', autostart: true, use_sim_time: true },
    });
    const factory = new FakeBridgeFactory();
    const node = new VlaBridgeNode({ host, createBridge: factory.create });
    nodes.push(node);
    factories.push(factory);
    node.start();
    return { clock, host, factory, node };
  }

  it('configures, waits for the policy, then activates', async () => {
    const r = rig({ autostart: true });
    await flush();
    expect(r.host.lifecycleState).toBe('inactive');
    const bridge = await r.factory.load();
    await flush();
    expect(r.host.lifecycleState).toBe('active');
    expect(bridge.calls).toEqual(['start']);
  });

  it('with use_sim_time, waits for ROS time to start before activating', async () => {
    const { clock, host, factory } = simTimeAutostart();
    await factory.load();
    await flush();
    expect(host.lifecycleState).toBe('inactive');
    expect(host.logs.map((l) => l.message)).toContain('autostart: waiting for /clock before activating');
    await clock.advanceBy(0.01);
    await flush();
    expect(host.lifecycleState).toBe('active');
  });

  it('with use_sim_time and no /clock yet, a shutdown ends the wait at once and never activates', async () => {
    const { clock, host, factory, node } = simTimeAutostart();
    await factory.load();
    await flush();
    expect(host.logs.map((l) => l.message)).toContain('autostart: waiting for /clock before activating');
    // No /clock: ROS time stays 0 while the node is disposed (Ctrl-C).
    await node.dispose();
    expect(host.lifecycleState).toBe('finalized');
    expect(factory.bridges[0]!.calls).not.toContain('start');
    // A clock that starts afterwards activates nothing.
    await clock.advanceBy(0.01);
    await flush();
    expect(host.lifecycleState).toBe('finalized');
  });

  it('does not activate when the policy fails to load', async () => {
    const r = rig({ autostart: true });
    await flush();
    await r.factory.fail(new Error('bad manifest'));
    await flush();
    expect(r.host.lifecycleState).toBe('inactive');
  });
});
