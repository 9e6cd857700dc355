import { loadEmbodiment } from '../../config/loadEmbodiment';
import type { JointStateSample } from '../../observation/Observation';
import type { ActionChunk, ActionSpace } from '../../policy/Policy';
import { rigidFromPose } from '../../robot/poseMath';
import { ChunkConverter, gripperPosition } from './ChunkConverter';

const panda = loadEmbodiment('franka_panda');
const HOME = [0, -0.785, 0, -2.356, 0, 1.571, 0.785, 0.04];
const state: JointStateSample = { stampS: 10, position: Float64Array.from(HOME) };
const JOINTS = panda.policyJointNames;

function chunk(space: ActionSpace, rows: number[][]): ActionChunk {
  return {
    observationStampS: 10,
    actions: Float64Array.from(rows.flat()),
    horizon: rows.length,
    dims: space.names.length,
    stepsToExecute: 1,
    stepDtS: 0.1,
    space,
  };
}

const jointAbs: ActionSpace = { names: [...JOINTS, 'gripper'], kind: 'absolute', frame: 'joint', gripperIndex: 7 };
const jointDelta: ActionSpace = {
  names: [...JOINTS, 'gripper'],
  kind: 'delta',
  deltaConvention: 'relative_to_observation',
  frame: 'joint',
  gripperIndex: 7,
};
const eeAbs: ActionSpace = {
  names: ['x', 'y', 'z', 'roll', 'pitch', 'yaw', 'gripper'],
  kind: 'absolute',
  frame: 'end_effector',
  gripperIndex: 6,
};
const eeDelta: ActionSpace = { ...eeAbs, kind: 'delta', deltaConvention: 'relative_to_observation' };

describe('ChunkConverter', () => {
  it('absolute joint actions are the targets; the gripper dimension maps onto the gripper joint', () => {
    const c = new ChunkConverter(panda, jointAbs);
    const row = [0.1, -0.7, 0.1, -2.2, 0.1, 1.6, 0.8, 0];
    const t = c.convert(chunk(jointAbs, [row]), state);
    expect(Array.from(t.points)).toEqual([...row.slice(0, 7), 0]);
    expect(Array.from(t.anchor)).toEqual(HOME);
    expect(t.startS).toBe(10);
  });

  it('delta actions are relative to the observed state, by default not accumulated over the chunk', () => {
    const d = [0.01, 0, 0, 0, 0, 0, 0, 1];
    const rel = new ChunkConverter(panda, jointDelta).convert(chunk(jointDelta, [d, d]), state);
    expect(rel.points[0]).toBeCloseTo(0.01, 12);
    expect(rel.points[8]).toBeCloseTo(0.01, 12);
    const cum = new ChunkConverter(panda, jointDelta, { deltaConvention: 'cumulative' }).convert(chunk(jointDelta, [d, d]), state);
    expect(cum.points[0]).toBeCloseTo(0.01, 12);
    expect(cum.points[8]).toBeCloseTo(0.02, 12);
    // The gripper is absolute in both: 1 = open.
    expect(rel.points[7]).toBe(0.04);
  });

  it('maps the gripper value per convention and clamps it to [0, 1]', () => {
    const g = { joint: 'j', open_position: 0.04, closed_position: 0, action_convention: 'open_is_1' as const };
    expect(gripperPosition(1, g)).toBe(0.04);
    expect(gripperPosition(0.5, g)).toBeCloseTo(0.02, 12);
    expect(gripperPosition(7, g)).toBe(0.04);
    expect(gripperPosition(1, { ...g, action_convention: 'close_is_1' })).toBe(0);
  });

  it('end-effector actions become joint targets through IK that reach the asked pose', () => {
    const c = new ChunkConverter(panda, eeAbs);
    const tool = panda.chain.forwardKinematics(HOME.slice(0, 7), new Float64Array(16));
    const [roll, pitch, yaw] = [Math.PI, 0, 0.3];
    const target = [tool[3]! + 0.05, tool[7]! - 0.03, tool[11]! - 0.04, roll, pitch, yaw, 1];
    const t = c.convert(chunk(eeAbs, [target]), state);
    const reached = panda.chain.forwardKinematics(t.points.slice(0, 7), new Float64Array(16));
    expect(reached[3]).toBeCloseTo(target[0]!, 3);
    expect(reached[7]).toBeCloseTo(target[1]!, 3);
    expect(reached[11]).toBeCloseTo(target[2]!, 3);
    // URDF rpy = (pi, 0, 0.3): the tool z axis points down, its x axis at yaw 0.3.
    expect(reached[10]).toBeCloseTo(-1, 3);
    expect(Math.atan2(reached[4]!, reached[0]!)).toBeCloseTo(0.3, 2);
  });

  it('end-effector deltas move the observed tool pose', () => {
    const c = new ChunkConverter(panda, eeDelta);
    const tool = panda.chain.forwardKinematics(HOME.slice(0, 7), new Float64Array(16));
    const t = c.convert(chunk(eeDelta, [[0, 0, 0.05, 0, 0, 0, 1]]), state);
    const reached = panda.chain.forwardKinematics(t.points.slice(0, 7), new Float64Array(16));
    expect(reached[11]! - tool[11]!).toBeCloseTo(0.05, 3);
    expect(reached[3]! - tool[3]!).toBeCloseTo(0, 3);
    expect(reached[10]).toBeCloseTo(tool[10]!, 3);
  });

  it('in a Cartesian control mode, targets are tool poses (and the gripper position)', () => {
    const cartesian = {
      ...panda,
      config: {
        ...panda.config,
        control: { ...panda.config.control, mode: 'cartesian_pose' as const, command_type: 'geometry_msgs/msg/PoseStamped' as const },
      },
    };
    const c = new ChunkConverter(cartesian, jointAbs);
    expect(c.space).toEqual({ kind: 'pose', width: 8 });
    const t = c.convert(chunk(jointAbs, [HOME.slice(0, 7).concat([0.5])]), state);
    const fromPose = rigidFromPose(t.points, new Float64Array(16));
    const fk = panda.chain.forwardKinematics(HOME.slice(0, 7), new Float64Array(16));
    for (const k of [0, 1, 2, 3, 5, 7, 10, 11]) expect(fromPose[k]).toBeCloseTo(fk[k]!, 9);
    expect(t.points[7]).toBeCloseTo(0.02, 12);
  });

  it('refuses a policy whose joint dimensions do not match the embodiment, and invalid chunks', () => {
    const short: ActionSpace = { names: ['a', 'b'], kind: 'absolute', frame: 'joint' };
    expect(() => new ChunkConverter(panda, short)).toThrow(expect.objectContaining({ code: 'MODEL_MISMATCH' }));
    const c = new ChunkConverter(panda, jointAbs);
    expect(() => c.convert(chunk(jointAbs, [[NaN, 0, 0, 0, 0, 0, 0, 0]]), state)).toThrow(
      expect.objectContaining({ code: 'MODEL_OUTPUT_INVALID' }),
    );
  });
});
