import { join } from 'node:path';
import { VlaError } from '../errors';
import { parseUrdf, parseUrdfFile } from './parseUrdf';
import { parseUrdfNumber } from './urdfXml';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'urdf');

const robot = (body: string) =>
  `<?xml version="1.0"?>\n<robot name="quirky">\n<link name="base"/><link name="a"/><link name="b"/>\n${body}\n</robot>`;

describe('parseUrdf on the real files', () => {
  it('reads the Panda: 7 revolute joints with limits and valid safety controllers', () => {
    const m = parseUrdfFile(join(FIXTURES, 'franka_panda__daniella1.urdf'));
    expect(m.name).toBe('panda');
    expect(m.rootLink).toBe('panda_link0');
    const j4 = m.jointByName.get('panda_joint4')!;
    expect(j4.type).toBe('revolute');
    expect(j4.limit).toEqual({ lower: -3.0718, upper: -0.0698, velocity: 2.175, effort: 87 });
    expect(j4.safetyController).toEqual({ softLowerLimit: -3.0718, softUpperLimit: -0.0698, kPosition: 100, kVelocity: 40 });
  });

  it('reads continuous joints of the Kinova Gen3 with no position limits', () => {
    const m = parseUrdfFile(join(FIXTURES, 'kinova_gen3_7dof_vision__kinova.urdf'));
    const j1 = m.jointByName.get('joint_1')!;
    expect(j1.type).toBe('continuous');
    expect(j1.limit).toEqual({ velocity: 1.3963, effort: 39 });
  });

  it('reads the WidowX mimic finger', () => {
    const m = parseUrdfFile(join(FIXTURES, 'widowx_wx250s__simplerenv.urdf'));
    expect(m.jointByName.get('right_finger')!.mimic).toEqual({ joint: 'left_finger', multiplier: 1, offset: 0 });
  });

  it('keeps the SO-101 joints by name although the file lists them in reverse chain order, ignoring <transmission> joints', () => {
    const m = parseUrdfFile(join(FIXTURES, 'so101_new_calib__therobotstudio.urdf'));
    expect(m.joints.map((j) => j.name)).toEqual([
      'gripper_frame_joint',
      'gripper',
      'wrist_roll',
      'wrist_flex',
      'elbow_flex',
      'shoulder_lift',
      'shoulder_pan',
    ]);
    expect(m.jointByName.get('shoulder_pan')!.parent).toBe('base_link');
  });

  it("reads the Koch follower's implausible limits as written (the YAML must override them)", () => {
    const m = parseUrdfFile(join(FIXTURES, 'koch_v1_1_follower__s1lent4gnt.urdf'));
    expect(m.jointByName.get('joint_6')!.limit).toEqual({ lower: -2.45, upper: 0.032, velocity: 100, effort: 0.5 });
  });
});

describe('parseUrdf quirks', () => {
  const rev = (limit: string, extra = '') =>
    robot(`<joint name="j1" type="revolute"><parent link="base"/><child link="a"/><axis xyz="0 0 1"/>${limit}${extra}</joint>
           <joint name="j2" type="fixed"><parent link="a"/><child link="b"/></joint>`);

  it('reads "inf" limits as infinities and warns', () => {
    const m = parseUrdf(rev('<limit lower="-inf" upper="inf" velocity="1" effort="1"/>'));
    expect(m.jointByName.get('j1')!.limit).toMatchObject({ lower: -Infinity, upper: Infinity });
    expect(m.warnings.map((w) => w.message).join('\n')).toMatch(/lower="-inf" is infinite/);
  });

  it('ignores a safety controller with wrong attribute names, and says so', () => {
    const m = parseUrdf(
      rev(
        '<limit lower="-1" upper="1" velocity="1" effort="1"/>',
        '<safety_controller soft_lower="-0.5" soft_upper="0.5" k_velocity="1"/>',
      ),
    );
    expect(m.jointByName.get('j1')!.safetyController).toBeUndefined();
    expect(m.warnings.map((w) => w.message).join('\n')).toMatch(
      /non-standard attribute\(s\) soft_lower, soft_upper.*soft limits are ignored/,
    );
  });

  it('ignores a safety controller without k_velocity, and one with crossed soft limits', () => {
    const noK = parseUrdf(
      rev('<limit lower="-1" upper="1" velocity="1" effort="1"/>', '<safety_controller soft_lower_limit="-0.5" soft_upper_limit="0.5"/>'),
    );
    expect(noK.jointByName.get('j1')!.safetyController).toBeUndefined();
    expect(noK.warnings[0]!.message).toMatch(/no k_velocity/);
    const crossed = parseUrdf(
      rev(
        '<limit lower="-1" upper="1" velocity="1" effort="1"/>',
        '<safety_controller soft_lower_limit="0.5" soft_upper_limit="-0.5" k_velocity="1"/>',
      ),
    );
    expect(crossed.jointByName.get('j1')!.safetyController).toBeUndefined();
  });

  it('keeps a zero velocity limit and warns that it is unusable', () => {
    const m = parseUrdf(rev('<limit lower="-1" upper="1" velocity="0" effort="0"/>'));
    expect(m.jointByName.get('j1')!.limit!.velocity).toBe(0);
    expect(m.warnings.map((w) => w.message).join('\n')).toMatch(/velocity limit 0: unusable/);
  });

  it('warns about non-standard attributes but reads the standard ones', () => {
    const m = parseUrdf(rev('<limit lower="-1" upper="1" velocity="2" effort="1" torque="5"/>'));
    expect(m.jointByName.get('j1')!.limit).toEqual({ lower: -1, upper: 1, velocity: 2, effort: 1 });
    expect(m.warnings.map((w) => w.message).join('\n')).toMatch(/non-standard attribute torque="5" on <limit> ignored/);
  });

  it('reads the non-standard acceleration and jerk limits, and says they are applied where tighter', () => {
    const m = parseUrdf(rev('<limit lower="-1" upper="1" velocity="2" effort="1" acceleration="5" jerk="50"/>'));
    expect(m.jointByName.get('j1')!.limit).toEqual({ lower: -1, upper: 1, velocity: 2, effort: 1, acceleration: 5, jerk: 50 });
    expect(m.warnings.map((w) => w.message).join('\n')).toMatch(
      /acceleration="5" on <limit> applied as its acceleration limit wherever it is tighter .*never to loosen/,
    );
    const bad = parseUrdf(rev('<limit lower="-1" upper="1" velocity="2" effort="1" acceleration="0"/>'));
    expect(bad.jointByName.get('j1')!.limit!.acceleration).toBeUndefined();
    expect(bad.warnings.map((w) => w.message).join('\n')).toMatch(/acceleration="0" on <limit> ignored \(not a positive finite limit\)/);
  });

  it('refuses a DOCTYPE or entity declaration outright, so no entity is ever expanded', () => {
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE robot [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<robot name="&x;"><link name="a"/></robot>';
    expect(() => parseUrdf(xxe, 'x.urdf')).toThrow(/declares <!DOCTYPE>: document types and entities are refused/);
    expect(() => parseUrdf('<!-- <!DOCTYPE x> -->\n<robot name="r"><link name="a"/></robot>')).not.toThrow();
  });

  it('reads elements and attributes with undeclared XML prefixes without failing', () => {
    const m = parseUrdf(
      rev('<limit lower="-1" upper="1" velocity="1" effort="1"/>', '<gazebo:plugin name="p"/>').replace(
        '<robot name="quirky">',
        '<robot name="quirky" drake:declared_in="x">',
      ),
    );
    expect(m.jointByName.get('j1')!.type).toBe('revolute');
  });

  it('drops position limits given to a continuous joint', () => {
    const m = parseUrdf(
      robot(`<joint name="j1" type="continuous"><parent link="base"/><child link="a"/><limit lower="-1" upper="1" velocity="1" effort="1"/></joint>
      <joint name="j2" type="fixed"><parent link="a"/><child link="b"/></joint>`),
    );
    expect(m.jointByName.get('j1')!.limit).toEqual({ velocity: 1, effort: 1 });
  });

  it('uses URDF defaults: origin at zero, axis 1 0 0, mimic multiplier 1 offset 0', () => {
    const m = parseUrdf(
      robot(`<joint name="j1" type="revolute"><parent link="base"/><child link="a"/><limit lower="-1" upper="1" velocity="1" effort="1"/></joint>
      <joint name="j2" type="revolute"><parent link="a"/><child link="b"/><limit lower="-1" upper="1" velocity="1" effort="1"/><mimic joint="j1"/></joint>`),
    );
    const j1 = m.jointByName.get('j1')!;
    expect(j1.origin).toEqual({ xyz: [0, 0, 0], rpy: [0, 0, 0] });
    expect(j1.axis).toEqual([1, 0, 0]);
    expect(m.jointByName.get('j2')!.mimic).toEqual({ joint: 'j1', multiplier: 1, offset: 0 });
  });

  it('refuses a mimic of a joint that does not exist', () => {
    expect(() =>
      parseUrdf(
        robot(
          `<joint name="j1" type="revolute"><parent link="base"/><child link="a"/><mimic ` +
            `joint="jx"/></joint><joint name="j2" type="fixed"><parent link="a"/><child link="b"/></joint>`,
        ),
      ),
    ).toThrow(/mimics "jx", which is not defined/);
  });

  it('reports the line of a bad joint', () => {
    try {
      parseUrdf(robot('<joint name="j1" type="revolute"><parent link="base"/><child link="zz"/></joint>'), 'arm.urdf');
      throw new Error('expected a VlaError');
    } catch (err) {
      expect(err).toBeInstanceOf(VlaError);
      expect((err as VlaError).line).toBe(4);
      expect((err as VlaError).describe()).toMatch(/^arm\.urdf:4: joint "j1" names child link "zz"/);
    }
  });
});

describe('parseUrdfNumber', () => {
  it.each([
    ['inf', Infinity],
    ['-inf', -Infinity],
    ['Infinity', Infinity],
    [' 2.5 ', 2.5],
    ['1e-3', 0.001],
  ])('%s -> %d', (raw, value) => expect(parseUrdfNumber(raw)).toBe(value));
  it('gives NaN for text', () => expect(parseUrdfNumber('abc')).toBeNaN());
});

describe('xacro detection', () => {
  it('accepts an expanded URDF that keeps a commented-out xacro include', () => {
    const text = `<robot name="r"><!-- <xacro:include filename="arm.xacro"/> uses \${prefix} --><link name="a"/></robot>`;
    expect(parseUrdf(text, 'arm.urdf').rootLink).toBe('a');
  });
  it('refuses live xacro macros', () => {
    expect(() => parseUrdf('<robot name="r"><xacro:property name="p" value="1"/><link name="a"/></robot>', 'arm.urdf')).toThrow(
      /xacro file, not a URDF/,
    );
  });
});
