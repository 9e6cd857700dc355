import { join } from 'node:path';
import { SafetyConfigSchema } from '../config/EmbodimentConfig';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { resolveJointLimits } from '../config/resolveJointLimits';
import { VlaError } from '../errors';
import type { JointLimits } from '../robot/JointLimits';
import { parseUrdfFile } from '../robot/parseUrdf';
import { InvariantChecker } from '../../test/safety/InvariantChecker';
import { constantTicks, drive, timeOptimalS } from '../../test/safety/drive';
import { isSafeCommand } from './SafeCommand';
import { SafetyLayer } from './SafetyLayer';

const URDFS = join(__dirname, '..', '..', 'test', 'fixtures', 'urdf');

const joint = (name: string, over: Partial<JointLimits> = {}): JointLimits => ({
  name,
  type: 'revolute',
  minPosition: -2,
  maxPosition: 2,
  maxVelocity: 1.5,
  maxAcceleration: 6,
  maxJerk: Infinity,
  ...over,
});
const LIMITS = [
  joint('a'),
  joint('b', { maxVelocity: 2, maxAcceleration: 10 }),
  joint('c', { type: 'prismatic', minPosition: 0, maxPosition: 0.04, maxVelocity: 0.2, maxAcceleration: 2 }),
];
const f64 = (...v: number[]) => new Float64Array(v);
const fresh = { jointStateAgeS: 0.01, cameraAgesS: { primary: 0.02 }, policyOverdue: false };

/** Checks every command of a run with the independent checker; `stopFrom`..`stopTo` (indices) expect a stop. */
function expectInvariants(
  limits: readonly JointLimits[],
  run: ReturnType<typeof drive>,
  startVelocity?: Float64Array,
  stop: (k: number) => boolean = () => false,
): void {
  const checker = new InvariantChecker(limits);
  const [first, ...rest] = run.commands;
  expect(checker.start(first!.stampS, first!.positions, startVelocity, first!.positions)).toBeUndefined();
  rest.forEach((c, i) => expect(checker.check(c.stampS, c.positions, stop(i + 1))).toBeUndefined());
}

describe('SafetyLayer: start', () => {
  it('emits the measured position first, bit for bit, and never jumps from it', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    const start = f64(0.1 + 0.2, -1.9, 0.0123);
    const run = drive(layer, 5, start, constantTicks(5, 0.01, 200, f64(1.9, 1.9, 0.04)));
    expect(Array.from(run.commands[0]!.positions)).toEqual(Array.from(start));
    expect(Object.is(run.commands[0]!.positions[0], 0.1 + 0.2)).toBe(true);
    expectInvariants(LIMITS, run);
  });

  it('continues a measured velocity instead of stopping the arm dead', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    const v0 = f64(1, -1, 0);
    // Continuing at the measured velocity passes unchanged.
    const cruise = drive(layer, 0, f64(0, 0, 0.02), constantTicks(0, 0.01, 1, f64(0.01, -0.01, 0.02)), v0);
    expect(cruise.events[1]).toEqual([]);
    // Asked to stop at once, it decelerates at a_max instead: 1 -> 0.94 rad/s.
    const run = drive(new SafetyLayer({ limits: LIMITS }), 0, f64(0, 0, 0.02), constantTicks(0, 0.01, 3, f64(0, 0, 0.02)), v0);
    expectInvariants(LIMITS, run, v0);
    expect(run.commands[1]!.velocities[0]).toBeCloseTo(1 - 6 * 0.01, 9);
  });

  it('brings a joint measured outside its range back inside within its limits', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    const run = drive(layer, 0, f64(2.3, -2.2, 0.05), constantTicks(0, 0.01, 300, f64(2.5, -3, 0.06)));
    expectInvariants(LIMITS, run);
    const last = run.commands.at(-1)!.positions;
    expect(last[0]).toBeLessThanOrEqual(2);
    expect(last[1]).toBeGreaterThanOrEqual(-2);
    expect(last[2]).toBeLessThanOrEqual(0.04);
  });

  it('refuses to start without a finite joint state, naming the joint index', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    expect(() => layer.enforce({ tS: 0, measured: { stampS: 0, position: f64(0, NaN, 0) }, proposal: null })).toThrow(
      /measured position 1 is NaN/,
    );
  });
});

describe('SafetyLayer: liveness (invariant 5)', () => {
  it('passes a stream within the limits unchanged, bit for bit, with no events', () => {
    const panda = loadEmbodiment('franka_panda');
    const layer = SafetyLayer.fromEmbodiment(panda);
    const mid = f64(0, -0.3, 0, -2.0, 0, 1.8, 0.7, 0.02);
    const dt = 0.01;
    const stream = Array.from({ length: 600 }, (_, k) => {
      const t = (k + 1) * dt;
      // Starts at rest at `mid`: a = A (1 - cos w t) keeps velocity and acceleration continuous.
      return Float64Array.from(
        mid,
        (q, j) => q + (j === 7 ? 0.009 : 0.08 * (j % 2 === 0 ? 1 : -1)) * (1 - Math.cos(2 * Math.PI * 0.4 * t)),
      );
    });
    const run = drive(
      layer,
      0,
      mid,
      stream.map((p, k) => ({ tS: (k + 1) * dt, proposal: p, watchdog: fresh })),
    );
    stream.forEach((p, k) => {
      const out = run.commands[k + 1]!.positions;
      for (let j = 0; j < p.length; j++) expect(Object.is(out[j], p[j])).toBe(true);
    });
    expect(run.events.flat()).toEqual([]);
  });

  it.each([
    ['regular 100 Hz', () => 0.01],
    ['regular 1 kHz', () => 0.001],
    ['irregular', (k: number) => 0.002 + (0.018 * ((k * 7919) % 13)) / 13],
  ])('reaches a static target within 1.5x the time-optimal profile (%s)', (_label, dtOf) => {
    const panda = loadEmbodiment('franka_panda');
    const layer = new SafetyLayer({ limits: panda.limits });
    const start = f64(0, -0.3, 0, -2.0, 0, 1.8, 0.7, 0.02);
    const target = f64(1.2, 0.6, -1.5, -0.8, 2.0, 3.0, -1.1, 0.035);
    const optimal = Math.max(...panda.limits.map((l, j) => timeOptimalS(target[j]! - start[j]!, l.maxVelocity, l.maxAcceleration)));
    let t = 0;
    const ticks = Array.from({ length: 4000 }, (_, k) => ({ tS: (t += dtOf(k)), proposal: target }));
    const run = drive(layer, 0, start, ticks);
    expectInvariants(panda.limits, run);
    const reached = run.commands.findIndex((c) => c.positions.every((q, j) => Math.abs(q - target[j]!) <= 1e-9));
    expect(reached).toBeGreaterThan(0);
    const reachedS = run.commands[reached]!.stampS;
    expect(reachedS).toBeLessThanOrEqual(1.5 * optimal);
    // ... and stays there exactly.
    for (const c of run.commands.slice(reached + 1)) expect(Array.from(c.positions)).toEqual(Array.from(target));
  });

  it('reaches a target at a position limit without ever passing it', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    const run = drive(layer, 0, f64(-1.5, 0, 0), constantTicks(0, 0.01, 600, f64(2, 2, 0.04)));
    expectInvariants(LIMITS, run);
    const last = run.commands.at(-1)!.positions;
    expect(last[0]).toBeCloseTo(2, 9);
    expect(last[2]).toBeCloseTo(0.04, 9);
    expect(run.commands.every((c) => c.positions[0]! <= 2)).toBe(true);
  });

  it('without acceleration limits applies only position and velocity: steps of v_max dt, then an exact stop', () => {
    const limits = LIMITS.map((l) => ({ ...l, maxAcceleration: Infinity }));
    const layer = new SafetyLayer({ limits });
    const run = drive(layer, 0, f64(0, 0, 0), constantTicks(0, 0.01, 100, f64(0.5, -5, 0.03)));
    expect(run.commands[1]!.positions[0]).toBeCloseTo(0.015, 12);
    expect(run.commands[1]!.positions[1]).toBeCloseTo(-0.02, 12);
    const atTarget = run.commands.findIndex((c) => c.positions[0] === 0.5);
    expect(atTarget).toBe(34);
    expect(run.commands[atTarget + 1]!.positions[0]).toBe(0.5);
    expect(run.commands.at(-1)!.positions[1]).toBe(-2);
    expectInvariants(limits, run);
  });
});

describe('SafetyLayer: braking and timing', () => {
  it('brakes ahead of a limit when the proposal flips sign every tick and dt turns tiny', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    const ticks = [];
    let t = 0;
    for (let k = 0; k < 400; k++) {
      t += k < 120 ? 0.01 : k % 3 === 0 ? 1e-6 : 0.013;
      ticks.push({ tS: t, proposal: k < 120 ? f64(5, 5, 1) : k % 2 === 0 ? f64(5, -5, 1) : f64(-5, 5, -1) });
    }
    const run = drive(layer, 0, f64(0, 0, 0), ticks);
    expectInvariants(LIMITS, run);
  });

  it('repeats the last command for a tick that does not advance time, and counts dt from the last processed tick', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    const target = f64(1, 1, 0.04);
    const run = drive(layer, 10, f64(0, 0, 0), [
      { tS: 10.01, proposal: target },
      { tS: 10.01, proposal: target },
      { tS: 9.5, proposal: target },
      { tS: 10.02, proposal: target },
    ]);
    expect(Array.from(run.commands[2]!.positions)).toEqual(Array.from(run.commands[1]!.positions));
    expect(Array.from(run.commands[3]!.positions)).toEqual(Array.from(run.commands[1]!.positions));
    expect(run.commands[2]!.holding).toBe(true);
    expect(run.events[2]!.map((e) => e.limit)).toEqual(['clock']);
    expect(run.events[3]!.map((e) => e.limit)).toEqual(['clock']);
    expectInvariants(LIMITS, run);
    expect(layer.counters.clock).toBe(2);
  });

  it('keeps every step under max_step_per_tick', () => {
    const layer = new SafetyLayer({ limits: LIMITS, maxStepPerTick: 0.004 });
    const run = drive(layer, 0, f64(0, 0, 0), constantTicks(0, 0.01, 300, f64(2, -2, 0.04)));
    for (let k = 1; k < run.commands.length; k++) {
      for (let j = 0; j < 3; j++)
        expect(Math.abs(run.commands[k]!.positions[j]! - run.commands[k - 1]!.positions[j]!)).toBeLessThanOrEqual(0.004 + 1e-15);
    }
    expect(run.events.flat().some((e) => e.limit === 'max_step')).toBe(true);
  });

  it('limits how fast acceleration builds up where a jerk limit is set, and passes a jerk-feasible stream unchanged', () => {
    const limits = [joint('j', { maxJerk: 100 })];
    const layer = new SafetyLayer({ limits });
    const run = drive(layer, 0, f64(0), constantTicks(0, 0.01, 200, f64(1)));
    const acc = run.commands.slice(1).map((c, k) => (c.velocities[0]! - run.commands[k]!.velocities[0]!) / 0.01);
    expect(acc[0]).toBeCloseTo(100 * 0.01, 9);
    expect(acc[1]).toBeCloseTo(2 * 100 * 0.01, 9);
    expectInvariants(limits, run);
    expect(run.commands.at(-1)!.positions[0]).toBe(1);

    // s-curve: jerk +J, 0, -J: within the limits, so untouched.
    const smooth = new SafetyLayer({ limits });
    const q: number[] = [];
    let p = 0;
    let v = 0;
    let a = 0;
    for (let k = 0; k < 150; k++) {
      const jerk = k < 10 ? 50 : k < 30 ? -50 : k < 40 ? 50 : 0;
      a += jerk * 0.01;
      v += a * 0.01;
      p += v * 0.01;
      q.push(p);
    }
    const sRun = drive(
      smooth,
      0,
      f64(0),
      q.map((x, k) => ({ tS: (k + 1) * 0.01, proposal: f64(x) })),
    );
    q.forEach((x, k) => expect(Object.is(sRun.commands[k + 1]!.positions[0], x)).toBe(true));
  });

  it('leaves continuous joints unbounded', () => {
    const kinova = parseUrdfFile(join(URDFS, 'kinova_gen3_7dof_vision__kinova.urdf'));
    const { limits } = resolveJointLimits(kinova, ['joint_1'], SafetyConfigSchema.parse({ default_max_acceleration: 5 }));
    const layer = new SafetyLayer({ limits });
    const run = drive(layer, 0, f64(3), constantTicks(0, 0.01, 2000, f64(12)));
    expect(run.commands.at(-1)!.positions[0]).toBe(12);
    expectInvariants(limits, run);
  });
});

describe('SafetyLayer: non-finite proposals', () => {
  it('never passes NaN or Inf: the arm stops within its limits that tick, one error event per bad joint', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    const moving = drive(layer, 0, f64(0, 0, 0), constantTicks(0, 0.01, 30, f64(2, 2, 0.04)));
    const before = moving.commands.at(-1)!;
    const r = layer.enforce({ tS: 0.31, measured: { stampS: 0.31, position: before.positions }, proposal: f64(NaN, 1, Infinity) });
    expect(r.command.positions.every(Number.isFinite)).toBe(true);
    expect(r.command.holding).toBe(true);
    expect(r.events.map((e) => [e.limit, e.target, e.severity])).toEqual([
      ['non_finite', 'a', 'error'],
      ['non_finite', 'c', 'error'],
    ]);
    // Decelerating, not frozen: joint a slows by at most a_max dt.
    expect(r.command.velocities[0]).toBeCloseTo(before.velocities[0]! - 6 * 0.01, 9);
    expect(layer.counters.non_finite).toBe(2);
  });
});

describe('SafetyLayer: e-stop (invariant 6)', () => {
  it('latches, stops within the limits, holds until reset, and resumes without a jump', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    const target = f64(1.9, -1.9, 0.04);
    const ticks = Array.from(constantTicks(0, 0.01, 600, target));
    ticks[60] = { ...ticks[60]!, before: (l) => l.estop() };
    ticks[250] = { ...ticks[250]!, before: (l) => l.reset() };
    const run = drive(layer, 0, f64(-1.5, 1.5, 0), ticks);
    expectInvariants(LIMITS, run, undefined, (k) => k >= 61 && k < 251);
    expect(run.events[61]!.map((e) => [e.limit, e.severity])).toEqual([['estop', 'error']]);
    expect(run.commands.slice(61, 251).every((c) => c.holding)).toBe(true);
    const held = run.commands[200]!.positions;
    expect(Array.from(run.commands[250]!.positions)).toEqual(Array.from(held));
    expect(run.events[251]!.filter((e) => e.limit === 'estop').map((e) => e.severity)).toEqual(['info']);
    expect(run.commands[251]!.holding).toBe(false);
    expect(run.commands.at(-1)!.positions[0]).toBeCloseTo(1.9, 9);
    expect(layer.counters.estop).toBe(1);
  });

  it('reports the latch', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    expect(layer.latched).toBe(false);
    layer.estop();
    expect(layer.latched).toBe(true);
    layer.reset();
    expect(layer.latched).toBe(false);
  });
});

describe('SafetyLayer: watchdog (invariant 7)', () => {
  const timeouts = { jointStateS: 0.1, cameraS: { primary: 0.5 } };

  it.each([
    ['stale joint states', { ...fresh, jointStateAgeS: 0.25 }, 'watchdog_joint_state', 'joint_states'],
    ['a stale camera', { ...fresh, cameraAgesS: { primary: 0.9 } }, 'watchdog_camera', 'primary'],
    ['a camera that never arrived', { ...fresh, cameraAgesS: {} }, 'watchdog_camera', 'primary'],
    ['a late policy', { ...fresh, policyOverdue: true }, 'watchdog_policy', 'policy'],
    ['an age that is not a number', { ...fresh, jointStateAgeS: NaN }, 'watchdog_joint_state', 'joint_states'],
  ])('stops and holds on %s, then recovers when fresh data returns', (_label, stale, limit, target) => {
    const layer = new SafetyLayer({ limits: LIMITS, timeouts });
    const goal = f64(1.8, -1.8, 0.04);
    const ticks = Array.from(constantTicks(0, 0.01, 500, goal)).map((t, k) => ({ ...t, watchdog: k >= 50 && k < 200 ? stale : fresh }));
    const run = drive(layer, 0, f64(-1, 1, 0), ticks);
    expectInvariants(LIMITS, run, undefined, (k) => k >= 51 && k < 201);
    expect(run.events[51]).toContainEqual(expect.objectContaining({ limit, target, severity: 'error' }));
    expect(run.events[201]).toContainEqual(expect.objectContaining({ limit, severity: 'info' }));
    expect(run.events.flat().filter((e) => e.limit === limit)).toHaveLength(2);
    expect(run.commands[150]!.holding).toBe(true);
    expect(Array.from(run.commands[199]!.positions)).toEqual(Array.from(run.commands[150]!.positions));
    expect(run.commands.at(-1)!.positions[1]).toBeCloseTo(-1.8, 9);
    expect(layer.counters[limit as 'watchdog_camera']).toBe(1);
  });
});

describe('SafetyLayer: tracking error', () => {
  it('stops when the arm does not follow, holds, and resumes once it has caught up', () => {
    const layer = new SafetyLayer({ limits: LIMITS, trackingErrorS: 0.2 });
    const goal = f64(1.5, 0, 0);
    const stuck = f64(0, 0, 0);
    const ticks = Array.from(constantTicks(0, 0.01, 400, goal)).map((t, k) => (k < 150 ? { ...t, measured: stuck } : t));
    const run = drive(layer, 0, f64(0, 0, 0), ticks);
    const first = run.events.findIndex((es) => es.some((e) => e.limit === 'tracking'));
    expect(first).toBeGreaterThan(0);
    expect(run.events[first]!.find((e) => e.limit === 'tracking')).toMatchObject({ target: 'a', severity: 'error' });
    // |measured - last output| > 0.2 s * 1.5 rad/s = 0.3 rad
    expect(run.commands[first - 1]!.positions[0]).toBeGreaterThan(0.3);
    expect(run.commands[first + 40]!.holding).toBe(true);
    expectInvariants(LIMITS, run);
    expect(run.commands.at(-1)!.positions[0]).toBeCloseTo(1.5, 9);
  });
});

describe('SafetyLayer: construction and branding', () => {
  it('returns only branded commands; a copy or a hand-made command is refused', () => {
    const layer = new SafetyLayer({ limits: LIMITS });
    const { command } = layer.enforce({ tS: 0, measured: { stampS: 0, position: f64(0, 0, 0) }, proposal: null });
    expect(isSafeCommand(command)).toBe(true);
    expect(isSafeCommand({ ...command })).toBe(false);
    expect(isSafeCommand({ kind: 'joint', stampS: 0, jointNames: ['a'], positions: f64(5), velocities: f64(0), holding: false })).toBe(
      false,
    );
    expect(Object.isFrozen(command)).toBe(true);
  });

  it('refuses a joint without a usable velocity limit, naming it', () => {
    expect(() => new SafetyLayer({ limits: [joint('shoulder', { maxVelocity: 0 })] })).toThrow(/joint "shoulder": velocity limit 0/);
    try {
      new SafetyLayer({ limits: [joint('elbow', { maxVelocity: Infinity })] });
    } catch (err) {
      expect(err).toBeInstanceOf(VlaError);
      expect((err as VlaError).joint).toBe('elbow');
      expect((err as VlaError).code).toBe('URDF_UNUSABLE_LIMIT');
    }
  });

  it('refuses the QArm URDF (velocity="0" on every joint) unless the YAML gives a velocity limit', () => {
    const qarm = parseUrdfFile(join(URDFS, 'quanser_qarm__daniella1.urdf'));
    let refused: unknown;
    try {
      resolveJointLimits(qarm, ['YAW', 'SHOULDER'], SafetyConfigSchema.parse({}));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(VlaError);
    expect((refused as VlaError).joint).toBe('YAW');
    expect((refused as VlaError).message).toMatch(/joint "YAW" has velocity limit 0/);
    expect((refused as VlaError).hint).toMatch(/safety\.joints\.YAW\.max_velocity/);
    const { limits } = resolveJointLimits(
      qarm,
      ['YAW', 'SHOULDER'],
      SafetyConfigSchema.parse({ joints: { YAW: { max_velocity: 0.8 }, SHOULDER: { max_velocity: 0.8 } } }),
    );
    const run = drive(new SafetyLayer({ limits }), 0, f64(0, 0), constantTicks(0, 0.01, 10, f64(1, 1)));
    expect(run.commands.at(-1)!.positions[0]).toBeCloseTo(0.08, 12);
  });

  it('refuses a misspelled option, naming it', () => {
    expect(() => new SafetyLayer({ limits: LIMITS, trackingErrorSec: 1 } as never)).toThrow(/trackingErrorSec/);
    expect(() => new SafetyLayer({ limits: LIMITS, workspace: { min: [0, 0, 0], max: [1, 1, 1] } })).toThrow(/need the kinematic chain/);
  });
});
