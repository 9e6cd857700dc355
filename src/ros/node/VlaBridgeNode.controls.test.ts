import type { BoolMsg, JointTrajectoryMsg, StringMsg } from '../../msgs/rosMessages';
import type { ActionChunkMsg, PolicyStatusMsg, SafetyEventMsg } from '../../msgs/vlaMessages';
import { disposeRigs, errors, rig } from '../../../test/support/ros/nodeRig';

afterEach(disposeRigs);

describe('VlaBridgeNode e-stop and reset', () => {
  it('latches on true, ignores false, refuses activation while latched, releases on ~/reset', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    r.host.trigger('activate');
    r.publish<BoolMsg>('/vla_bridge/estop', 'std_msgs/msg/Bool', { data: true });
    // The latch is the safety layer's, the one the pipeline enforces every tick.
    expect(bridge.settings.safety.latched).toBe(true);
    expect(bridge.estopped).toBe(true);
    expect(r.node.snapshot()).toMatchObject({ mode: 'estopped', estopped: true });
    r.publish<BoolMsg>('/vla_bridge/estop', 'std_msgs/msg/Bool', { data: false });
    expect(r.node.isEstopped).toBe(true);

    r.host.trigger('deactivate');
    bridge.finishStop();
    await r.node.whenStopped();
    expect(r.host.trigger('activate')).toBe('inactive');
    expect(errors(r.host).at(-1)).toMatch(/e-stop is latched[\s\S]*~\/reset/);

    const answer = await r.host.callService('std_srvs/srv/Trigger', '~/reset', {});
    expect(answer).toEqual({ success: true, message: 'released; holding until new commands' });
    expect(bridge.calls.at(-1)).toBe('reset');
    expect(r.node.isEstopped).toBe(false);
    expect(r.host.trigger('activate')).toBe('active');
  });

  it('keeps the latch when the pipeline refuses the reset', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    r.publish<BoolMsg>('/vla_bridge/estop', 'std_msgs/msg/Bool', { data: true });
    bridge.resetOutcome = { ok: false, message: 'arm still moving' };
    expect(await r.host.callService('std_srvs/srv/Trigger', '~/reset', {})).toEqual({ success: false, message: 'arm still moving' });
    expect(r.node.isEstopped).toBe(true);
  });

  it('latches before the policy has loaded and hands the latch to the pipeline when it arrives', async () => {
    const r = rig();
    r.host.trigger('configure');
    r.publish<BoolMsg>('/vla_bridge/estop', 'std_msgs/msg/Bool', { data: true });
    const bridge = await r.factory.load();
    expect(bridge.estopped).toBe(true);
    expect(await r.host.callService('std_srvs/srv/Trigger', '~/reset', {})).toMatchObject({ success: true });
  });

  it('a configuration that ends latched hands the latch to the next one', async () => {
    const r = rig();
    r.host.trigger('configure');
    await r.factory.load();
    r.publish<BoolMsg>('/vla_bridge/estop', 'std_msgs/msg/Bool', { data: true });
    r.host.trigger('cleanup');
    expect(r.node.isEstopped).toBe(true);
    r.host.trigger('configure');
    const next = await r.factory.load();
    expect(next.settings.safety.latched).toBe(true);
    expect(r.host.trigger('activate')).toBe('inactive');
    expect(await r.host.callService('std_srvs/srv/Trigger', '~/reset', {})).toMatchObject({ success: true });
    expect(r.host.trigger('activate')).toBe('active');
  });

  it('refuses activation while a watchdog stop is latched (watchdog_resume manual) until ~/reset', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    const safety = bridge.settings.safety;
    const measured = { stampS: 0, position: new Float64Array(8).fill(0.01) };
    measured.position[3] = -2;
    measured.position[5] = 1.5;
    const fresh = { jointStateAgeS: 0.01, cameraAgesS: { primary: 0.01 }, policyOverdue: false };
    safety.enforce({ tS: 0, measured, proposal: null, watchdog: fresh });
    safety.enforce({ tS: 0.01, measured, proposal: null, watchdog: { ...fresh, jointStateAgeS: 1 } });
    safety.enforce({ tS: 1, measured, proposal: null, watchdog: fresh });
    expect(safety.resetRequiredFor).toEqual(['joint_states']);
    expect(r.host.trigger('activate')).toBe('inactive');
    expect(errors(r.host).at(-1)).toMatch(/watchdog stop is latched \(joint_states; watchdog_resume manual\)[\s\S]*~\/reset/);
    expect(await r.host.callService('std_srvs/srv/Trigger', '~/reset', {})).toMatchObject({ success: true });
    expect(bridge.calls.at(-1)).toBe('reset');
    expect(r.host.trigger('activate')).toBe('active');
  });

  it('answers a reset without a latch', async () => {
    const r = rig();
    r.host.trigger('configure');
    expect(await r.host.callService('std_srvs/srv/Trigger', '/vla_bridge/reset', {})).toEqual({
      success: true,
      message: 'the e-stop was not engaged',
    });
  });
});

describe('VlaBridgeNode instruction', () => {
  it('the topic, the service and the parameter are one setting that reaches the pipeline', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    r.publish<StringMsg>('/vla_bridge/instruction', 'std_msgs/msg/String', { data: 'put the carrot on the plate' });
    expect(r.host.getParameter('instruction')).toBe('put the carrot on the plate');
    expect(bridge.instruction).toBe('put the carrot on the plate');

    const ok = await r.host.callService('vla_bridge/srv/SetInstruction', '~/set_instruction', { instruction: 'close the drawer' });
    expect(ok).toEqual({ success: true, message: 'instruction set to "close the drawer"' });
    expect(bridge.instruction).toBe('close the drawer');

    const empty = await r.host.callService('vla_bridge/srv/SetInstruction', '~/set_instruction', { instruction: '' });
    expect(empty).toEqual({ success: false, message: 'the instruction must not be empty' });
    const long = await r.host.callService('vla_bridge/srv/SetInstruction', '~/set_instruction', { instruction: 'x'.repeat(2001) });
    expect(long.success).toBe(false);
    expect(r.host.getParameter('instruction')).toBe('close the drawer');

    r.host.setParameter('instruction', 'wipe the table');
    expect(bridge.instruction).toBe('wipe the table');
  });
});

describe('VlaBridgeNode outputs', () => {
  it('publishes safety events and chunks with the package messages', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    const events = r.received<SafetyEventMsg>('/vla_bridge/safety_events', 'vla_bridge/msg/SafetyEvent');
    const chunks = r.received<ActionChunkMsg>('/vla_bridge/action_chunk', 'vla_bridge/msg/ActionChunk');
    bridge.emitSafetyEvents(12.5, [
      { tS: 12.5, limit: 'velocity', target: 'panda_joint2', requested: 3.1, applied: 2.175, severity: 'warn' },
    ]);
    bridge.emitChunk({
      observationStampS: 12.25,
      actions: Float64Array.from([0.1, 0.2, 0.3, 0.4]),
      horizon: 2,
      dims: 2,
      stepsToExecute: 1,
      stepDtS: 0.1,
      space: { names: ['a', 'b'], kind: 'delta', frame: 'joint' },
      tokens: [31744, 31999],
    });
    expect(events).toEqual([
      {
        stamp: { sec: 12, nanosec: 500000000 },
        limit: 'velocity',
        target: 'panda_joint2',
        requested: 3.1,
        applied: 2.175,
        severity: 1,
        message: 'panda_joint2: velocity limit (asked 3.1, applied 2.175): started',
      },
    ]);
    expect(chunks[0]).toMatchObject({
      stamp: { sec: 12, nanosec: 250000000 },
      names: ['a', 'b'],
      horizon: 2,
      dims: 2,
      kind: 'delta',
      gripper_index: -1,
    });
    expect(Array.from(chunks[0]!.tokens)).toEqual([31744, 31999]);
  });

  it("in a dry run the pipeline's command topics lead to ~/preview and the controllers hear nothing", async () => {
    const r = rig({ dry_run: true });
    r.host.trigger('configure');
    const settings = r.factory.settings[0]!;
    const real = r.received<JointTrajectoryMsg>('/panda_arm_controller/joint_trajectory', 'trajectory_msgs/msg/JointTrajectory');
    const preview = r.received<JointTrajectoryMsg>(
      '/vla_bridge/preview/panda_arm_controller/joint_trajectory',
      'trajectory_msgs/msg/JointTrajectory',
    );
    const gripperPreview = r.received<unknown>('/vla_bridge/preview/gripper_controller/commands', 'std_msgs/msg/Float64MultiArray');
    const msg: JointTrajectoryMsg = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' }, joint_names: ['panda_joint1'], points: [] };
    settings.transport.createPublisher('/panda_arm_controller/joint_trajectory', 'trajectory_msgs/msg/JointTrajectory').publish(msg);
    settings.transport
      .createPublisher('/gripper_controller/commands', 'std_msgs/msg/Float64MultiArray')
      .publish({ layout: { dim: [], data_offset: 0 }, data: [0.04] });
    expect(real).toHaveLength(0);
    expect(preview).toEqual([msg]);
    expect(gripperPreview).toHaveLength(1);
    expect(r.host.logs.map((l) => l.message).join('\n')).toMatch(
      /~\/preview\/panda_arm_controller\/joint_trajectory \(dry run; \/panda_arm_controller\/joint_trajectory stays silent\)/,
    );
  });

  it("without a dry run the pipeline publishes on the embodiment's command topic", () => {
    const r = rig();
    r.host.trigger('configure');
    const real = r.received<JointTrajectoryMsg>('/panda_arm_controller/joint_trajectory', 'trajectory_msgs/msg/JointTrajectory');
    const msg: JointTrajectoryMsg = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' }, joint_names: [], points: [] };
    r.factory.settings[0]!.transport.createPublisher(
      '/panda_arm_controller/joint_trajectory',
      'trajectory_msgs/msg/JointTrajectory',
    ).publish(msg);
    expect(real).toEqual([msg]);
  });
});

describe('VlaBridgeNode ~/safety_events', () => {
  it('publishes the start, changes, a periodic summary and the end of an intervention, not every tick', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    const events = r.received<SafetyEventMsg>('/vla_bridge/safety_events', 'vla_bridge/msg/SafetyEvent');
    const clamp = (tS: number, target: string, limit: 'position' | 'velocity') => ({
      tS,
      limit,
      target,
      requested: 2.95,
      applied: 2.8973,
      severity: 'warn' as const,
    });
    // 2.5 s at 100 Hz clamped at panda_joint1's position limit, then 0.5 s on panda_joint2's velocity limit, then quiet.
    for (let k = 0; k < 300; k++) {
      const tS = 10 + k * 0.01;
      bridge.emitSafetyEvents(
        tS,
        k < 250 ? [clamp(tS, 'panda_joint1', 'position')] : k < 300 ? [clamp(tS, 'panda_joint2', 'velocity')] : [],
      );
    }
    bridge.emitSafetyEvents(13, []);
    const story = events.map((e) => `${e.limit} ${e.target} ${e.severity}: ${e.message}`);
    expect(story).toEqual([
      'position panda_joint1 1: panda_joint1: position limit (asked 2.95, applied 2.8973): started',
      'position panda_joint1 0: panda_joint1: position limit still acting: 101 ticks in the last 1.0 s, 101 since it started 1.0 s ago',
      'position panda_joint1 0: panda_joint1: position limit still acting: 100 ticks in the last 1.0 s, 201 since it started 2.0 s ago',
      'velocity panda_joint2 1: panda_joint2: velocity limit (asked 2.95, applied 2.8973): started',
      'position panda_joint1 0: panda_joint1: position limit released after 250 ticks (2.50 s)',
      'velocity panda_joint2 0: panda_joint2: velocity limit released after 50 ticks (0.50 s)',
    ]);
    expect(events.every((e) => e.message !== '')).toBe(true);
  });

  it('passes stop conditions through as the safety layer reports them, each with a message', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    const events = r.received<SafetyEventMsg>('/vla_bridge/safety_events', 'vla_bridge/msg/SafetyEvent');
    bridge.emitSafetyEvents(1, [
      {
        tS: 1,
        limit: 'watchdog_camera',
        target: 'primary',
        severity: 'error',
        message: 'camera "primary" frame is 0.6 s old (timeout 0.5 s): stopping',
        condition: 'begin',
      },
    ]);
    bridge.emitSafetyEvents(1.01, []);
    bridge.emitSafetyEvents(2, [
      {
        tS: 2,
        limit: 'watchdog_camera',
        target: 'primary',
        severity: 'info',
        message: 'camera watchdog cleared: moving again from the held position',
        condition: 'end',
      },
    ]);
    expect(events.map((e) => [e.limit, e.severity, e.message])).toEqual([
      ['watchdog_camera', 2, 'camera "primary" frame is 0.6 s old (timeout 0.5 s): stopping'],
      ['watchdog_camera', 0, 'camera watchdog cleared: moving again from the held position'],
    ]);
  });
});

describe('VlaBridgeNode status tells the truth', () => {
  it('active without any joint state or image: waiting, holding, naming the topics', async () => {
    const r = rig();
    r.host.trigger('configure');
    const bridge = await r.factory.load();
    r.host.trigger('activate');
    bridge.setStats({ ticks: 311, holding: true, waitingFor: ['/joint_states', '/camera/image_raw'] });
    const status = r.received<PolicyStatusMsg>('/vla_bridge/status', 'vla_bridge/msg/PolicyStatus');
    r.node.publishStatus();
    expect(status.at(-1)).toMatchObject({
      mode: 'waiting',
      holding: true,
      reason: 'waiting for the first message on /joint_states, /camera/image_raw',
      ticks: 311,
    });
  });
});
