import type { Benchmark, BenchFigure } from './BenchFigure';
import { median, percentile } from '../stats/orderStatistics';
import { timeMicros } from './timeMicros';
import { loadEmbodiment } from '../config/loadEmbodiment';
import type { JointLimits } from '../robot/JointLimits';
import { SafetyLayer, type SafetyStepInput } from '../safety/SafetyLayer';

const DT_S = 0.01;
const STREAM_TICKS = 4096;

/**
 * The safety layer's cost per tick on a 7-joint arm (the shipped Panda's arm joints, with its workspace box,
 * tool speed limits and jerk limits), in closed loop at 100 Hz on a policy-like stream: smooth motion with a
 * jump to a new target every 2 s and one non-finite proposal per 5 s. Baseline, measured in the same run over
 * the same inputs: a bare per-joint position/velocity clamp loop.
 */
export const safetyBenchmark: Benchmark = {
  name: 'safety',
  async run({ quick }): Promise<BenchFigure[]> {
    const panda = loadEmbodiment('franka_panda');
    const limits = panda.limits.filter((l) => panda.chain.jointNames.includes(l.name));
    const proposals = policyStream(limits);
    const s = panda.config.safety;
    const full = new SafetyLayer({
      limits,
      chain: panda.chain,
      workspace: s.workspace,
      maxEeLinearSpeedMPerS: s.max_ee_linear_speed_m_per_s,
      maxEeAngularSpeedRadPerS: s.max_ee_angular_speed_rad_per_s,
      timeouts: { jointStateS: 0.1, cameraS: { primary: 0.5 } },
    });
    const jointOnly = new SafetyLayer({ limits, timeouts: { jointStateS: 0.1, cameraS: { primary: 0.5 } } });

    const samples = quick ? 60 : 600;
    const batch = 200;
    let interventions = 0;
    let ticks = 0;
    const layerTick = (layer: SafetyLayer, count: boolean) => {
      const state = { k: 0, tS: 0, last: proposals[0]! };
      const watchdog = { jointStateAgeS: 0.004, cameraAgesS: { primary: 0.03 }, policyOverdue: false };
      const input: SafetyStepInput = { tS: 0, measured: { stampS: 0, position: state.last }, proposal: null, watchdog };
      return () => {
        input.tS = state.tS;
        input.measured = { stampS: state.tS, position: state.last };
        input.proposal = proposals[state.k % STREAM_TICKS]!;
        const { command, events } = layer.enforce(input);
        state.last = command.positions;
        state.k++;
        state.tS += DT_S;
        if (count) {
          ticks++;
          if (events.length > 0) interventions++;
        }
      };
    };
    const clampTick = bareClamp(limits, proposals);

    const baseline = timeMicros(clampTick, { samples, batch });
    const layer = timeMicros(layerTick(full, true), { samples, batch });
    const joints = timeMicros(layerTick(jointOnly, false), { samples, batch });
    const base = median(baseline);
    return [
      {
        name: 'safety.tick_7dof',
        median: median(layer),
        p99: percentile(layer, 99),
        unit: 'us',
        baseline: 'bare clamp',
        ratio: median(layer) / base,
        method:
          `SafetyLayer.enforce on the Panda's 7 arm joints with its workspace, tool speed and ` +
          `jerk limits and a watchdog, closed loop at 100 Hz on a policy-like stream; median and ` +
          `p99 of batches of ${batch} ticks; baseline: per-joint position/velocity clamp over the ` +
          `same inputs`,
        extra: {
          bare_clamp_median_us: base,
          joint_limits_only_median_us: median(joints),
          ticks_with_interventions_pct: ticks === 0 ? 0 : (100 * interventions) / ticks,
        },
      },
    ];
  },
};

/** Smooth sinusoids around the middle of each joint's range, a jump to a new offset every 2 s, a NaN every 5 s. */
function policyStream(limits: readonly JointLimits[]): Float64Array[] {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const offsets = limits.map(() => 0);
  return Array.from({ length: STREAM_TICKS }, (_, k) => {
    if (k % 200 === 0) limits.forEach((_, j) => (offsets[j] = 0.6 * (rand() - 0.5)));
    const t = k * DT_S;
    const q = Float64Array.from(
      limits,
      (l, j) => 0.5 * (l.minPosition + l.maxPosition) + offsets[j]! + 0.2 * Math.sin(2 * Math.PI * 0.3 * t + j),
    );
    if (k % 500 === 499) q[3] = NaN;
    return q;
  });
}

/** The baseline: clamp each joint's step to v_max dt and its position to the range, nothing else. */
function bareClamp(limits: readonly JointLimits[], proposals: readonly Float64Array[]): () => void {
  const n = limits.length;
  const lo = Float64Array.from(limits, (l) => l.minPosition);
  const hi = Float64Array.from(limits, (l) => l.maxPosition);
  const step = Float64Array.from(limits, (l) => l.maxVelocity * DT_S);
  let q = proposals[0]!.slice();
  let k = 0;
  return () => {
    const p = proposals[k++ % STREAM_TICKS]!;
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const target = p[j]! === p[j]! ? p[j]! : q[j]!;
      const d = target - q[j]!;
      const x = q[j]! + (d > step[j]! ? step[j]! : d < -step[j]! ? -step[j]! : d);
      out[j] = x < lo[j]! ? lo[j]! : x > hi[j]! ? hi[j]! : x;
    }
    q = out;
  };
}
