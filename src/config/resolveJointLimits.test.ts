import { join } from 'node:path';
import { parseUrdf, parseUrdfFile } from '../robot/parseUrdf';
import { SafetyConfigSchema } from './EmbodimentConfig';
import { loadEmbodiment } from './loadEmbodiment';
import { resolveJointLimits } from './resolveJointLimits';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'urdf');
const safety = (value: unknown) => SafetyConfigSchema.parse(value);

describe('resolveJointLimits', () => {
  const koch = parseUrdfFile(join(FIXTURES, 'koch_v1_1_follower__s1lent4gnt.urdf'));

  it('takes URDF limits as they are when the YAML says nothing', () => {
    const { limits } = resolveJointLimits(koch, ['joint_6'], undefined);
    expect(limits[0]).toEqual({
      name: 'joint_6',
      type: 'revolute',
      minPosition: -2.45,
      maxPosition: 0.032,
      maxVelocity: 100,
      maxAcceleration: Infinity,
      maxJerk: Infinity,
    });
  });

  it("lets the YAML tighten the Koch follower's implausible velocity limit and add acceleration and jerk", () => {
    const { limits } = resolveJointLimits(
      koch,
      ['joint_1'],
      safety({ joints: { joint_1: { max_velocity: 3, max_acceleration: 8, max_jerk: 400, max_position: 2 } } }),
    );
    expect(limits[0]).toMatchObject({ maxVelocity: 3, maxAcceleration: 8, maxJerk: 400, minPosition: -3.14, maxPosition: 2 });
  });

  it("applies a URDF's own acceleration and jerk limits where tighter than the YAML's, never to loosen", () => {
    const google = parseUrdfFile(join(FIXTURES, 'google_robot__simplerenv.urdf'));
    const alone = resolveJointLimits(google, ['joint_torso'], undefined);
    expect(alone.limits[0]).toMatchObject({ maxAcceleration: 2, maxJerk: 51 });
    expect(alone.warnings.join('\n')).toMatch(/the URDF's acceleration limit 2 is applied \(the embodiment gives none\)/);
    const looser = resolveJointLimits(google, ['joint_torso'], safety({ joints: { joint_torso: { max_acceleration: 10, max_jerk: 20 } } }));
    expect(looser.limits[0]).toMatchObject({ maxAcceleration: 2, maxJerk: 20 });
    expect(looser.warnings.join('\n')).toMatch(/acceleration limit 2 is tighter than the embodiment's 10 and applied/);
  });

  it('blames min_position above max_position on the YAML fields, not on the margin', () => {
    expect(() =>
      resolveJointLimits(koch, ['joint_1'], safety({ position_margin: 0.01, joints: { joint_1: { min_position: 1, max_position: 0.5 } } })),
    ).toThrow(/joint "joint_1": min_position 1 is above max_position 0.5/);
  });

  it('applies the revolute margin in radians and the prismatic margin in metres', () => {
    const wx = parseUrdfFile(join(FIXTURES, 'widowx_wx250s__simplerenv.urdf'));
    const { limits } = resolveJointLimits(wx, ['elbow', 'left_finger'], safety({ position_margin: 0.1, position_margin_m: 0.001 }));
    expect(limits[0]!.minPosition).toBeCloseTo(-2.1467549799530254 + 0.1, 12);
    expect(limits[1]!.maxPosition).toBeCloseTo(0.036, 12);
  });

  it("intersects hard limits with a valid safety controller's soft limits", () => {
    const m = parseUrdf(`<robot name="r"><link name="a"/><link name="b"/>
      <joint name="j" type="revolute"><parent link="a"/><child link="b"/><limit lower="-2" upper="2" velocity="1" effort="1"/>
      <safety_controller soft_lower_limit="-1.5" soft_upper_limit="2.5" k_velocity="10"/></joint></robot>`);
    expect(resolveJointLimits(m, ['j'], undefined).limits[0]).toMatchObject({ minPosition: -1.5, maxPosition: 2 });
  });

  it('accepts a zero URDF velocity limit when the YAML gives one, and warns', () => {
    const m = parseUrdf(`<robot name="r"><link name="a"/><link name="b"/>
      <joint name="j" type="revolute"><parent link="a"/><child link="b"/><limit lower="-1" upper="1" velocity="0" effort="0"/></joint></robot>`);
    const { limits, warnings } = resolveJointLimits(m, ['j'], safety({ joints: { j: { max_velocity: 0.5 } } }));
    expect(limits[0]!.maxVelocity).toBe(0.5);
    expect(warnings.join('\n')).toMatch(/velocity limit is 0; using max_velocity 0.5/);
  });

  it('leaves continuous joints unbounded', () => {
    const kinova = parseUrdfFile(join(FIXTURES, 'kinova_gen3_7dof_vision__kinova.urdf'));
    expect(resolveJointLimits(kinova, ['joint_1'], safety({ position_margin: 0.05 })).limits[0]).toMatchObject({
      type: 'continuous',
      minPosition: -Infinity,
      maxPosition: Infinity,
      maxVelocity: 1.3963,
    });
  });

  it('refuses a mimic joint and names the joint to command instead', () => {
    const wx = parseUrdfFile(join(FIXTURES, 'widowx_wx250s__simplerenv.urdf'));
    expect(() => resolveJointLimits(wx, ['right_finger'], undefined)).toThrow(/mimics "left_finger".*|command "left_finger" instead/);
  });
});

describe('loadEmbodiment', () => {
  it('orders command joints as the YAML says and maps the chain onto them by name', () => {
    const e = loadEmbodiment('so101');
    expect(e.commandJointNames).toEqual(['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper']);
    expect(Array.from(e.chainJointIndices)).toEqual([0, 1, 2, 3, 4]);
    expect(e.limits.map((l) => l.name)).toEqual(e.commandJointNames);
    expect(e.limits[0]!.maxVelocity).toBe(4.7);
  });

  it("resolves the Panda with Franka's acceleration and jerk limits and its gripper last", () => {
    const e = loadEmbodiment('franka_panda');
    expect(e.commandJointNames.at(-1)).toBe('panda_finger_joint1');
    expect(e.limits[1]).toMatchObject({ name: 'panda_joint2', maxVelocity: 2.175, maxAcceleration: 7.5, maxJerk: 3750 });
    expect(e.limits[1]!.maxPosition).toBeCloseTo(1.7628 - 0.02, 12);
    expect(e.chain.dof).toBe(7);
  });
});
