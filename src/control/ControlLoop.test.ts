import { loadEmbodiment } from '../config/loadEmbodiment';
import type { SafetyEvent } from '../safety/SafetyEvent';
import { LoopbackTransport } from '../transport/LoopbackTransport';
import { ManualClock } from '../time/ManualClock';
import { ControlLoop, type ControlLoopOptions, type InferenceMode, type TickInfo } from './ControlLoop';
import type { Handover } from './queue/ActionQueue';
import { safetyGateFor } from './SafetyGate';
import { ExactArm } from '../bench/ExactArm';
import { ScriptedChunkPolicy, type ScriptedChunkPolicyOptions } from '../../test/support/control/TestPolicies';

const embodiment = loadEmbodiment('franka_panda');
const HOME = [0, -0.785, 0, -2.356, 0, 1.571, 0.785, 0.04];
const PERIOD = 1 / embodiment.config.rates.command_hz;
const T0 = 100;
const vmax = embodiment.limits.map((l) => l.maxVelocity);
const amax = embodiment.limits.map((l) => l.maxAcceleration);

interface Rig {
  clock: ManualClock;
  arm: ExactArm;
  loop: ControlLoop;
  policy: ScriptedChunkPolicy;
  infos: TickInfo[];
  events: SafetyEvent[];
  run(seconds: number): Promise<void>;
  /** Called before every tick with the tick's time. */
  beforeTick?: (tS: number) => void;
  /** The header stamp of the frames published at `tS` (default `tS`). */
  frameStampS?: (tS: number) => number;
}

function rig(
  policyOptions: Partial<ScriptedChunkPolicyOptions> & Pick<ScriptedChunkPolicyOptions, 'action'>,
  inference: InferenceMode,
  extra: Partial<ControlLoopOptions> = {},
): Rig {
  const clock = new ManualClock(T0);
  const transport = new LoopbackTransport(clock);
  const arm = new ExactArm(transport, embodiment, HOME);
  const policy = new ScriptedChunkPolicy({
    names: embodiment.policyJointNames,
    horizon: 10,
    stepDtS: 0.1,
    stepsToExecute: 5,
    ...policyOptions,
  });
  const events: SafetyEvent[] = [];
  const infos: TickInfo[] = [];
  const loop = new ControlLoop({
    embodiment,
    transport,
    policy,
    safety: safetyGateFor(embodiment),
    instruction: 'test',
    inference,
    listeners: { safetyEvent: (e) => events.push(e) },
    ...extra,
  });
  let k = 0;
  const self: Rig = {
    clock,
    arm,
    loop,
    policy,
    infos,
    events,
    async run(seconds: number) {
      const end = k + Math.round(seconds / PERIOD);
      for (; k < end; k++) {
        const t = T0 + k * PERIOD;
        clock.set(t);
        self.beforeTick?.(t);
        arm.publishState(t);
        if (k % 10 === 0) arm.publishFrames(t, self.frameStampS?.(t) ?? t);
        infos.push(loop.tick());
        // Let a policy that answered settle before the next tick.
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
  return self;
}

/** Makes the rig's policy answer `latenciesS[call % length]` seconds of clock time after each request. */
function delayAnswers(r: Rig, latenciesS: readonly number[]): void {
  const inner = r.policy.infer.bind(r.policy);
  const waiting: { dueS: number; answer: () => void }[] = [];
  let call = 0;
  r.policy.infer = (observation, options) => {
    const dueS = r.clock.nowS() + latenciesS[call++ % latenciesS.length]!;
    return new Promise((resolve) => waiting.push({ dueS, answer: () => resolve(inner(observation, options)) }));
  };
  r.beforeTick = (tS) => {
    for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i]!.dueS <= tS + 1e-9) waiting.splice(i, 1)[0]!.answer();
  };
}

/** A smooth reference motion of the arm joints, from rest at HOME (well inside the velocity limits). */
function reference(t: number): number[] {
  return HOME.slice(0, 7).map((h, j) => h + (j % 2 === 0 ? 0.25 : -0.25) * (1 - Math.cos(0.8 * (t - T0))));
}

function steps(commands: readonly Float64Array[]): { maxVelocityRatio: number; maxAccelerationRatio: number } {
  let v = 0;
  let a = 0;
  for (let k = 1; k < commands.length; k++) {
    for (let j = 0; j < 7; j++) {
      const d = commands[k]![j]! - commands[k - 1]![j]!;
      v = Math.max(v, Math.abs(d) / (vmax[j]! * PERIOD));
      if (k >= 2) {
        const dd = d - (commands[k - 1]![j]! - commands[k - 2]![j]!);
        a = Math.max(a, Math.abs(dd) / (amax[j]! * PERIOD * PERIOD));
      }
    }
  }
  return { maxVelocityRatio: v, maxAccelerationRatio: a };
}

describe('ControlLoop', () => {
  it('maps the joint state by name and commands only through the safety layer (first command holds the measured state)', async () => {
    const r = rig({ action: (_obs, i) => reference(T0 + (i + 1) * 0.1) }, { kind: 'lockstep', latencyS: 0.1 });
    await r.run(0.02);
    expect(r.arm.commands.length).toBe(2);
    expect(Array.from(r.arm.commands[0]!).map((v) => +v.toFixed(9))).toEqual(HOME);
  });

  // One inference is in flight at a time (the Policy contract) and the chunks are 10 x 0.1 s = 1 s long.
  it.each([0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])(
    'never runs dry with %p s of inference latency (chunks of 1 s)',
    async (latencyS) => {
      const r = rig({ action: (obs, i) => reference(obs.stampS + (i + 1) * 0.1) }, { kind: 'lockstep', latencyS });
      await r.run(10);
      const first = r.infos.findIndex((i) => i.queue === 'ok');
      expect(first).toBeGreaterThan(0);
      const after = r.infos.slice(first);
      expect(after.filter((i) => i.queue !== 'ok')).toEqual([]);
      const stats = r.loop.stats();
      expect(stats.overdueTicks).toBe(0);
      expect(stats.queue.drySamples).toBe(0);
      expect(r.events.filter((e) => e.limit === 'watchdog_policy')).toEqual([]);
      expect(stats.inferences.completed).toBeGreaterThanOrEqual(Math.floor(9 / Math.max(latencyS, 0.5)));
      // Chunks run on their observation's time while that keeps the queue fed (latency up to half a chunk, less
      // a tick of margin); beyond that each chunk runs late by no more than its latency.
      if (latencyS <= 0.45) expect(stats.lateChunks.count).toBe(0);
      else expect(stats.lateChunks.count).toBeGreaterThan(0);
      expect(stats.lateChunks.maxDelayS).toBeLessThanOrEqual(latencyS + 1e-9);
    },
  );

  it('never runs dry with a live (async) policy whose latency varies below the chunk duration, once it has seen the slowest', async () => {
    const r = rig({ action: (obs, i) => reference(obs.stampS + (i + 1) * 0.1) }, { kind: 'async' });
    delayAnswers(r, [0.9, 0.6, 0.75, 0.5]);
    await r.run(12);
    const stats = r.loop.stats();
    expect(stats.inferences.completed).toBeGreaterThanOrEqual(12);
    expect(Math.max(...stats.inferences.latencyS)).toBeGreaterThan(0.9);
    const first = r.infos.findIndex((i) => i.queue === 'ok');
    expect(r.infos.slice(first).filter((i) => i.queue !== 'ok')).toEqual([]);
    expect(stats.overdueTicks).toBe(0);
    expect(r.events.filter((e) => e.limit === 'watchdog_policy')).toEqual([]);
  });

  it('keeps the arm on the reference trajectory with a slow policy, lagging it by the delay it reports', async () => {
    const latencyS = 0.8;
    const r = rig({ action: (obs, i) => reference(obs.stampS + (i + 1) * 0.1) }, { kind: 'lockstep', latencyS });
    await r.run(10);
    const { maxDelayS } = r.loop.stats().lateChunks;
    expect(maxDelayS).toBeGreaterThan(0.5);
    // After the start-up blend, every command is on the reference, at most maxDelayS behind it.
    const arm = r.arm.commands.slice(300);
    for (const [k, command] of arm.entries()) {
      const t = T0 + (300 + k) * PERIOD;
      let best = Infinity;
      for (let lagS = 0; lagS <= maxDelayS + 1e-9; lagS += PERIOD / 4) {
        const ref = reference(t - lagS);
        best = Math.min(best, Math.max(...ref.map((q, j) => Math.abs(q - command[j]!))));
      }
      expect(best).toBeLessThan(0.02);
    }
  });

  it('with strict latency compensation, runs dry past half a chunk (and the watchdog holds the arm)', async () => {
    const r = rig(
      { action: (obs, i) => reference(obs.stampS + (i + 1) * 0.1) },
      { kind: 'lockstep', latencyS: 0.7 },
      { latencyCompensation: 'strict' },
    );
    await r.run(6);
    expect(r.infos.some((i) => i.queue === 'dry')).toBe(true);
    expect(r.loop.stats().lateChunks.count).toBe(0);
    expect(r.events.some((e) => e.limit === 'watchdog_policy')).toBe(true);
  });

  it.each([1.1, 1.5])(
    'runs dry and brings the arm to a controlled stop when inference takes longer than a chunk (%p s)',
    async (latencyS) => {
      const r = rig({ action: (obs, i) => reference(obs.stampS + (i + 1) * 0.1) }, { kind: 'lockstep', latencyS });
      await r.run(8);
      expect(r.infos.some((i) => i.queue === 'dry')).toBe(true);
      expect(r.events.some((e) => e.limit === 'watchdog_policy')).toBe(true);
      const s = steps(r.arm.commands);
      expect(s.maxVelocityRatio).toBeLessThanOrEqual(1 + 1e-9);
      expect(s.maxAccelerationRatio).toBeLessThanOrEqual(1 + 1e-6);
    },
  );

  it.each<[string, Handover]>([
    ['hard switch', { kind: 'receding_horizon', blendS: 0 }],
    ['overlap blending', { kind: 'receding_horizon', blendS: 0.3 }],
    ['temporal ensembling', { kind: 'temporal_ensemble', decayPerStep: 0.01, blendS: 0.3 }],
  ])(
    'never steps further than the velocity limit allows across chunk boundaries (%s), even when chunks disagree by 0.3 rad',
    async (_name, handover) => {
      for (const latencyS of [0.15, 0.8]) {
        const r = rig(
          { action: (obs, i, call) => reference(obs.stampS + (i + 1) * 0.1).map((q) => q + (call % 2 === 0 ? 0.3 : -0.3)) },
          { kind: 'lockstep', latencyS },
          { handover },
        );
        await r.run(5);
        expect(r.loop.stats().inferences.completed).toBeGreaterThanOrEqual(latencyS < 0.5 ? 8 : 5);
        const s = steps(r.arm.commands);
        expect(s.maxVelocityRatio).toBeLessThanOrEqual(1 + 1e-9);
        expect(s.maxAccelerationRatio).toBeLessThanOrEqual(1 + 1e-6);
      }
    },
  );

  it('blends chunks that disagree a little so smoothly that the safety layer has nothing to correct', async () => {
    // Each chunk is the reference plus its own offset of up to 0.02 rad (prediction noise).
    const r = rig(
      { action: (obs, i, call) => reference(obs.stampS + (i + 1) * 0.1).map((q, j) => q + 0.02 * Math.sin(7 * call + j)) },
      { kind: 'lockstep', latencyS: 0.15 },
    );
    await r.run(6);
    expect(r.loop.stats().inferences.completed).toBeGreaterThanOrEqual(10);
    expect(r.events.filter((e) => e.severity !== 'info')).toEqual([]);
    expect(steps(r.arm.commands).maxVelocityRatio).toBeLessThan(1);
  });

  it('brings the arm to a controlled stop and holds it when the policy hangs', async () => {
    // Chunks drive joint 1 at 0.6 rad/s; from the third request on, the policy never answers.
    const r = rig(
      { action: (obs, i) => HOME.slice(0, 7).map((h, j) => (j === 0 ? 0.6 * (obs.stampS - T0 + (i + 1) * 0.1) : h)), hangAfter: 2 },
      { kind: 'async' },
    );
    await r.run(4);
    const policyEvents = r.events.filter((e) => e.limit === 'watchdog_policy' && e.severity !== 'info');
    expect(policyEvents.length).toBeGreaterThanOrEqual(1);
    const s = steps(r.arm.commands);
    expect(s.maxVelocityRatio).toBeLessThanOrEqual(1 + 1e-9);
    expect(s.maxAccelerationRatio).toBeLessThanOrEqual(1 + 1e-6);
    // It was moving, and it ends at rest, held.
    const moved = r.arm.commands.some((c) => Math.abs(c[0]! - HOME[0]!) > 0.3);
    expect(moved).toBe(true);
    const last = r.arm.commands.slice(-50);
    expect(last.every((c) => c.every((v, j) => v === last[0]![j]))).toBe(true);
    expect(r.infos[r.infos.length - 1]!.command!.holding).toBe(true);
    expect(r.policy.calls).toBe(3);
  });

  it('drives the arm on camera frames stamped zero, judging them by their receive time, with one warning', async () => {
    const warnings: string[] = [];
    const r = rig(
      { action: (obs, i) => reference(obs.stampS + (i + 1) * 0.1) },
      { kind: 'lockstep', latencyS: 0.1 },
      { listeners: { stampWarning: (m) => warnings.push(m) } },
    );
    r.frameStampS = () => 0;
    await r.run(3);
    const stamped = rig({ action: (obs, i) => reference(obs.stampS + (i + 1) * 0.1) }, { kind: 'lockstep', latencyS: 0.1 });
    await stamped.run(3);
    const stats = r.loop.stats();
    expect(stats.inferences.completed).toBeGreaterThan(5);
    // As with stamped frames: only the first ticks hold, until the first chunk arrives (before: every tick held).
    expect(stats.holdingTicks).toBe(stamped.loop.stats().holdingTicks);
    expect(stats.holdingTicks).toBeLessThan(15);
    expect(r.arm.commands.map((c) => Array.from(c))).toEqual(stamped.arm.commands.map((c) => Array.from(c)));
    expect(r.events.filter((e) => e.limit === 'watchdog_camera')).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining(`${embodiment.config.topics.cameras[0]!.topic}: header.stamp is zero`)]);
  });

  it('refuses a policy that needs a camera the embodiment does not have', () => {
    const clock = new ManualClock(0);
    const transport = new LoopbackTransport(clock);
    const policy = new ScriptedChunkPolicy({
      names: embodiment.policyJointNames,
      horizon: 2,
      stepDtS: 0.1,
      stepsToExecute: 1,
      action: () => HOME.slice(0, 7),
    });
    Object.defineProperty(policy, 'cameras', { value: ['wrist'] });
    expect(() => new ControlLoop({ embodiment, transport, policy, safety: safetyGateFor(embodiment), instruction: '' })).toThrow(
      /needs camera\(s\) wrist/,
    );
  });
});

describe('settle', () => {
  it('resolves only once the inference the loop left in flight has answered', async () => {
    const r = rig({ action: () => HOME.slice(0, 7) }, { kind: 'async' });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = r.policy.infer.bind(r.policy);
    let calls = 0;
    r.policy.infer = (observation, options) => {
      calls++;
      return gate.then(() => inner(observation, options));
    };
    await r.run(0.05);
    expect(calls).toBe(1);
    let settled = false;
    const settling = r.loop.settle().then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    await settling;
    expect(settled).toBe(true);
  });
});
