import { loadEmbodiment } from '../config/loadEmbodiment';
import { DlsIkSolver } from './DlsIkSolver';
import { rotationError } from './poseMath';

const panda = loadEmbodiment('franka_panda');
const chain = panda.chain;
const lower = chain.jointNames.map((_, i) => panda.limits[panda.chainJointIndices[i]!]!.minPosition);
const upper = chain.jointNames.map((_, i) => panda.limits[panda.chainJointIndices[i]!]!.maxPosition);
const HOME = [0, -0.785, 0, -2.356, 0, 1.571, 0.785];

describe('DlsIkSolver', () => {
  it('reaches poses of configurations near the seed to 0.1 mm and 1 mrad, within the joint bounds', () => {
    const ik = new DlsIkSolver(chain, { lower, upper, orientationWeight: 1, maxIterations: 200 });
    for (let k = 0; k < 20; k++) {
      const q = HOME.map((h, i) => h + 0.3 * Math.sin(3.1 * k + i));
      const target = chain.forwardKinematics(q, new Float64Array(16));
      const r = ik.solve(target, HOME);
      expect(r.converged).toBe(true);
      const reached = chain.forwardKinematics(r.q, new Float64Array(16));
      expect(Math.hypot(reached[3]! - target[3]!, reached[7]! - target[7]!, reached[11]! - target[11]!)).toBeLessThan(1e-4);
      const e = rotationError(target, reached, new Float64Array(3));
      expect(Math.hypot(e[0]!, e[1]!, e[2]!)).toBeLessThan(1e-3);
      r.q.forEach((v, i) => expect(v >= lower[i]! && v <= upper[i]!).toBe(true));
    }
  });

  it('with orientation weight 0 solves for position only', () => {
    const ik = new DlsIkSolver(chain, { lower, upper, orientationWeight: 0 });
    const start = chain.forwardKinematics(HOME, new Float64Array(16));
    const target = Float64Array.from(start);
    target[3] = target[3]! + 0.1;
    target[0] = -1; // an orientation it could not also reach: ignored
    const r = ik.solve(target, HOME);
    expect(r.converged).toBe(true);
    expect(r.positionErrorM).toBeLessThan(1e-4);
  });

  it('stays inside the bounds when the target is out of reach, and says it did not converge', () => {
    const ik = new DlsIkSolver(chain, { lower, upper, orientationWeight: 0 });
    const target = chain.forwardKinematics(HOME, new Float64Array(16));
    target[3] = 3;
    const r = ik.solve(target, HOME);
    expect(r.converged).toBe(false);
    r.q.forEach((v, i) => expect(v >= lower[i]! && v <= upper[i]!).toBe(true));
  });
});
