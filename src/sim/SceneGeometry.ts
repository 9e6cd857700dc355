import type { Embodiment } from '../config/Embodiment';
import { DlsIkSolver } from '../robot/DlsIkSolver';
import { Rng } from './Rng';
import type { PinholeCamera, Vec3 } from './SoftwareRenderer';

/**
 * Where things go for a given arm, scaled by its reach so that every shipped embodiment gets a sensible
 * tabletop: the home pose, the region cubes are placed in, the cube size and the fixed camera.
 */
export interface SceneGeometry {
  /** Horizontal reach of the tool link over the table, m. */
  reachM: number;
  /** Home joint positions (command joint order). */
  homePositions: Float64Array;
  /** Cubes are placed at a horizontal distance in [min, max] from the base and an angle in [-max, max] rad. */
  cubeRadiusRangeM: readonly [number, number];
  cubeMaxAngleRad: number;
  cubeHalfSizeM: number;
  /** Smallest distance between two cube centres, m. */
  cubeSeparationM: number;
  /** Radius of the arm's links when drawn, m. */
  linkRadiusM: number;
  camera: Omit<PinholeCamera, 'width' | 'height'>;
}

/** Known good home poses (tool pointing down above the table) for shipped arms; others get one from IK. */
const HOME_BY_EMBODIMENT: Readonly<Record<string, readonly number[]>> = {
  franka_panda: [0, -0.785, 0, -2.356, 0, 1.571, 0.785],
  ur5e: [0, -1.2, 1.6, -1.97, -1.57, 0],
  widowx_250s: [0, -0.3, 0.3, 0, 1.3, 0],
  so101: [0, -0.5, 0.5, 1.3, 0],
};

/** Largest horizontal tool distance over a fixed, seeded sample of joint configurations with the tool above the table. */
function estimateReach(embodiment: Embodiment): number {
  const { chain, chainJointIndices, limits } = embodiment;
  const rng = new Rng(0x5eed);
  const q = new Float64Array(chain.dof);
  const t = new Float64Array(16);
  let best = 0;
  for (let s = 0; s < 2000; s++) {
    for (let i = 0; i < chain.dof; i++) {
      const l = limits[chainJointIndices[i]!]!;
      const lo = Number.isFinite(l.minPosition) ? l.minPosition : -Math.PI;
      const hi = Number.isFinite(l.maxPosition) ? l.maxPosition : Math.PI;
      q[i] = rng.uniform(lo, hi);
    }
    chain.forwardKinematics(q, t);
    if (t[11]! > 0) best = Math.max(best, Math.hypot(t[3]!, t[7]!));
  }
  return best;
}

export function sceneGeometryFor(embodiment: Embodiment): SceneGeometry {
  const reachM = estimateReach(embodiment);
  const n = embodiment.commandJointNames.length;
  const home = new Float64Array(n);
  embodiment.limits.forEach((l, i) => {
    const lo = Number.isFinite(l.minPosition) ? l.minPosition : -Math.PI;
    const hi = Number.isFinite(l.maxPosition) ? l.maxPosition : Math.PI;
    home[i] = Math.min(hi, Math.max(lo, 0));
  });
  const gripper = embodiment.config.gripper;
  if (gripper !== undefined) home[embodiment.commandJointNames.indexOf(gripper.joint)] = gripper.open_position;
  const known = HOME_BY_EMBODIMENT[embodiment.name];
  if (known !== undefined && known.length === embodiment.armJointNames.length) {
    known.forEach((v, i) => {
      home[i] = v;
    });
  } else {
    // Tool above the middle of the table, position only: whatever orientation the arm reaches it with.
    const { chain, chainJointIndices } = embodiment;
    const lower = chain.jointNames.map((_, i) => embodiment.limits[chainJointIndices[i]!]!.minPosition);
    const upper = chain.jointNames.map((_, i) => embodiment.limits[chainJointIndices[i]!]!.maxPosition);
    const ik = new DlsIkSolver(chain, { lower, upper, orientationWeight: 0, maxIterations: 200, damping: 0.02 });
    const target = new Float64Array([1, 0, 0, 0.45 * reachM, 0, 1, 0, 0, 0, 0, 1, 0.35 * reachM, 0, 0, 0, 1]);
    const seed = Float64Array.from(chainJointIndices, (j) => home[j]! + 0.3);
    const solution = ik.solve(target, seed);
    chainJointIndices.forEach((j, i) => {
      home[j] = solution.q[i]!;
    });
  }
  const lookAt: Vec3 = [0.3 * reachM, 0, 0.22 * reachM];
  return {
    reachM,
    homePositions: home,
    cubeRadiusRangeM: [0.38 * reachM, 0.68 * reachM],
    cubeMaxAngleRad: 0.75,
    cubeHalfSizeM: Math.min(0.035, Math.max(0.015, 0.035 * reachM)),
    cubeSeparationM: 0.16 * reachM,
    linkRadiusM: 0.04 * reachM,
    camera: { positionM: [1.45 * reachM, 0.75 * reachM, 0.9 * reachM], lookAtM: lookAt, verticalFovDeg: 58 },
  };
}
