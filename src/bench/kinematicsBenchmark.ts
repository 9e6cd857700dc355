import { join } from 'node:path';
import { packageRoot } from '../config/packageRoot';
import { KinematicChain } from '../robot/KinematicChain';
import { composeRigid, rigidFromOrigin, setIdentity } from '../robot/rigid';
import { parseUrdfFile } from '../robot/parseUrdf';
import type { Benchmark, BenchFigure } from './BenchFigure';
import { median, percentile } from '../stats/orderStatistics';
import { timeMicros } from './timeMicros';

/**
 * Forward kinematics and the Jacobian of the Panda (7 joints), against a baseline that composes the same
 * number of rigid transforms with no joint motion (the cost floor of any FK).
 */
export const kinematicsBenchmark: Benchmark = {
  name: 'kinematics',
  async run({ quick }): Promise<BenchFigure[]> {
    const robot = parseUrdfFile(join(packageRoot(), 'urdf', 'franka_panda.urdf'));
    const chain = KinematicChain.build(robot, 'panda_link0', 'panda_hand_tcp');
    const q = new Float64Array([0.1, -0.4, 0.2, -2.0, 0.1, 1.6, 0.7]);
    const pose = new Float64Array(16);
    const jac = new Float64Array(6 * chain.dof);
    const a = setIdentity(new Float64Array(16));
    const b = rigidFromOrigin({ xyz: [0.1, 0, 0.3], rpy: [0.1, 0.2, 0.3] }, new Float64Array(16));
    const c = new Float64Array(16);
    const samples = quick ? 50 : 400;
    const batch = 2000;
    const baseline = timeMicros(
      () => {
        for (let i = 0; i < chain.dof + 1; i++) {
          composeRigid(a, b, c);
          a.set(c);
          setIdentity(a);
        }
      },
      { samples, batch },
    );
    const fk = timeMicros(() => chain.forwardKinematics(q, pose), { samples, batch });
    const jacobian = timeMicros(() => chain.jacobian(q, jac), { samples, batch });
    const base = median(baseline);
    const figure = (name: string, s: Float64Array, method: string): BenchFigure => ({
      name,
      median: median(s),
      p99: percentile(s, 99),
      unit: 'us',
      baseline: `${chain.dof + 1} bare 4x4 rigid compositions`,
      ratio: median(s) / base,
      method,
    });
    return [
      figure('kinematics.fk_7dof', fk, 'Panda forward kinematics into a preallocated array, median of batches of 2000 calls'),
      figure('kinematics.jacobian_7dof', jacobian, 'Panda geometric Jacobian (includes its FK pass), median of batches of 2000 calls'),
    ];
  },
};
