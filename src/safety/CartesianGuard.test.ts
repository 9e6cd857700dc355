import { loadEmbodiment } from '../config/loadEmbodiment';
import { constantTicks, drive } from '../../test/safety/drive';
import { InvariantChecker } from '../../test/safety/InvariantChecker';
import { SafetyLayer } from './SafetyLayer';

/** Cartesian checks on joint commands (workspace box and tool speeds), on the shipped Panda. */

const panda = loadEmbodiment('franka_panda');
const tool = new Float64Array(16);
const toolPosition = (q: Float64Array): [number, number, number] => {
  panda.chain.forwardKinematics(q.subarray(0, 7), tool);
  return [tool[3]!, tool[7]!, tool[11]!];
};
const f64 = (...v: number[]) => new Float64Array(v);
const START = f64(0, 0.3, 0, -1.8, 0, 2.1, 0.7, 0.02);
const box = panda.config.safety.workspace!;
const maxLinear = panda.config.safety.max_ee_linear_speed_m_per_s!;

describe.each([0.01, 0.002])('joint commands on the Panda at dt = %s s', (dt) => {
  it('keeps the tool inside the workspace box, braking ahead of its floor', () => {
    // This configuration puts the tool 6 cm below the floor of the box.
    const throughFloor = f64(0, 1.5, 0, -0.8, 0, 1.0, 0.7, 0.02);
    expect(toolPosition(throughFloor)[2]).toBeLessThan(box.min[2] - 0.05);
    const run = drive(SafetyLayer.fromEmbodiment(panda), 0, START, constantTicks(0, dt, Math.round(3 / dt), throughFloor));
    const zs = run.commands.map((c) => toolPosition(c.positions)[2]);
    expect(Math.min(...zs)).toBeGreaterThanOrEqual(box.min[2] - 1e-5);
    // It comes to rest on the floor rather than short of it.
    expect(zs.at(-1)!).toBeLessThan(box.min[2] + 1e-3);
    const events = run.events.flat();
    expect(events).toContainEqual(expect.objectContaining({ limit: 'workspace', target: 'z', severity: 'warn' }));
    expect(events.filter((e) => e.severity === 'error')).toEqual([]);
    const checker = new InvariantChecker(panda.limits);
    expect(checker.start(0, START, undefined, run.commands[0]!.positions)).toBeUndefined();
    for (const c of run.commands.slice(1)) expect(checker.check(c.stampS, c.positions, false)).toBeUndefined();
  });

  it('keeps the tool speed under its limit and still reaches a reachable target', () => {
    const far = f64(2.5, 1.7, 0, -0.3, 0, 0.5, 0.7, 0.02);
    const run = drive(SafetyLayer.fromEmbodiment(panda), 0, START, constantTicks(0, dt, Math.round(5 / dt), far));
    let previous = toolPosition(run.commands[0]!.positions);
    for (const c of run.commands.slice(1)) {
      const p = toolPosition(c.positions);
      expect(Math.hypot(p[0] - previous[0], p[1] - previous[1], p[2] - previous[2]) / dt).toBeLessThanOrEqual(maxLinear * (1 + 1e-9));
      previous = p;
    }
    expect(run.events.flat()).toContainEqual(expect.objectContaining({ limit: 'ee_linear_speed', target: 'linear', severity: 'warn' }));
    expect(Array.from(run.commands.at(-1)!.positions)).toEqual(Array.from(far));
  });
});

it('leaves a step that breaks no Cartesian limit untouched', () => {
  const near = f64(0.01, 0.31, 0, -1.79, 0, 2.1, 0.7, 0.02);
  const run = drive(SafetyLayer.fromEmbodiment(panda), 0, START, constantTicks(0, 0.01, 200, near));
  expect(run.events.flat().filter((e) => e.limit.startsWith('ee_') || e.limit === 'workspace')).toEqual([]);
});

it('lets a tool that starts outside the box move back in, never further out', () => {
  const below = f64(0, 1.5, 0, -0.8, 0, 1.0, 0.7, 0.02);
  const up = f64(0, 0.5, 0, -0.8, 0, 1.0, 0.7, 0.02);
  expect(toolPosition(up)[2]).toBeGreaterThan(box.min[2]);
  const run = drive(SafetyLayer.fromEmbodiment(panda), 0, below, constantTicks(0, 0.01, 400, up));
  const zs = run.commands.map((c) => toolPosition(c.positions)[2]);
  for (let k = 1; k < zs.length; k++)
    expect(Math.min(0, zs[k]! - box.min[2])).toBeGreaterThanOrEqual(Math.min(0, zs[k - 1]! - box.min[2]) - 1e-9);
  expect(Array.from(run.commands.at(-1)!.positions)).toEqual(Array.from(up));

  // A joint-space path that would first take the tool further out is held instead (reported as a workspace
  // intervention): the layer never trades a larger violation for a later recovery.
  const detour = f64(0, 0.3, 0, -1.8, 0, 2.1, 0.7, 0.02);
  const held = drive(SafetyLayer.fromEmbodiment(panda), 0, below, constantTicks(0, 0.01, 50, detour));
  expect(held.commands.map((c) => toolPosition(c.positions)[2]).every((z) => z >= zs[0]! - 1e-9)).toBe(true);
  expect(held.events.flat()).toContainEqual(expect.objectContaining({ limit: 'workspace', target: 'z' }));
});
