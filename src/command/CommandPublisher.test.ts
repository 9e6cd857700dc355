import type { Embodiment } from '../config/Embodiment';
import type { EmbodimentConfig } from '../config/EmbodimentConfig';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { ManualClock } from '../time/ManualClock';
import { SafetyLayer } from '../safety/SafetyLayer';
import type { SafeCommand, SafeJointCommand } from '../safety/SafeCommand';
import { LoopbackTransport } from '../transport/LoopbackTransport';
import { CommandPublisher, type SentMessage } from './CommandPublisher';

const panda = loadEmbodiment('franka_panda');
const HOME = Float64Array.from([0, -0.785, 0, -2.356, 0, 1.571, 0.785, 0.04]);

function withControl(e: Embodiment, control: Partial<EmbodimentConfig['control']>, gripper: 'keep' | 'in_arm' = 'keep'): Embodiment {
  const config = { ...e.config, control: { ...e.config.control, ...control } };
  if (gripper === 'in_arm' && config.gripper !== undefined) config.gripper = { ...config.gripper, command_topic: undefined };
  return { ...e, config };
}

function safeJointCommand(e: Embodiment, positions = HOME): SafeJointCommand {
  return SafetyLayer.fromEmbodiment(e).enforce({ tS: 5, measured: { stampS: 5, position: positions }, proposal: positions }).command;
}

function capture(e: Embodiment): { publisher: CommandPublisher; sent: SentMessage[] } {
  const sent: SentMessage[] = [];
  const publisher = new CommandPublisher(new LoopbackTransport(new ManualClock()), e, { onSent: (s) => sent.push(s) });
  return { publisher, sent };
}

describe('CommandPublisher', () => {
  it('refuses a command that did not come from the safety layer, even one cast to SafeCommand', () => {
    const { publisher, sent } = capture(panda);
    const forged = {
      kind: 'joint',
      stampS: 0,
      jointNames: panda.commandJointNames,
      positions: HOME,
      velocities: new Float64Array(8),
      holding: false,
    } as unknown as SafeCommand;
    expect(() => publisher.publish(forged)).toThrow(expect.objectContaining({ code: 'COMMAND_REFUSED' }));
    // A copy of a minted command is not minted either.
    const copy = { ...safeJointCommand(panda) } as unknown as SafeCommand;
    expect(() => publisher.publish(copy)).toThrow(expect.objectContaining({ code: 'COMMAND_REFUSED' }));
    expect(sent).toEqual([]);
    expect(publisher.refused).toBe(2);
  });

  it('refuses a minted command whose values were changed after the safety layer checked them', () => {
    const { publisher, sent } = capture(panda);
    const tampered = safeJointCommand(panda);
    tampered.positions[0] = 2.5;
    expect(() => publisher.publish(tampered)).toThrow(/changed after the safety layer checked it/);
    const velocity = safeJointCommand(panda);
    velocity.velocities[3] = 10;
    expect(() => publisher.publish(velocity)).toThrow(/changed after the safety layer checked it/);
    // A minted command's arrays are its own: the layer's next tick does not change them.
    const layer = SafetyLayer.fromEmbodiment(panda);
    const earlier = layer.enforce({ tS: 5, measured: { stampS: 5, position: HOME }, proposal: HOME }).command;
    const values = Array.from(earlier.positions);
    const moved = HOME.map((q, j) => (j < 7 ? q + 0.001 : q));
    layer.enforce({ tS: 5.01, measured: { stampS: 5.01, position: HOME }, proposal: moved });
    expect(Array.from(earlier.positions)).toEqual(values);
    expect(() => publisher.publish(earlier)).not.toThrow();
    expect(sent).toHaveLength(2);
    expect(publisher.refused).toBe(2);
  });

  it('sends JointTrajectory with one point (stamp zero, time_from_start one period) and the gripper on its own topic', () => {
    const { publisher, sent } = capture(panda);
    publisher.publish(safeJointCommand(panda));
    expect(sent.map((s) => [s.topic, s.type])).toEqual([
      ['/panda_arm_controller/joint_trajectory', 'trajectory_msgs/msg/JointTrajectory'],
      ['/gripper_controller/commands', 'std_msgs/msg/Float64MultiArray'],
    ]);
    const traj = sent[0]!.message as {
      header: { stamp: unknown };
      joint_names: string[];
      points: { positions: Float64Array; time_from_start: unknown }[];
    };
    expect(traj.header.stamp).toEqual({ sec: 0, nanosec: 0 });
    expect(traj.joint_names).toEqual(panda.armJointNames);
    expect(Array.from(traj.points[0]!.positions)).toEqual(Array.from(HOME.slice(0, 7)));
    expect(traj.points[0]!.time_from_start).toEqual({ sec: 0, nanosec: 10_000_000 });
    expect(Array.from((sent[1]!.message as { data: Float64Array }).data)).toEqual([0.04]);
  });

  it('keeps the gripper in the arm command when it has no topic of its own', () => {
    const e = withControl(panda, { command_type: 'std_msgs/msg/Float64MultiArray' }, 'in_arm');
    const { publisher, sent } = capture(e);
    publisher.publish(safeJointCommand(e));
    expect(sent).toHaveLength(1);
    expect(Array.from((sent[0]!.message as { data: Float64Array }).data)).toEqual(Array.from(HOME));
  });

  it('sends velocities in joint_velocity mode (Float64MultiArray and JointState)', () => {
    for (const type of ['std_msgs/msg/Float64MultiArray', 'sensor_msgs/msg/JointState'] as const) {
      const e = withControl(panda, { mode: 'joint_velocity', command_type: type });
      const { publisher, sent } = capture(e);
      const layer = SafetyLayer.fromEmbodiment(e);
      layer.enforce({ tS: 0, measured: { stampS: 0, position: HOME }, proposal: HOME });
      const moved = Float64Array.from(HOME);
      moved[0] = 0.001;
      const cmd = layer.enforce({ tS: 0.01, measured: { stampS: 0.01, position: HOME }, proposal: moved }).command;
      publisher.publish(cmd);
      const msg = sent[0]!.message as { data?: Float64Array; velocity?: Float64Array; position?: unknown[]; name?: string[] };
      const velocity = type === 'sensor_msgs/msg/JointState' ? msg.velocity! : msg.data!;
      expect(velocity[0]).toBeCloseTo(cmd.velocities[0]!, 12);
      expect(velocity[0]).toBeGreaterThan(0);
      if (type === 'sensor_msgs/msg/JointState') {
        expect(msg.position).toEqual([]);
        expect(msg.name).toEqual(panda.armJointNames);
      }
    }
  });

  it('sends TwistStamped and PoseStamped in the Cartesian modes with the gripper on its topic, and refuses a joint command there', () => {
    const twistE = withControl(panda, { mode: 'cartesian_twist', command_type: 'geometry_msgs/msg/TwistStamped' });
    const twist = SafetyLayer.fromEmbodiment(twistE).enforceTwist({
      tS: 1,
      measured: { stampS: 1, position: HOME },
      proposal: new Float64Array(7),
    }).command;
    const a = capture(twistE);
    a.publisher.publish(twist);
    expect(a.sent[0]!.type).toBe('geometry_msgs/msg/TwistStamped');
    expect(a.sent[0]!.message).toMatchObject({ header: { frame_id: 'panda_link0' }, twist: { linear: { x: 0, y: 0, z: 0 } } });
    expect(a.sent[1]).toMatchObject({ topic: '/gripper_controller/commands', type: 'std_msgs/msg/Float64MultiArray' });
    expect(Array.from((a.sent[1]!.message as { data: Float64Array }).data)).toEqual([HOME[7]]);
    expect(() => a.publisher.publish(safeJointCommand(panda))).toThrow(/joint command cannot be sent in cartesian_twist mode/);

    const poseE = withControl(panda, { mode: 'cartesian_pose', command_type: 'geometry_msgs/msg/PoseStamped' });
    const layer = SafetyLayer.fromEmbodiment(poseE);
    const pose = layer.enforcePose({ tS: 1, measured: { stampS: 1, position: HOME }, proposal: null }).command;
    const b = capture(poseE);
    b.publisher.publish(pose);
    expect(b.sent[0]!.type).toBe('geometry_msgs/msg/PoseStamped');
    expect(b.sent.map((m) => m.topic)).toEqual([poseE.config.control.command_topic, '/gripper_controller/commands']);
    const msg = b.sent[0]!.message as { pose: { position: { z: number }; orientation: { x: number; y: number; z: number; w: number } } };
    expect(msg.pose.position.z).toBeCloseTo(pose.positionM[2], 12);
    const q = msg.pose.orientation;
    expect(Math.hypot(q.x, q.y, q.z, q.w)).toBeCloseTo(1, 9);
  });

  it('refuses a joint command for other joints', () => {
    const ur5e = loadEmbodiment('ur5e');
    const cmd = SafetyLayer.fromEmbodiment(ur5e).enforce({
      tS: 0,
      measured: { stampS: 0, position: new Float64Array(6) },
      proposal: null,
    }).command;
    const { publisher } = capture(panda);
    expect(() => publisher.publish(cmd)).toThrow(/are not the embodiment's/);
  });
});
