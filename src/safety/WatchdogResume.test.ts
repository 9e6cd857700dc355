import type { JointLimits } from '../robot/JointLimits';
import { constantTicks, drive } from '../../test/safety/drive';
import { SafetyLayer } from './SafetyLayer';

const joint = (name: string): JointLimits => ({
  name,
  type: 'revolute',
  minPosition: -2,
  maxPosition: 2,
  maxVelocity: 1.5,
  maxAcceleration: 6,
  maxJerk: Infinity,
});
const LIMITS = [joint('a'), joint('b')];
const timeouts = { jointStateS: 0.1, cameraS: { primary: 0.5 } };
const fresh = { jointStateAgeS: 0.01, cameraAgesS: { primary: 0.02 }, policyOverdue: false };
const stale = { ...fresh, jointStateAgeS: 0.3 };
const goal = new Float64Array([1.5, -1.5]);

/** 500 ticks at 100 Hz toward `goal`, joint states stale on ticks [50, 50 + gapTicks). */
function gapRun(layer: SafetyLayer, gapTicks: number, resetAt?: number) {
  const ticks = Array.from(constantTicks(0, 0.01, 500, goal)).map((t, k) => ({
    ...t,
    watchdog: k >= 50 && k < 50 + gapTicks ? stale : fresh,
    before: k === resetAt ? (l: SafetyLayer) => l.reset() : undefined,
  }));
  return drive(layer, 0, new Float64Array([0, 0]), ticks);
}

describe('SafetyLayer: watchdog_resume', () => {
  it('auto (the default) moves again by itself when fresh data returns', () => {
    const layer = new SafetyLayer({ limits: LIMITS, timeouts });
    const run = gapRun(layer, 100);
    expect(run.commands.at(-1)!.positions[0]).toBeCloseTo(1.5, 9);
    expect(layer.resetRequiredFor).toEqual([]);
  });

  it('manual latches a stop longer than the grace period until reset, with a readable event', () => {
    const layer = new SafetyLayer({ limits: LIMITS, timeouts, watchdogResume: { mode: 'manual', graceS: 0.25 } });
    const run = gapRun(layer, 100);
    const held = run.commands[160]!.positions[0]!;
    expect(run.commands.at(-1)!.holding).toBe(true);
    expect(run.commands.at(-1)!.positions[0]).toBe(held);
    expect(layer.resetRequiredFor).toEqual(['joint_states']);
    expect(layer.holdingFor).toEqual(['joint_states']);
    const latchEvent = run.events[151]!.find((e) => e.limit === 'watchdog_joint_state');
    expect(latchEvent).toMatchObject({ severity: 'info', target: 'joint_states' });
    expect(latchEvent!.message).toMatch(
      /fresh again after 1\.00 s, longer than the 0\.25 s grace: holding until reset \(watchdog_resume: manual\)/,
    );
    // The latch is not an intervention of its own: one stop, one count.
    expect(layer.counters.watchdog_joint_state).toBe(1);
  });

  it('manual resumes by itself after a gap shorter than the grace period', () => {
    const layer = new SafetyLayer({ limits: LIMITS, timeouts, watchdogResume: { mode: 'manual', graceS: 0.25 } });
    const run = gapRun(layer, 10);
    expect(run.commands[55]!.holding).toBe(true);
    expect(run.commands.at(-1)!.positions[0]).toBeCloseTo(1.5, 9);
    expect(layer.resetRequiredFor).toEqual([]);
  });

  it('manual: reset releases the latch and the arm moves again from where it held', () => {
    const layer = new SafetyLayer({ limits: LIMITS, timeouts, watchdogResume: { mode: 'manual', graceS: 0.25 } });
    const run = gapRun(layer, 100, 300);
    expect(run.commands[299]!.holding).toBe(true);
    expect(run.events[301]).toContainEqual(
      expect.objectContaining({ limit: 'watchdog_joint_state', severity: 'info', message: expect.stringMatching(/cleared/) }),
    );
    expect(run.commands.at(-1)!.positions[0]).toBeCloseTo(1.5, 9);
    expect(layer.resetRequiredFor).toEqual([]);
  });

  it('a reset while the data is still stale does not release the stop', () => {
    const layer = new SafetyLayer({ limits: LIMITS, timeouts, watchdogResume: { mode: 'manual', graceS: 0.25 } });
    const run = gapRun(layer, 200, 100);
    expect(run.commands[200]!.holding).toBe(true);
    expect(run.commands.at(-1)!.holding).toBe(true);
    expect(layer.resetRequiredFor).toEqual(['joint_states']);
  });

  it('refuses a negative grace period by name', () => {
    expect(() => new SafetyLayer({ limits: LIMITS, watchdogResume: { mode: 'manual', graceS: -1 } })).toThrow(/watchdogResume\.graceS/);
  });
});
