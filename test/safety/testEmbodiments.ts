import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbodiment, shippedEmbodiments } from '../../src/config/loadEmbodiment';
import { SafetyConfigSchema } from '../../src/config/EmbodimentConfig';
import { resolveJointLimits } from '../../src/config/resolveJointLimits';
import type { JointLimits } from '../../src/robot/JointLimits';
import { KinematicChain } from '../../src/robot/KinematicChain';
import { type RobotModel, isActuated } from '../../src/robot/RobotModel';
import { parseUrdfFile } from '../../src/robot/parseUrdf';
import { SafetyLayer } from '../../src/safety/SafetyLayer';
import { type SafetyLayerOptions, optionsFromEmbodiment } from '../../src/safety/SafetyLayerOptions';

/**
 * Every arm the safety tests run on: the shipped embodiments (config/*.yaml, through loadEmbodiment) and every
 * URDF in test/fixtures/urdf (all actuated joints commanded, limits through resolveJointLimits with a default
 * acceleration and, where the URDF's velocity limit is unusable, one from the YAML; a workspace box and tool speed
 * limits around the arm's mid configuration so the Cartesian checks act too). Some fixtures add a jerk limit or a maximum step per tick.
 */
export interface TestArm {
  name: string;
  limits: readonly JointLimits[];
  cameraNames: readonly string[];
  jointStateTimeoutS: number;
  cameraTimeoutS: number;
  makeLayer(overrides?: Partial<SafetyLayerOptions>): SafetyLayer;
  options: SafetyLayerOptions;
}

export const URDF_FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'urdf');
export const DEFAULT_TEST_ACCELERATION = 8;

export function shippedArms(): TestArm[] {
  return shippedEmbodiments().map((name) => {
    const e = loadEmbodiment(name);
    const options = optionsFromEmbodiment(e);
    return {
      name,
      limits: e.limits,
      cameraNames: e.config.topics.cameras.map((c) => c.name),
      jointStateTimeoutS: e.config.timeouts.joint_state_s,
      cameraTimeoutS: Math.max(0, ...e.config.topics.cameras.map((c) => c.timeout_s)),
      options,
      makeLayer: (overrides = {}) => new SafetyLayer({ ...options, ...overrides }),
    };
  });
}

export function urdfFixtureFiles(): string[] {
  return readdirSync(URDF_FIXTURE_DIR)
    .filter((f) => f.endsWith('.urdf'))
    .sort();
}

export function fixtureArms(): TestArm[] {
  return urdfFixtureFiles().map((file, index) => {
    const robot = parseUrdfFile(join(URDF_FIXTURE_DIR, file));
    const actuated = robot.joints.filter(isActuated);
    const names = actuated.map((j) => j.name);
    const jerky = index % 3 === 0;
    // As a user must: give a velocity limit in the YAML where the URDF's is unusable (0 or missing).
    const joints = Object.fromEntries(
      actuated.map((j) => {
        const usable = j.limit?.velocity !== undefined && j.limit.velocity > 0 && Number.isFinite(j.limit.velocity);
        return [j.name, { ...(jerky ? { max_jerk: 400 } : {}), ...(usable ? {} : { max_velocity: 1 }) }];
      }),
    );
    const { limits } = resolveJointLimits(
      robot,
      names,
      SafetyConfigSchema.parse({ joints, default_max_acceleration: DEFAULT_TEST_ACCELERATION }),
    );
    const chain = deepestChain(robot, names);
    const mid = new Float64Array(chain.dof);
    chain.jointNames.forEach((n, i) => {
      const l = limits.find((x) => x.name === n)!;
      mid[i] = Number.isFinite(l.minPosition) && Number.isFinite(l.maxPosition) ? 0.5 * (l.minPosition + l.maxPosition) : 0;
    });
    const tool = chain.forwardKinematics(mid, new Float64Array(16));
    const c = [tool[3]!, tool[7]!, tool[11]!] as const;
    const options: SafetyLayerOptions = {
      limits,
      chain,
      workspace: { min: [c[0] - 0.25, c[1] - 0.25, c[2] - 0.25], max: [c[0] + 0.25, c[1] + 0.25, c[2] + 0.25] },
      maxEeLinearSpeedMPerS: 0.6,
      maxEeAngularSpeedRadPerS: 2,
      maxStepPerTick: index % 3 === 1 ? 0.02 : undefined,
      timeouts: { jointStateS: 0.1, cameraS: {} },
    };
    return {
      name: file.replace(/\.urdf$/, ''),
      limits,
      cameraNames: [],
      jointStateTimeoutS: 0.1,
      cameraTimeoutS: 0.5,
      options,
      makeLayer: (overrides = {}) => new SafetyLayer({ ...options, ...overrides }),
    };
  });
}

/** The chain from the root to the link with the most commanded joints above it (no mimic joint on the way). */
export function deepestChain(robot: RobotModel, commanded: readonly string[]): KinematicChain {
  const parentJoint = new Map(robot.joints.map((j) => [j.child, j]));
  let best = robot.rootLink;
  let bestDepth = -1;
  for (const link of robot.links) {
    let depth = 0;
    let ok = true;
    for (let l = link.name, j = parentJoint.get(l); j !== undefined; l = j.parent, j = parentJoint.get(l)) {
      if (j.mimic !== undefined || j.type === 'floating' || j.type === 'planar') ok = false;
      if (commanded.includes(j.name)) depth++;
    }
    if (ok && depth > bestDepth) {
      best = link.name;
      bestDepth = depth;
    }
  }
  return KinematicChain.build(robot, robot.rootLink, best);
}

export function allArms(): TestArm[] {
  return [...shippedArms(), ...fixtureArms()];
}
