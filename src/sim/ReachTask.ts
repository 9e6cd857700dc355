import type { Rng } from './Rng';
import type { SceneGeometry } from './SceneGeometry';
import type { Rgb, Vec3 } from './SoftwareRenderer';

export interface SimCube {
  color: string;
  rgb: Rgb;
  center: Vec3;
  halfSizeM: number;
}

/** One episode of the tabletop reaching task: reach the named cube, the other two are distractors. */
export interface ReachTask {
  instruction: string;
  cubes: readonly SimCube[];
  targetIndex: number;
  /** The point the tool must reach: just above the target cube's top face, m. */
  goalM: Vec3;
  successRadiusM: number;
  /** Start joint positions (command joint order). */
  startPositions: Float64Array;
  timeLimitS: number;
}

export const CUBE_COLORS: readonly { color: string; rgb: Rgb }[] = [
  { color: 'red', rgb: [0.85, 0.12, 0.1] },
  { color: 'green', rgb: [0.12, 0.7, 0.18] },
  { color: 'blue', rgb: [0.12, 0.25, 0.9] },
];

export const INSTRUCTION_TEMPLATES: readonly string[] = ['reach the {color} cube', 'move to the {color} cube', 'touch the {color} block'];

export interface ReachTaskOptions {
  timeLimitS?: number;
  /** Random offset of each arm joint from home at the start, rad or m (uniform in +/- this). */
  startNoise?: number;
  /** Height above the cube's top face the tool must reach, m. */
  goalClearanceM?: number;
  successRadiusM?: number;
}

/** Samples a task from `rng`: cube placements (non-overlapping), the target, the wording and the start pose. */
export function sampleReachTask(
  geometry: SceneGeometry,
  rng: Rng,
  jointLimits: readonly { minPosition: number; maxPosition: number }[],
  armJointCount: number,
  options: ReachTaskOptions = {},
): ReachTask {
  const half = geometry.cubeHalfSizeM;
  const centers: Vec3[] = [];
  for (let attempt = 0; centers.length < CUBE_COLORS.length; attempt++) {
    const r = rng.uniform(geometry.cubeRadiusRangeM[0], geometry.cubeRadiusRangeM[1]);
    const a = rng.uniform(-geometry.cubeMaxAngleRad, geometry.cubeMaxAngleRad);
    const c: Vec3 = [r * Math.cos(a), r * Math.sin(a), half];
    if (attempt > 1000 || centers.every((o) => Math.hypot(o[0] - c[0], o[1] - c[1]) >= geometry.cubeSeparationM)) centers.push(c);
  }
  const order = rng.permutation(CUBE_COLORS.length);
  const cubes = order.map((colorIndex, k) => ({ ...CUBE_COLORS[colorIndex]!, center: centers[k]!, halfSizeM: half }));
  const targetIndex = rng.int(cubes.length);
  const target = cubes[targetIndex]!;
  const template = INSTRUCTION_TEMPLATES[rng.int(INSTRUCTION_TEMPLATES.length)]!;
  const noise = options.startNoise ?? 0.12;
  const start = Float64Array.from(geometry.homePositions, (v, i) => {
    if (i >= armJointCount) return v;
    const l = jointLimits[i]!;
    return Math.min(l.maxPosition, Math.max(l.minPosition, v + rng.uniform(-noise, noise)));
  });
  const clearance = options.goalClearanceM ?? 0.02;
  return {
    instruction: template.replace('{color}', target.color),
    cubes,
    targetIndex,
    goalM: [target.center[0], target.center[1], target.center[2] + half + clearance],
    successRadiusM: options.successRadiusM ?? Math.max(0.03, 0.05 * (geometry.reachM / 1.0)),
    startPositions: start,
    timeLimitS: options.timeLimitS ?? 6,
  };
}
