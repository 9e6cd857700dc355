import { loadEmbodiment } from '../config/loadEmbodiment';
import { sampleReachTask } from './ReachTask';
import { Rng } from './Rng';
import { SimWorld } from './SimWorld';

const panda = loadEmbodiment('franka_panda');

function redPixels(px: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < px.length; i += 3) if (px[i]! > 120 && px[i + 1]! < 60 && px[i + 2]! < 60) n++;
  return n;
}

describe('reach task', () => {
  it('samples the same scene for the same seed; cubes apart, on the table, one of each colour; the instruction names the target', () => {
    const world = new SimWorld(panda);
    const a = sampleReachTask(world.geometry, Rng.forEpisode(5, 0), panda.limits, 7);
    const b = sampleReachTask(world.geometry, Rng.forEpisode(5, 0), panda.limits, 7);
    expect(b).toEqual(a);
    expect(a.cubes.map((c) => c.color).sort()).toEqual(['blue', 'green', 'red']);
    for (const c of a.cubes) {
      expect(c.center[2]).toBeCloseTo(c.halfSizeM, 12);
      for (const o of a.cubes)
        if (o !== c)
          expect(Math.hypot(o.center[0] - c.center[0], o.center[1] - c.center[1])).toBeGreaterThanOrEqual(world.geometry.cubeSeparationM);
    }
    expect(a.instruction).toContain(a.cubes[a.targetIndex]!.color);
    a.startPositions.forEach((q, i) => expect(q >= panda.limits[i]!.minPosition && q <= panda.limits[i]!.maxPosition).toBe(true));
  });

  it('different episodes get different scenes', () => {
    const world = new SimWorld(panda);
    const scenes = [0, 1, 2, 3].map((e) => sampleReachTask(world.geometry, Rng.forEpisode(5, e), panda.limits, 7).cubes[0]!.center[0]);
    expect(new Set(scenes).size).toBe(4);
  });
});

describe('SimWorld', () => {
  it('renders the cubes in their colours where the camera sees them', () => {
    const world = new SimWorld(panda, { imageWidth: 96, imageHeight: 96 });
    const task = sampleReachTask(world.geometry, Rng.forEpisode(1, 0), panda.limits, 7);
    world.reset(task);
    const with3 = redPixels(world.render());
    expect(with3).toBeGreaterThan(4);
    world.reset({ ...task, cubes: task.cubes.filter((c) => c.color !== 'red') });
    expect(redPixels(world.render())).toBe(0);
  });

  it('renders the same pixels for the same state (deterministic frames)', () => {
    const world = new SimWorld(panda, { imageWidth: 32, imageHeight: 32 });
    world.reset(sampleReachTask(world.geometry, Rng.forEpisode(1, 0), panda.limits, 7));
    expect(Buffer.from(world.render()).equals(Buffer.from(world.render()))).toBe(true);
  });

  it('the arm tracks a position command within its velocity limit and stops at the target', () => {
    const world = new SimWorld(panda);
    const start = Float64Array.from(world.geometry.homePositions);
    world.arm.reset(start);
    const target = Float64Array.from(start);
    target[0] = start[0]! + 0.5;
    world.arm.commandPositions(target);
    let maxSpeed = 0;
    for (let k = 0; k < 1000; k++) {
      const before = world.arm.positions[0]!;
      world.step(0.002);
      maxSpeed = Math.max(maxSpeed, Math.abs(world.arm.positions[0]! - before) / 0.002);
    }
    expect(maxSpeed).toBeLessThanOrEqual(panda.limits[0]!.maxVelocity + 1e-9);
    expect(world.arm.positions[0]).toBeCloseTo(target[0]!, 6);
  });

  it('the arm stops at its URDF position limits', () => {
    const world = new SimWorld(panda);
    world.arm.reset(world.geometry.homePositions);
    world.arm.commandVelocities([10, 0, 0, 0, 0, 0, 0, 0]);
    for (let k = 0; k < 40; k++) {
      world.arm.commandVelocities([10, 0, 0, 0, 0, 0, 0, 0]);
      for (let s = 0; s < 50; s++) world.step(0.002);
    }
    expect(world.arm.positions[0]).toBeCloseTo(panda.robot.jointByName.get('panda_joint1')!.limit!.upper!, 9);
  });

  it('reports every moving joint in joint states, mimic fingers included', () => {
    const world = new SimWorld(panda);
    const msg = world.arm.jointStateMsg(1.5);
    expect(msg.name).toContain('panda_finger_joint2');
    expect(msg.position[msg.name.indexOf('panda_finger_joint2')]).toBe(msg.position[msg.name.indexOf('panda_finger_joint1')]);
    expect(msg.header.stamp).toEqual({ sec: 1, nanosec: 500_000_000 });
  });

  it('judges success by the distance of the tool to the goal', () => {
    const world = new SimWorld(panda);
    const task = sampleReachTask(world.geometry, Rng.forEpisode(1, 0), panda.limits, 7);
    world.reset(task);
    expect(world.succeeded).toBe(false);
    const p = world.toolPositionM();
    world.reset({ ...task, goalM: [p[0], p[1], p[2] + 0.01] });
    world.step(0.001);
    expect(world.succeeded).toBe(true);
  });
});
