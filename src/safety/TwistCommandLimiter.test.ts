import { loadEmbodiment } from '../config/loadEmbodiment';
import { isSafeCommand } from './SafeCommand';
import { DEFAULT_CARTESIAN_ANGULAR_SPEED_RAD_PER_S, DEFAULT_CARTESIAN_LINEAR_SPEED_M_PER_S, SafetyLayer } from './SafetyLayer';
import { optionsFromEmbodiment } from './SafetyLayerOptions';

const panda = loadEmbodiment('franka_panda');
/** The layer without the gripper: these tests are about the tool command (GripperLimiter.test.ts has the gripper). */
const toolOnly = () => new SafetyLayer({ ...optionsFromEmbodiment(panda), gripperJoint: undefined });
const f64 = (...v: number[]) => new Float64Array(v);
const Q = f64(0, 0.3, 0, -1.8, 0, 2.1, 0.7, 0.02);
const measured = (tS: number, q = Q) => ({ stampS: tS, position: q });

function started(layer = toolOnly()): SafetyLayer {
  const first = layer.enforceTwist({ tS: 0, measured: measured(0), proposal: f64(0.1, 0, 0, 0, 0, 0) });
  expect(first.command).toMatchObject({ kind: 'twist', linearMPerS: [0, 0, 0], angularRadPerS: [0, 0, 0], frameId: 'panda_link0' });
  return layer;
}

describe('TwistCommandLimiter (cartesian_twist)', () => {
  it('passes a twist within the limits unchanged', () => {
    const layer = started();
    const r = layer.enforceTwist({ tS: 0.01, measured: measured(0.01), proposal: f64(0.1, -0.05, 0.02, 0.3, 0, -0.2) });
    expect(r.command).toMatchObject({ linearMPerS: [0.1, -0.05, 0.02], angularRadPerS: [0.3, 0, -0.2], holding: false });
    expect(r.events).toEqual([]);
    expect(isSafeCommand(r.command)).toBe(true);
  });

  it('scales linear and angular speeds down to their limits, keeping the direction', () => {
    const layer = started();
    const r = layer.enforceTwist({ tS: 0.01, measured: measured(0.01), proposal: f64(3, 4, 0, 0, 0, 10) });
    const [x, y] = r.command.linearMPerS;
    expect(Math.hypot(x, y)).toBeCloseTo(0.5, 12);
    expect(x / y).toBeCloseTo(0.75, 12);
    expect(r.command.angularRadPerS[2]).toBeCloseTo(1.5, 12);
    expect(r.events.map((e) => e.limit)).toEqual(['ee_linear_speed', 'ee_angular_speed']);
  });

  it('limits motion towards a workspace wall to what keeps the tool inside this tick', () => {
    const layer = started();
    // The tool is at z = 0.277; the floor is at 0.02: 0.257 m of room, 0.2 m/s for 0.01 s is fine...
    expect(layer.enforceTwist({ tS: 0.01, measured: measured(0.01), proposal: f64(0, 0, -0.2, 0, 0, 0) }).command.linearMPerS[2]).toBe(
      -0.2,
    );
    // ... but a tick of 2 s at 0.2 m/s would go through it.
    const r = layer.enforceTwist({ tS: 2.01, measured: measured(2.01), proposal: f64(0, 0, -0.2, 0, 0, 0) });
    expect(r.command.linearMPerS[2]).toBeCloseTo(-(0.27745978209631783 - 0.02) / 2, 9);
    expect(r.events).toContainEqual(expect.objectContaining({ limit: 'workspace', target: 'z' }));
  });

  it('stops (zero twist) on e-stop, a stale input, no proposal or a non-finite one', () => {
    const layer = started();
    const zero = { linearMPerS: [0, 0, 0], angularRadPerS: [0, 0, 0], holding: true };
    expect(layer.enforceTwist({ tS: 0.01, measured: measured(0.01), proposal: f64(NaN, 0, 0, 0, 0, 0) })).toMatchObject({
      command: zero,
      events: [expect.objectContaining({ limit: 'non_finite' })],
    });
    expect(layer.enforceTwist({ tS: 0.02, measured: measured(0.02), proposal: null }).command).toMatchObject(zero);
    layer.estop();
    expect(layer.enforceTwist({ tS: 0.03, measured: measured(0.03), proposal: f64(0.1, 0, 0, 0, 0, 0) }).command).toMatchObject(zero);
    layer.reset();
    const stale = { jointStateAgeS: 5, cameraAgesS: { primary: 0 }, policyOverdue: false };
    expect(
      layer.enforceTwist({ tS: 0.04, measured: measured(0.04), proposal: f64(0.1, 0, 0, 0, 0, 0), watchdog: stale }).command,
    ).toMatchObject(zero);
    // A stale input holds until the watchdog reports fresh data again.
    expect(layer.enforceTwist({ tS: 0.05, measured: measured(0.05), proposal: f64(0.1, 0, 0, 0, 0, 0) }).command).toMatchObject(zero);
    const fresh = { jointStateAgeS: 0.01, cameraAgesS: { primary: 0 }, policyOverdue: false };
    expect(
      layer.enforceTwist({ tS: 0.06, measured: measured(0.06), proposal: f64(0.1, 0, 0, 0, 0, 0), watchdog: fresh }).command,
    ).toMatchObject({ linearMPerS: [0.1, 0, 0], holding: false });
  });

  it('uses conservative speed limits when the embodiment gives none', () => {
    const layer = new SafetyLayer({ limits: panda.limits, chain: panda.chain });
    started(layer);
    const r = layer.enforceTwist({ tS: 0.01, measured: measured(0.01), proposal: f64(1, 0, 0, 0, 5, 0) });
    expect(r.command.linearMPerS[0]).toBeCloseTo(DEFAULT_CARTESIAN_LINEAR_SPEED_M_PER_S, 12);
    expect(r.command.angularRadPerS[1]).toBeCloseTo(DEFAULT_CARTESIAN_ANGULAR_SPEED_RAD_PER_S, 12);
  });

  it('refuses a proposal of the wrong length', () => {
    const layer = started();
    expect(() => layer.enforceTwist({ tS: 0.01, measured: measured(0.01), proposal: f64(0, 0, 0) })).toThrow(/6 values/);
  });
});
