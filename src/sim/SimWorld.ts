import type { Embodiment } from '../config/Embodiment';
import { SimArm, type SimArmOptions } from './SimArm';
import type { ReachTask } from './ReachTask';
import { sceneGeometryFor, type SceneGeometry } from './SceneGeometry';
import { renderScene, type Capsule, type PinholeCamera, type Rgb, type Vec3 } from './SoftwareRenderer';

export interface SimWorldOptions {
  arm?: SimArmOptions;
  imageWidth?: number;
  imageHeight?: number;
  geometry?: SceneGeometry;
}

const LINK_RGB: Rgb = [0.86, 0.86, 0.84];
const JOINT_RGB: Rgb = [0.36, 0.36, 0.38];
const FINGER_RGB: Rgb = [0.22, 0.22, 0.24];

/**
 * The simulated tabletop: one arm (from its URDF), the task's cubes and fixed cameras. Holds the privileged
 * state a scripted expert may read (cube positions, the goal) and judges success.
 */
export class SimWorld {
  readonly embodiment: Embodiment;
  readonly arm: SimArm;
  readonly geometry: SceneGeometry;
  readonly imageWidth: number;
  readonly imageHeight: number;
  private currentTask: ReachTask | undefined;
  private readonly frames: Float64Array;
  private readonly q: Float64Array;
  private reached = false;

  constructor(embodiment: Embodiment, options: SimWorldOptions = {}) {
    this.embodiment = embodiment;
    this.arm = new SimArm(embodiment, options.arm);
    this.geometry = options.geometry ?? sceneGeometryFor(embodiment);
    this.imageWidth = options.imageWidth ?? 96;
    this.imageHeight = options.imageHeight ?? 96;
    this.frames = new Float64Array(16 * (embodiment.chain.dof + 1));
    this.q = new Float64Array(embodiment.chain.dof);
    this.arm.reset(this.geometry.homePositions);
  }

  get task(): ReachTask | undefined {
    return this.currentTask;
  }

  /** True once the tool came within the success radius of the goal during this episode. */
  get succeeded(): boolean {
    return this.reached;
  }

  reset(task: ReachTask, timeS = 0): void {
    this.currentTask = task;
    this.reached = false;
    this.arm.reset(task.startPositions, timeS);
  }

  step(dtS: number): void {
    this.arm.step(dtS);
    if (!this.reached && this.distanceToGoalM() <= (this.currentTask?.successRadiusM ?? -1)) this.reached = true;
  }

  /** Tool link position in the base frame, m. */
  toolPositionM(): Vec3 {
    const f = this.linkFrames();
    const o = 16 * this.embodiment.chain.dof;
    return [f[o + 3]!, f[o + 7]!, f[o + 11]!];
  }

  distanceToGoalM(): number {
    const goal = this.currentTask?.goalM;
    if (goal === undefined) return Infinity;
    const p = this.toolPositionM();
    return Math.hypot(p[0] - goal[0], p[1] - goal[1], p[2] - goal[2]);
  }

  /** The camera with index `k` (0: the main view; others look from further round the table). */
  camera(k = 0): PinholeCamera {
    const c = this.geometry.camera;
    const angle = k * 1.2;
    const [x, y, z] = c.positionM;
    const [lx, ly] = c.lookAtM;
    const dx = x - lx;
    const dy = y - ly;
    const pos: Vec3 = [lx + dx * Math.cos(angle) - dy * Math.sin(angle), ly + dx * Math.sin(angle) + dy * Math.cos(angle), z];
    return { ...c, positionM: pos, width: this.imageWidth, height: this.imageHeight };
  }

  /** rgb8 pixels of camera `k`. */
  render(k = 0, out?: Uint8Array): Uint8Array {
    const boxes = (this.currentTask?.cubes ?? []).map((cube) => ({ center: cube.center, halfSizeM: cube.halfSizeM, rgb: cube.rgb }));
    return renderScene(
      {
        camera: this.camera(k),
        boxes,
        capsules: this.armCapsules(),
        checkerM: 0.1 * this.geometry.reachM,
        tableRadiusM: 1.1 * this.geometry.reachM,
      },
      out,
    );
  }

  /** The arm drawn as capsules between consecutive joint frames, a base, joint knuckles and two fingers. */
  armCapsules(): Capsule[] {
    const f = this.linkFrames();
    const r = this.geometry.linkRadiusM;
    const capsules: Capsule[] = [{ a: [0, 0, 0], b: [0, 0, 0.06 * this.geometry.reachM], radiusM: 1.6 * r, rgb: JOINT_RGB }];
    let prev: Vec3 = [0, 0, 0];
    const count = this.embodiment.chain.dof + 1;
    for (let i = 0; i < count; i++) {
      const o = 16 * i;
      const p: Vec3 = [f[o + 3]!, f[o + 7]!, f[o + 11]!];
      if (Math.hypot(p[0] - prev[0], p[1] - prev[1], p[2] - prev[2]) > 1e-4)
        capsules.push({ a: prev, b: p, radiusM: i === count - 1 ? 0.6 * r : r, rgb: LINK_RGB });
      if (i < count - 1) capsules.push({ a: p, b: p, radiusM: 1.2 * r, rgb: JOINT_RGB });
      prev = p;
    }
    // Fingers: along the tool's approach axis (the last segment's direction), spread by the gripper opening.
    const o = 16 * (count - 1);
    const tool: Vec3 = [f[o + 3]!, f[o + 7]!, f[o + 11]!];
    const yAxis: Vec3 = [f[o + 1]!, f[o + 5]!, f[o + 9]!];
    const zAxis: Vec3 = [f[o + 2]!, f[o + 6]!, f[o + 10]!];
    const len = 0.05 * this.geometry.reachM;
    const spread = (0.25 + 0.75 * this.gripperOpening()) * 0.045 * this.geometry.reachM;
    for (const s of [-1, 1]) {
      const tip: Vec3 = [tool[0] + s * spread * yAxis[0], tool[1] + s * spread * yAxis[1], tool[2] + s * spread * yAxis[2]];
      const rootP: Vec3 = [tip[0] - len * zAxis[0], tip[1] - len * zAxis[1], tip[2] - len * zAxis[2]];
      capsules.push({ a: rootP, b: tip, radiusM: 0.3 * r, rgb: FINGER_RGB });
    }
    return capsules;
  }

  /** 0 closed .. 1 open (1 without a gripper). */
  private gripperOpening(): number {
    const g = this.embodiment.config.gripper;
    if (g === undefined) return 1;
    const p = this.arm.positions[this.embodiment.commandJointNames.indexOf(g.joint)]!;
    const span = g.open_position - g.closed_position;
    return span === 0 ? 1 : Math.min(1, Math.max(0, (p - g.closed_position) / span));
  }

  private linkFrames(): Float64Array {
    const idx = this.embodiment.chainJointIndices;
    for (let i = 0; i < idx.length; i++) this.q[i] = this.arm.positions[idx[i]!]!;
    return this.embodiment.chain.linkFrames(this.q, this.frames);
  }
}
