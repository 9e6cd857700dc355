import { loadEmbodiment } from '../config/loadEmbodiment';
import { quaternionFromRigid } from '../robot/rigid';
import { SafetyLayer } from './SafetyLayer';
import { optionsFromEmbodiment } from './SafetyLayerOptions';
import { quaternionAngle } from './quaternion';

const panda = loadEmbodiment('franka_panda');
/** The layer without the gripper: these tests are about the tool command (GripperLimiter.test.ts has the gripper). */
const toolOnly = () => new SafetyLayer({ ...optionsFromEmbodiment(panda), gripperJoint: undefined });
const f64 = (...v: number[]) => new Float64Array(v);
const Q = f64(0, 0.3, 0, -1.8, 0, 2.1, 0.7, 0.02);
const measured = (tS: number) => ({ stampS: tS, position: Q });
const tool = panda.chain.forwardKinematics(Q.subarray(0, 7), new Float64Array(16));
const P0 = [tool[3]!, tool[7]!, tool[11]!] as const;
const R0 = quaternionFromRigid(tool);

describe('PoseCommandLimiter (cartesian_pose)', () => {
  it('starts from the measured tool pose and passes a pose within the limits unchanged', () => {
    const layer = toolOnly();
    const first = layer.enforcePose({ tS: 0, measured: measured(0), proposal: null });
    expect(first.command.positionM).toEqual(P0);
    expect(first.command.orientationXyzw).toEqual(R0);
    const next = f64(P0[0] + 0.001, P0[1], P0[2] - 0.002, ...R0);
    const r = layer.enforcePose({ tS: 0.01, measured: measured(0.01), proposal: next });
    expect(r.events).toEqual([]);
    expect(r.command.positionM).toEqual([next[0], next[1], next[2]]);
    expect(r.command.orientationXyzw).toEqual(R0);
  });

  it('limits the step to the linear and angular speeds and clamps the target into the workspace', () => {
    const layer = toolOnly();
    layer.enforcePose({ tS: 0, measured: measured(0), proposal: null });
    // 1 m down (through the floor) and a half turn about z.
    const far = f64(P0[0], P0[1], P0[2] - 1, R0[2], -R0[3], R0[0], -R0[1]);
    let last = layer.enforcePose({ tS: 0.01, measured: measured(0.01), proposal: far });
    expect(last.events.map((e) => e.limit)).toEqual(['workspace', 'ee_linear_speed', 'ee_angular_speed']);
    expect(P0[2] - last.command.positionM[2]).toBeCloseTo(0.5 * 0.01, 12);
    expect(quaternionAngle(R0, last.command.orientationXyzw)).toBeCloseTo(1.5 * 0.01, 9);
    for (let k = 2; k <= 300; k++) last = layer.enforcePose({ tS: k * 0.01, measured: measured(k * 0.01), proposal: far });
    expect(last.command.positionM[2]).toBeCloseTo(panda.config.safety.workspace!.min[2], 12);
  });

  it('holds the last pose on a stop or a bad proposal', () => {
    const layer = toolOnly();
    layer.enforcePose({ tS: 0, measured: measured(0), proposal: null });
    const bad = layer.enforcePose({ tS: 0.01, measured: measured(0.01), proposal: f64(0, 0, 0, 0, 0, 0, 0) });
    expect(bad.command).toMatchObject({ positionM: P0, holding: true });
    expect(bad.events).toEqual([expect.objectContaining({ limit: 'non_finite', severity: 'error' })]);
    layer.estop();
    const held = layer.enforcePose({ tS: 0.02, measured: measured(0.02), proposal: f64(0.3, 0, 0.5, 0, 0, 0, 1) });
    expect(held.command).toMatchObject({ positionM: P0, holding: true });
  });

  it('needs the kinematic chain', () => {
    const layer = new SafetyLayer({ limits: panda.limits });
    expect(() => layer.enforcePose({ tS: 0, measured: measured(0), proposal: null })).toThrow(/needs the kinematic chain/);
  });
});
