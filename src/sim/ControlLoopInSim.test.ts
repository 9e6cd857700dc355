import { loadEmbodiment } from '../config/loadEmbodiment';
import { ControlLoop } from '../control/ControlLoop';
import { safetyGateFor } from '../control/SafetyGate';
import type { JointTrajectoryMsg } from '../msgs/rosMessages';
import { sampleReachTask } from './ReachTask';
import { Rng } from './Rng';
import { ScriptedReachPolicy } from './ScriptedReachPolicy';
import { SimTransport } from './SimTransport';

const panda = loadEmbodiment('franka_panda');

describe('ControlLoop on the simulator', () => {
  it('halt() decelerates the moving arm within its limits, ends at rest and releases the latch', async () => {
    const sim = new SimTransport(panda);
    const task = sampleReachTask(sim.world.geometry, Rng.forEpisode(9, 0), panda.limits, 7);
    sim.world.reset(task);
    const safety = safetyGateFor(panda);
    const loop = new ControlLoop({ embodiment: panda, transport: sim, policy: new ScriptedReachPolicy(sim.world), safety, instruction: task.instruction });
    const commands: number[][] = [];
    sim.subscribe(panda.config.control.command_topic, 'trajectory_msgs/msg/JointTrajectory', (m: JointTrajectoryMsg) => commands.push(Array.from(m.points[0]!.positions)));
    sim.restartSensors(0);
    const running = loop.run();
    await sim.clock.sleepUntil(0.8);
    const speed = (k: number): number => Math.max(...commands[k]!.map((q, j) => Math.abs(q - commands[k - 1]![j]!) / 0.01));
    const before = commands.length;
    expect(speed(before - 1)).toBeGreaterThan(0.05);
    await loop.halt();
    await running;
    loop.close();
    await sim.close();
    const dt = 0.01;
    for (let k = before; k < commands.length; k++) {
      commands[k]!.forEach((q, j) => {
        const v = (q - commands[k - 1]![j]!) / dt;
        const vPrev = (commands[k - 1]![j]! - commands[k - 2]![j]!) / dt;
        expect(Math.abs(v)).toBeLessThanOrEqual(panda.limits[j]!.maxVelocity + 1e-9);
        expect(Math.abs(v - vPrev)).toBeLessThanOrEqual(panda.limits[j]!.maxAcceleration * dt + 1e-6);
      });
    }
    expect(speed(commands.length - 1)).toBe(0);
    expect(commands.length - before).toBeGreaterThan(2);
    expect(safety.latched).toBe(false);
  });
});
