import { join } from 'node:path';
import { KinematicChain } from './KinematicChain';
import { parseUrdf, parseUrdfFile } from './parseUrdf';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'urdf');

/** Universal Robots' published DH parameters for the UR5e (standard DH: Rz(theta) Tz(d) Tx(a) Rx(alpha)). */
const UR5E_DH = {
  a: [0, -0.425, -0.3922, 0, 0, 0],
  d: [0.1625, 0, 0, 0.1333, 0.0997, 0.0996],
  alpha: [Math.PI / 2, 0, 0, Math.PI / 2, -Math.PI / 2, 0],
};

type M4 = number[][];
const matmul = (x: M4, y: M4): M4 => x.map((row) => [0, 1, 2, 3].map((c) => row.reduce((s, v, k) => s + v * y[k]![c]!, 0)));
function dh(theta: number, d: number, a: number, alpha: number): M4 {
  const [ct, st, ca, sa] = [Math.cos(theta), Math.sin(theta), Math.cos(alpha), Math.sin(alpha)];
  return [
    [ct, -st * ca, st * sa, a * ct],
    [st, ct * ca, -ct * sa, a * st],
    [0, sa, ca, d],
    [0, 0, 0, 1],
  ];
}
function ur5eDh(q: readonly number[]): M4 {
  // base_link is the DH base frame rotated by pi about z (ur_description's base_link -> base joint).
  let t: M4 = [
    [-1, 0, 0, 0],
    [0, -1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  for (let i = 0; i < 6; i++) t = matmul(t, dh(q[i]!, UR5E_DH.d[i]!, UR5E_DH.a[i]!, UR5E_DH.alpha[i]!));
  return t;
}

const UR5E_CONFIGS: readonly number[][] = [
  [0, 0, 0, 0, 0, 0],
  [0, -Math.PI / 2, 0, -Math.PI / 2, 0, 0],
  [0.3, -1.2, 1.5, -0.8, 1.1, -0.4],
  [-2.1, -0.4, -1.9, 2.5, -1.3, 3.0],
  [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
];

describe('KinematicChain on the UR5e', () => {
  const robot = parseUrdfFile(join(FIXTURES, 'ur5e__daniella1.urdf'));
  const chain = KinematicChain.build(robot, 'base_link', 'tool0');

  it('walks the six revolute joints in chain order', () => {
    expect(chain.jointNames).toEqual([
      'shoulder_pan_joint',
      'shoulder_lift_joint',
      'elbow_joint',
      'wrist_1_joint',
      'wrist_2_joint',
      'wrist_3_joint',
    ]);
    expect(chain.dof).toBe(6);
  });

  it.each(UR5E_CONFIGS.map((q) => [q]))('matches the published DH model at q = %j', (q) => {
    const pose = chain.forwardKinematics(q, new Float64Array(16));
    const expected = ur5eDh(q);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(pose[4 * r + c]).toBeCloseTo(expected[r]![c]!, 9);
  });

  it('writes into the array it is given and returns it', () => {
    const out = new Float64Array(16);
    expect(chain.forwardKinematics(UR5E_CONFIGS[2]!, out)).toBe(out);
    const jac = new Float64Array(36);
    expect(chain.jacobian(UR5E_CONFIGS[2]!, jac)).toBe(jac);
  });

  it('refuses a position vector of the wrong length', () => {
    expect(() => chain.forwardKinematics([0, 0, 0], new Float64Array(16))).toThrow(RangeError);
  });
});

/** Jacobian columns against central finite differences of FK: linear part from positions, angular from R' R^T. */
function checkJacobian(chain: KinematicChain, q: number[]): void {
  const n = chain.dof;
  const jac = chain.jacobian(q, new Float64Array(6 * n));
  const h = 1e-6;
  const plus = new Float64Array(16);
  const minus = new Float64Array(16);
  const at = chain.forwardKinematics(q, new Float64Array(16));
  for (let i = 0; i < n; i++) {
    const qp = [...q];
    const qm = [...q];
    qp[i]! += h;
    qm[i]! -= h;
    chain.forwardKinematics(qp, plus);
    chain.forwardKinematics(qm, minus);
    const dp = [3, 7, 11].map((k) => (plus[k]! - minus[k]!) / (2 * h));
    // dR/dq R^T = [w]x ; w = (m21, m02, m10) of that skew matrix.
    const dR = (r: number, c: number) => (plus[4 * r + c]! - minus[4 * r + c]!) / (2 * h);
    const skew = (r: number, c: number) => dR(r, 0) * at[4 * c]! + dR(r, 1) * at[4 * c + 1]! + dR(r, 2) * at[4 * c + 2]!;
    const w = [skew(2, 1), skew(0, 2), skew(1, 0)];
    for (let k = 0; k < 3; k++) {
      expect(jac[k * n + i]).toBeCloseTo(dp[k]!, 6);
      expect(jac[(3 + k) * n + i]).toBeCloseTo(w[k]!, 6);
    }
  }
}

describe('geometric Jacobian against finite differences', () => {
  const cases: [string, string, string][] = [
    ['ur5e__daniella1.urdf', 'base_link', 'tool0'],
    ['franka_panda__daniella1.urdf', 'panda_link0', 'panda_link8'],
    ['kinova_gen3_7dof_vision__kinova.urdf', 'base_link', 'end_effector_link'],
    ['so101_new_calib__therobotstudio.urdf', 'base_link', 'gripper_frame_link'],
    ['widowx_wx250s__simplerenv.urdf', 'base_link', 'left_finger_link'],
  ];
  it.each(cases)('%s from %s to %s at several configurations', (file, base, tool) => {
    const chain = KinematicChain.build(parseUrdfFile(join(FIXTURES, file)), base, tool);
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let trial = 0; trial < 5; trial++)
      checkJacobian(
        chain,
        Array.from({ length: chain.dof }, () => 1.5 * rand()),
      );
  });

  it('gives prismatic joints a pure linear column along their axis', () => {
    const chain = KinematicChain.build(parseUrdfFile(join(FIXTURES, 'widowx_wx250s__simplerenv.urdf')), 'base_link', 'left_finger_link');
    expect(chain.jointTypes[chain.dof - 1]).toBe('prismatic');
    const jac = chain.jacobian(new Array(chain.dof).fill(0.02), new Float64Array(6 * chain.dof));
    const i = chain.dof - 1;
    const n = chain.dof;
    expect([jac[3 * n + i], jac[4 * n + i], jac[5 * n + i]]).toEqual([0, 0, 0]);
    expect(Math.hypot(jac[i]!, jac[n + i]!, jac[2 * n + i]!)).toBeCloseTo(1, 12);
  });
});

describe('chain building', () => {
  const twoLink = (jointType: string, extra = '') => `<robot name="r">
    <link name="base"/><link name="a"/><link name="tip"/>
    <joint name="j1" type="${jointType}"><parent link="base"/><child link="a"/><axis xyz="0 0 1"/>${extra}</joint>
    <joint name="j2" type="revolute"><parent link="a"/><child link="tip"/><origin xyz="0.5 0 0"/><axis xyz="0 0 1"/>
      <limit lower="-1" upper="1" velocity="1" effort="1"/></joint>
  </robot>`;

  it('computes a planar two-link arm in closed form', () => {
    const chain = KinematicChain.build(parseUrdf(twoLink('continuous')), 'base', 'tip');
    const t = chain.forwardKinematics([Math.PI / 2, 0.3], new Float64Array(16));
    expect(t[3]).toBeCloseTo(0, 12);
    expect(t[7]).toBeCloseTo(0.5, 12);
    expect(Math.atan2(t[4]!, t[0]!)).toBeCloseTo(Math.PI / 2 + 0.3, 12);
  });

  it('refuses a floating joint inside the chain and names it', () => {
    expect(() => KinematicChain.build(parseUrdf(twoLink('floating')), 'base', 'tip')).toThrow(/joint "j1" is floating/);
  });

  it('refuses a planar joint inside the chain and names it', () => {
    expect(() => KinematicChain.build(parseUrdf(twoLink('planar')), 'base', 'tip')).toThrow(/joint "j1" is planar/);
  });

  it('refuses a tool link that is not below the base link', () => {
    expect(() => KinematicChain.build(parseUrdf(twoLink('continuous')), 'tip', 'base')).toThrow(/not below base link "tip"/);
  });

  it('refuses an unknown link and lists the known ones', () => {
    expect(() => KinematicChain.build(parseUrdf(twoLink('continuous')), 'base', 'hand')).toThrow(/link "hand" is not in robot "r"/);
  });

  it('maps joints by name even when the file lists them in reverse chain order (SO-101)', () => {
    const chain = KinematicChain.build(
      parseUrdfFile(join(FIXTURES, 'so101_new_calib__therobotstudio.urdf')),
      'base_link',
      'gripper_frame_link',
    );
    expect(chain.jointNames).toEqual(['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll']);
  });
});
