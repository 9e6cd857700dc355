import type { Embodiment } from '../config/Embodiment';
import { DlsIkSolver } from '../robot/DlsIkSolver';
import type { Observation } from '../observation/Observation';
import type { ActionChunk, ActionSpace, Policy } from '../policy/Policy';
import type { SimWorld } from './SimWorld';

export interface ScriptedReachOptions {
  horizon?: number;
  stepDtS?: number;
  stepsToExecute?: number;
  /** Tool speed along the straight line to the goal, m/s. */
  toolSpeedMPerS?: number;
  /** Tool acceleration and deceleration along the line, m/s^2 (a trapezoidal speed profile). */
  toolAccelerationMPerS2?: number;
}

/**
 * The demonstration expert for the reaching task: it reads the goal from the simulator (privileged state) and
 * the joint state from the observation, and plans a chunk of absolute joint targets that moves the tool along
 * a straight line toward a point above the named cube, descending onto it as it gets close, with a
 * trapezoidal speed profile (from the measured tool speed, bounded acceleration and speed, braking to rest at
 * the goal). Each waypoint is solved by damped-least-squares IK seeded with the
 * previous one, keeping the tool's current orientation. The gripper stays open.
 */
export class ScriptedReachPolicy implements Policy {
  readonly name = 'scripted_reach';
  readonly space: ActionSpace;
  readonly horizon: number;
  readonly stepDtS: number;
  readonly stepsToExecute: number;
  readonly cameras: readonly string[];
  private readonly world: SimWorld;
  private readonly embodiment: Embodiment;
  private readonly ik: DlsIkSolver;
  private readonly toolSpeed: number;
  private readonly toolAcceleration: number;
  private readonly jac: Float64Array;
  private readonly fk = new Float64Array(16);
  private readonly policyIndex: number[];

  constructor(world: SimWorld, options: ScriptedReachOptions = {}) {
    this.world = world;
    const embodiment = world.embodiment;
    this.embodiment = embodiment;
    this.horizon = options.horizon ?? 10;
    this.stepDtS = options.stepDtS ?? 1 / embodiment.config.rates.policy_hz;
    this.stepsToExecute = options.stepsToExecute ?? Math.max(1, Math.floor(this.horizon / 2));
    this.toolSpeed = options.toolSpeedMPerS ?? 0.3 * world.geometry.reachM;
    this.toolAcceleration = options.toolAccelerationMPerS2 ?? 0.35 * world.geometry.reachM;
    this.jac = new Float64Array(6 * embodiment.chain.dof);
    this.cameras = embodiment.config.topics.cameras.map((c) => c.name);
    const names = [...embodiment.policyJointNames];
    const hasGripper = embodiment.config.gripper !== undefined;
    this.space = {
      names: hasGripper ? [...names, 'gripper'] : names,
      kind: 'absolute',
      frame: 'joint',
      ...(hasGripper ? { gripperIndex: names.length } : {}),
    };
    this.policyIndex = names.map((n) => embodiment.commandJointNames.indexOf(n));
    const { chain, chainJointIndices, limits } = embodiment;
    const lower = chain.jointNames.map((_, i) => limits[chainJointIndices[i]!]!.minPosition);
    const upper = chain.jointNames.map((_, i) => limits[chainJointIndices[i]!]!.maxPosition);
    this.ik = new DlsIkSolver(chain, {
      lower,
      upper,
      orientationWeight: chain.dof >= 6 ? 1 : 0.1,
      maxIterations: 100,
      toleranceM: 1e-4,
      toleranceRad: 1e-3,
    });
  }

  infer(observation: Observation): Promise<ActionChunk> {
    return Promise.resolve(this.plan(observation));
  }

  async close(): Promise<void> {}

  /** Linear speed of the tool from measured joint velocities (0 when the state has none). */
  private measuredToolSpeed(q: Float64Array, velocity: Float64Array | undefined): number {
    if (velocity === undefined) return 0;
    const { chain, chainJointIndices } = this.embodiment;
    chain.jacobian(q, this.jac);
    const n = chain.dof;
    let s2 = 0;
    for (let r = 0; r < 3; r++) {
      let v = 0;
      for (let i = 0; i < n; i++) v += this.jac[r * n + i]! * velocity[chainJointIndices[i]!]!;
      s2 += v * v;
    }
    return Math.sqrt(s2);
  }

  private plan(observation: Observation): ActionChunk {
    const { chain, chainJointIndices, commandJointNames } = this.embodiment;
    const state = observation.jointState.position;
    let seed: Float64Array = Float64Array.from(chainJointIndices, (j) => state[j]!);
    chain.forwardKinematics(seed, this.fk);
    const start = [this.fk[3]!, this.fk[7]!, this.fk[11]!] as const;
    let speed = this.measuredToolSpeed(seed, observation.jointState.velocity);
    const goal = this.world.task?.goalM ?? start;
    const dims = this.space.names.length;
    const actions = new Float64Array(this.horizon * dims);
    const joints = new Float64Array(commandJointNames.length);
    // Keep the orientation the tool has now: only its position moves.
    const target = new Float64Array(this.fk);
    let p = [...start];
    for (let s = 0; s < this.horizon; s++) {
      // Aim above the goal while far from it, so the tool comes down onto the cube rather than through it.
      const horizontal = Math.hypot(goal[0] - p[0]!, goal[1] - p[1]!);
      const aim = [goal[0], goal[1], goal[2] + Math.min(0.1 * this.world.geometry.reachM, 0.6 * horizontal)];
      const d = [aim[0]! - p[0]!, aim[1]! - p[1]!, aim[2]! - p[2]!];
      const dist = Math.hypot(d[0]!, d[1]!, d[2]!);
      const a = this.toolAcceleration;
      const previousSpeed = speed;
      speed = Math.min(this.toolSpeed, speed + a * this.stepDtS, Math.sqrt(2 * a * dist));
      const stepM = Math.min(dist, 0.5 * (previousSpeed + speed) * this.stepDtS);
      if (dist > 1e-9) p = p.map((v, k) => v + (d[k]! / dist) * stepM);
      target[3] = p[0]!;
      target[7] = p[1]!;
      target[11] = p[2]!;
      const solution = this.ik.solve(target, seed);
      seed = solution.q;
      joints.set(state);
      chainJointIndices.forEach((j, i) => {
        joints[j] = solution.q[i]!;
      });
      this.policyIndex.forEach((j, k) => {
        actions[s * dims + k] = joints[j]!;
      });
      if (this.space.gripperIndex !== undefined) actions[s * dims + this.space.gripperIndex] = 1;
    }
    return {
      observationStampS: observation.stampS,
      actions,
      horizon: this.horizon,
      dims,
      stepsToExecute: this.stepsToExecute,
      stepDtS: this.stepDtS,
      space: this.space,
    };
  }
}
