import { loadEmbodiment } from '../config/loadEmbodiment';
import type { ActionSpace } from '../policy/Policy';
import { bindPolicy } from './bindPolicy';

const panda = loadEmbodiment('franka_panda');
const ur5e = loadEmbodiment('ur5e');
const JOINTS = panda.armJointNames;
const absolute: ActionSpace = { names: [...JOINTS, 'gripper'], kind: 'absolute', frame: 'joint', gripperIndex: 7 };
const policy = (space: ActionSpace, cameras: string[] = ['primary']) => ({ name: 'p', cameras, space });

describe('bindPolicy', () => {
  it('binds a joint policy whose dimensions match the embodiment', () => {
    expect(bindPolicy(panda, policy(absolute)).space.kind).toBe('joint');
  });

  it('refuses delta actions that do not say what they are relative to', () => {
    const { deltaConvention: _, ...unstated } = { ...absolute, kind: 'delta' as const, deltaConvention: undefined };
    expect(() => bindPolicy(panda, policy(unstated))).toThrow(/deltas but it does not say what they are relative to/);
  });

  it('refuses a camera the embodiment lacks, naming it', () => {
    expect(() => bindPolicy(panda, policy(absolute, ['primary', 'wrist']))).toThrow(/needs camera\(s\) wrist/);
  });

  it('refuses a gripper dimension on an arm without a gripper', () => {
    const six: ActionSpace = { names: [...ur5e.armJointNames, 'gripper'], kind: 'absolute', frame: 'joint', gripperIndex: 6 };
    expect(() => bindPolicy(ur5e, policy(six))).toThrow(/commands a gripper, and embodiment "ur5e" has none/);
  });

  it('refuses a joint policy with the wrong number of joints', () => {
    const six: ActionSpace = { names: ['a', 'b', 'c', 'd', 'e', 'f'], kind: 'absolute', frame: 'joint' };
    expect(() => bindPolicy(panda, policy(six))).toThrow(/6 joint dimensions .* 7 policy joints/);
  });

  it("maps the gripper by the policy's own convention when its manifest states one", () => {
    const closeIs1: ActionSpace = { ...absolute, gripperConvention: 'close_is_1' };
    const converter = bindPolicy(panda, policy(closeIs1));
    const chunk = {
      observationStampS: 0,
      actions: Float64Array.from([0, 0, 0, -2, 0, 2, 0, 1]),
      horizon: 1,
      dims: 8,
      stepsToExecute: 1,
      stepDtS: 0.1,
      space: closeIs1,
    };
    const state = { stampS: 0, position: new Float64Array(8) };
    const target = converter.convert(chunk, state);
    expect(target.points[7]).toBe(panda.config.gripper!.closed_position);
  });
});
