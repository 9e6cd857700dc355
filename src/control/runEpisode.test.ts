import { loadEmbodiment } from '../config/loadEmbodiment';
import { LoopbackTransport } from '../transport/LoopbackTransport';
import { SimClock } from '../time/SimClock';
import { ExactArm } from '../bench/ExactArm';
import { ScriptedChunkPolicy } from '../../test/support/control/TestPolicies';
import type { ControlLoop } from './ControlLoop';
import { createEpisodeLoop, type EpisodeStop, runEpisode } from './runEpisode';

const embodiment = loadEmbodiment('franka_panda');
const HOME = [0, -0.785, 0, -2.356, 0, 1.571, 0.785, 0.04];
const PERIOD_S = 1 / embodiment.config.rates.command_hz;

/** A simulated-time rig: an arm that follows every command exactly, a policy that holds the rest pose. */
function rig(): {
  clock: SimClock;
  transport: LoopbackTransport;
  arm: ExactArm;
  episode(stop: EpisodeStop, onTick?: (loop: ControlLoop) => void): ReturnType<typeof runEpisode>;
} {
  const clock = new SimClock({ startS: 10 });
  const transport = new LoopbackTransport(clock);
  const arm = new ExactArm(transport, embodiment, HOME);
  const policy = new ScriptedChunkPolicy({
    names: embodiment.policyJointNames,
    horizon: 10,
    stepDtS: 0.1,
    stepsToExecute: 5,
    action: () => HOME.slice(0, embodiment.policyJointNames.length),
  });
  return {
    clock,
    transport,
    arm,
    episode(stop, onTick) {
      let k = 0;
      const loop: ControlLoop = createEpisodeLoop({
        embodiment,
        transport,
        policy,
        instruction: 'hold',
        listeners: {
          tick: (info) => {
            arm.publishState(info.tS);
            if (k++ % 10 === 0) arm.publishFrames(info.tS);
            onTick?.(loop);
          },
        },
      });
      arm.publishState(clock.nowS());
      arm.publishFrames(clock.nowS());
      return runEpisode(loop, stop);
    },
  };
}

describe('runEpisode: stop conditions', () => {
  it('ends after the first tick at least the time limit after the start', async () => {
    const r = rig();
    const out = await r.episode({ timeLimitS: 0.5 });
    expect(out.endedBy).toBe('time_limit');
    expect(out.startS).toBe(10);
    expect(out.endS - out.startS).toBeCloseTo(0.5, 9);
    // Ticks at 0, 0.01, ..., 0.5 s into the episode.
    expect(out.stats.ticks).toBe(Math.round(0.5 / PERIOD_S) + 1);
    expect(out.stats.commandsSent).toBe(2 * out.stats.ticks);
  });

  it('ends after the tick on which its condition holds, before the time limit, with the loop at hand', async () => {
    const r = rig();
    const seen: number[] = [];
    const out = await r.episode({
      until: (tS, loop) => {
        seen.push(loop.stats().ticks);
        return tS >= 10.2 - 1e-9;
      },
      timeLimitS: 5,
    });
    expect(out.endedBy).toBe('condition');
    expect(out.stats.ticks).toBe(21);
    // Checked after every tick, the tick already counted.
    expect(seen).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it("ends when the loop is stopped from outside, and calls `ending` once, with the last tick's time", async () => {
    const r = rig();
    const ending = jest.fn();
    let ticks = 0;
    const out = await r.episode({ timeLimitS: 5, ending }, (loop) => {
      if (++ticks === 7) void loop.stop();
    });
    expect(out.endedBy).toBe('stopped');
    expect(out.stats.ticks).toBe(7);
    expect(ending.mock.calls).toEqual([[out.endS]]);
  });

  it('closes the loop: messages after the episode reach nothing of it', async () => {
    const r = rig();
    let loopOf: ControlLoop | undefined;
    await r.episode({ timeLimitS: 0.1 }, (loop) => {
      loopOf = loop;
    });
    const before = loopOf!.assembler.latestJointState()!.stampS;
    r.arm.publishState(r.clock.nowS() + 1);
    expect(loopOf!.assembler.latestJointState()!.stampS).toBe(before);
  });
});

describe('runEpisode: counting', () => {
  it('counts an e-stop held for many ticks as one intervention, and each episode starts with a fresh safety layer', async () => {
    const r = rig();
    const first = await r.episode({ timeLimitS: 1 }, (loop) => {
      if (loop.stats().ticks === 10) loop.estop();
    });
    expect(first.stats.inferences.completed).toBeGreaterThan(0);
    expect(first.stats.holdingTicks).toBeGreaterThan(80);
    expect(first.stats.interventionsByLimit).toEqual({ estop: 1 });
    expect(first.stats.safetyInterventions).toBe(1);
    // The next episode's loop is built with its own layer: no latch carried over.
    const second = await r.episode({ timeLimitS: 0.5 });
    // It holds only until its first chunk arrives (0.1 s of modelled latency), then moves; a latch would hold it throughout.
    expect(second.stats.inferences.completed).toBeGreaterThan(0);
    expect(second.stats.holdingTicks).toBeLessThan(12);
    expect(second.stats.safetyInterventions).toBe(0);
  });
});
