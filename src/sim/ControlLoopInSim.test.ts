import { loadEmbodiment } from '../config/loadEmbodiment';
import { ControlLoop } from '../control/ControlLoop';
import type { JointTrajectoryMsg } from '../msgs/rosMessages';
import type { SafetyEvent } from '../safety/SafetyEvent';
import { SafetyLayer } from '../safety/SafetyLayer';
import { sampleReachTask } from './ReachTask';
import { Rng } from './Rng';
import { ScriptedReachPolicy } from './ScriptedReachPolicy';
import { SimTransport } from './SimTransport';

const panda = loadEmbodiment('franka_panda');

describe('ControlLoop on the simulator', () => {
  it('halt() decelerates the moving arm within its limits, ends at rest and holds it until reset, reporting a requested stop', async () => {
    const sim = new SimTransport(panda);
    const task = sampleReachTask(sim.world.geometry, Rng.forEpisode(9, 0), panda.limits, 7);
    sim.world.reset(task);
    const safety = SafetyLayer.fromEmbodiment(panda);
    const events: SafetyEvent[] = [];
    const loop = new ControlLoop({
      embodiment: panda,
      transport: sim,
      policy: new ScriptedReachPolicy(sim.world),
      safety,
      instruction: task.instruction,
      listeners: { safetyEvent: (e) => events.push(e) },
    });
    const commands: number[][] = [];
    sim.subscribe(panda.config.control.command_topic, 'trajectory_msgs/msg/JointTrajectory', (m: JointTrajectoryMsg) =>
      commands.push(Array.from(m.points[0]!.positions)),
    );
    sim.restartSensors(0);
    const running = loop.run();
    await sim.clock.sleepUntil(0.8);
    const speed = (k: number): number => Math.max(...commands[k]!.map((q, j) => Math.abs(q - commands[k - 1]![j]!) / 0.01));
    const before = commands.length;
    expect(speed(before - 1)).toBeGreaterThan(0.05);
    expect(await loop.halt()).toBe(true);
    await running;
    const stopped = commands.length;
    const dt = 0.01;
    for (let k = before; k < stopped; k++) {
      commands[k]!.forEach((q, j) => {
        const v = (q - commands[k - 1]![j]!) / dt;
        const vPrev = (commands[k - 1]![j]! - commands[k - 2]![j]!) / dt;
        expect(Math.abs(v)).toBeLessThanOrEqual(panda.limits[j]!.maxVelocity + 1e-9);
        expect(Math.abs(v - vPrev)).toBeLessThanOrEqual(panda.limits[j]!.maxAcceleration * dt + 1e-6);
      });
    }
    expect(speed(stopped - 1)).toBe(0);
    expect(stopped - before).toBeGreaterThan(2);
    // A stop on request is reported, not counted as an intervention, and is not an e-stop.
    expect(events.filter((e) => e.limit === 'stop').map((e) => e.severity)).toEqual(['info']);
    expect(events.some((e) => e.limit === 'estop')).toBe(false);
    expect(safety.counters.stop).toBe(0);
    expect(safety.latched).toBe(false);
    expect(safety.holdingFor).toEqual(['stop']);
    // reset() releases it: the next run moves again.
    loop.reset();
    const again = loop.run();
    await sim.clock.sleepUntil(sim.clock.nowS() + 0.8);
    await loop.stop();
    await again;
    loop.close();
    await sim.close();
    expect(events.filter((e) => e.limit === 'stop').map((e) => e.severity)).toEqual(['info', 'info']);
    expect(safety.holdingFor).toEqual([]);
    expect(speed(commands.length - 1)).toBeGreaterThan(0.05);
    expect(commands.length - stopped).toBeGreaterThan(50);
  });
});
