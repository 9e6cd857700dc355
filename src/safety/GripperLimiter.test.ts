import { loadEmbodiment } from '../config/loadEmbodiment';
import { SafetyLayer } from './SafetyLayer';

/** The gripper in the Cartesian modes: limited as a joint, in the same tick as the tool command, stopping with it. */

const panda = loadEmbodiment('franka_panda');
const GRIPPER = panda.commandJointNames.indexOf('panda_finger_joint1');
const limits = panda.limits[GRIPPER]!;
const f64 = (...v: number[]) => new Float64Array(v);
const OPEN = 0.04;
const Q = f64(0, 0.3, 0, -1.8, 0, 2.1, 0.7, OPEN);
const measured = (tS: number) => ({ stampS: tS, position: Q });
const DT = 0.01;

describe('the gripper in the Cartesian modes (GripperLimiter)', () => {
  it('twist mode: the gripper rides with the twist, closes within its velocity limit and reaches its target', () => {
    const layer = SafetyLayer.fromEmbodiment(panda);
    const first = layer.enforceTwist({ tS: 0, measured: measured(0), proposal: f64(0, 0, 0, 0, 0, 0, 0) });
    expect(first.command.gripper).toEqual({ joint: 'panda_finger_joint1', position: OPEN, velocity: 0 });
    let previous = OPEN;
    let k = 1;
    for (; k < 2000; k++) {
      const r = layer.enforceTwist({ tS: k * DT, measured: measured(k * DT), proposal: f64(0, 0, 0, 0, 0, 0, 0) });
      const g = r.command.gripper!;
      expect(Math.abs(g.position - previous)).toBeLessThanOrEqual(limits.maxVelocity * DT + 1e-12);
      expect(g.position).toBeGreaterThanOrEqual(limits.minPosition);
      previous = g.position;
      if (g.position === 0 && g.velocity === 0) break;
    }
    expect(previous).toBe(0);
    // The gripper moved over several ticks: its velocity limit (or acceleration) was in force.
    expect(k).toBeGreaterThan(2);
  });

  it('twist mode: a gripper target outside the joint range is clamped and reported', () => {
    const layer = SafetyLayer.fromEmbodiment(panda);
    layer.enforceTwist({ tS: 0, measured: measured(0), proposal: null });
    const events = [];
    for (let k = 1; k < 400; k++)
      events.push(...layer.enforceTwist({ tS: k * DT, measured: measured(k * DT), proposal: f64(0, 0, 0, 0, 0, 0, 0.5) }).events);
    expect(events).toContainEqual(expect.objectContaining({ limit: 'position', target: 'panda_finger_joint1', requested: 0.5 }));
    expect(
      layer.enforceTwist({ tS: 4, measured: measured(4), proposal: f64(0, 0, 0, 0, 0, 0, 0.5) }).command.gripper!.position,
    ).toBeLessThanOrEqual(limits.maxPosition);
  });

  it('twist mode: a non-finite gripper value stops the tool and the gripper, and an e-stop holds both', () => {
    const layer = SafetyLayer.fromEmbodiment(panda);
    layer.enforceTwist({ tS: 0, measured: measured(0), proposal: null });
    const moving = layer.enforceTwist({ tS: DT, measured: measured(DT), proposal: f64(0.05, 0, 0, 0, 0, 0, 0) });
    expect(moving.command.linearMPerS[0]).toBe(0.05);
    const bad = layer.enforceTwist({ tS: 2 * DT, measured: measured(2 * DT), proposal: f64(0.05, 0, 0, 0, 0, 0, NaN) });
    expect(bad.command).toMatchObject({ linearMPerS: [0, 0, 0], holding: true });
    expect(bad.events).toContainEqual(expect.objectContaining({ limit: 'non_finite' }));
    expect(Number.isFinite(bad.command.gripper!.position)).toBe(true);
    layer.estop();
    let last = bad.command.gripper!;
    for (let k = 3; k < 200; k++)
      last = layer.enforceTwist({ tS: k * DT, measured: measured(k * DT), proposal: f64(0, 0, 0, 0, 0, 0, 0) }).command.gripper!;
    // Decelerated to rest and held, not closed.
    expect(last.velocity).toBe(0);
    expect(last.position).toBeGreaterThan(0);
  });

  it('pose mode: the gripper rides with the pose, within its limits, and holds on a stop', () => {
    const layer = SafetyLayer.fromEmbodiment(panda);
    const first = layer.enforcePose({ tS: 0, measured: measured(0), proposal: null }).command;
    expect(first.gripper).toEqual({ joint: 'panda_finger_joint1', position: OPEN, velocity: 0 });
    const target = f64(...first.positionM, ...first.orientationXyzw, 0);
    let g = first.gripper!;
    for (let k = 1; k < 1000 && g.position > 0; k++) {
      const next = layer.enforcePose({ tS: k * DT, measured: measured(k * DT), proposal: target }).command.gripper!;
      expect(Math.abs(next.position - g.position)).toBeLessThanOrEqual(limits.maxVelocity * DT + 1e-12);
      g = next;
    }
    expect(g.position).toBe(0);
    expect(() => layer.enforcePose({ tS: 20, measured: measured(20), proposal: target.subarray(0, 7) })).toThrow(/8 values/);
  });
});
