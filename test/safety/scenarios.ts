import fc from 'fast-check';
import type { JointLimits } from '../../src/robot/JointLimits';

/**
 * Random and adversarial proposal streams for the safety layer's property tests. fast-check draws a compact
 * scenario (its shrinkable parameters and a seed); the stream itself is expanded from the seed by a small
 * deterministic PRNG, so 100,000 steps cost little to generate and a failure replays exactly.
 */

export const DT_MODES = ['regular', 'jitter', 'irregular', 'tiny', 'broken_clock'] as const;
export const PROPOSAL_MODES = ['jump', 'far', 'flip', 'static', 'smooth', 'near_limit', 'null', 'creep'] as const;
export type DtMode = (typeof DT_MODES)[number];
export type ProposalMode = (typeof PROPOSAL_MODES)[number];
export type StaleKind = 'joint_state' | 'camera' | 'policy';

export interface Scenario {
  seed: number;
  steps: number;
  dtMode: DtMode;
  periodS: number;
  /** Proposal modes the stream switches between. */
  modes: ProposalMode[];
  segmentTicks: number;
  /** Probability that a tick's proposal carries NaN or +/-Inf entries. */
  nanRate: number;
  startOutside: boolean;
  startMoving: boolean;
  /** Tick indices (fractions of the run) of an e-stop and its reset (reset <= estop: no reset). */
  estop: { at: number; resetAt: number } | null;
  stale: { from: number; to: number; kind: StaleKind } | null;
}

export function scenarioArbitrary(steps: number): fc.Arbitrary<Scenario> {
  const fraction = fc.double({ min: 0.05, max: 0.95, noNaN: true });
  return fc.record({
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    steps: fc.constant(steps),
    dtMode: fc.constantFrom(...DT_MODES),
    periodS: fc.constantFrom(0.001, 0.004, 0.01, 0.02, 0.05),
    modes: fc.uniqueArray(fc.constantFrom(...PROPOSAL_MODES), { minLength: 1, maxLength: 4 }),
    segmentTicks: fc.integer({ min: 1, max: 120 }),
    nanRate: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.2, noNaN: true })),
    startOutside: fc.boolean(),
    startMoving: fc.boolean(),
    estop: fc.option(fc.record({ at: fraction, resetAt: fraction }), { nil: null }),
    stale: fc.option(fc.record({ from: fraction, to: fraction, kind: fc.constantFrom<StaleKind>('joint_state', 'camera', 'policy') }), {
      nil: null,
    }),
  });
}

/** mulberry32: a small, fast, deterministic PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ScenarioTick {
  tS: number;
  proposal: Float64Array | null;
  /** Call estop() / reset() before this tick. */
  estop: boolean;
  reset: boolean;
  /** A stop must be in effect at this tick (e-stop latched or an input stale). */
  stopExpected: boolean;
  jointStateAgeS: number;
  cameraAgeS: number;
  policyOverdue: boolean;
}

/**
 * Expands a scenario for joints with `limits`: the measured start state, then tick by tick (each tick may use
 * the last output, as in a closed loop).
 */
export class ScenarioStream {
  readonly start: { tS: number; position: Float64Array; velocity: Float64Array | undefined };
  private readonly s: Scenario;
  private readonly limits: readonly JointLimits[];
  private readonly rand: () => number;
  private readonly jointStateTimeoutS: number;
  private readonly cameraTimeoutS: number;
  private t: number;
  private k = 0;
  private mode: ProposalMode;
  private readonly target: Float64Array;
  private readonly phase: Float64Array;
  private readonly freqHz: Float64Array;
  private flip = false;
  private estopLatched = false;

  constructor(s: Scenario, limits: readonly JointLimits[], timeouts: { jointStateS: number; cameraS: number }) {
    this.s = s;
    this.limits = limits;
    this.rand = prng(s.seed);
    this.jointStateTimeoutS = timeouts.jointStateS;
    this.cameraTimeoutS = timeouts.cameraS;
    const n = limits.length;
    this.target = new Float64Array(n);
    this.phase = Float64Array.from(limits, () => this.rand() * 2 * Math.PI);
    this.freqHz = Float64Array.from(limits, () => 0.1 + 3 * this.rand());
    this.mode = s.modes[0]!;
    this.t = 1000 * this.rand();
    const position = Float64Array.from(limits, (l) => {
      const [lo, hi] = range(l);
      let q = lo + (hi - lo) * this.rand();
      if (s.startOutside && Number.isFinite(l.maxPosition) && this.rand() < 0.5)
        q = this.rand() < 0.5 ? l.maxPosition + 0.3 * this.rand() : l.minPosition - 0.3 * this.rand();
      return q;
    });
    let velocity: Float64Array | undefined;
    if (s.startMoving && !s.startOutside) {
      velocity = Float64Array.from(limits, (l, j) => {
        const q = position[j]!;
        let v = (this.rand() * 2 - 1) * l.maxVelocity * 0.8;
        // Keep the measured state one from which the joint can still stop inside its range: v^2 <= 2 a d.
        const d = v > 0 ? l.maxPosition - q : q - l.minPosition;
        if (l.maxAcceleration !== Infinity && v * v > 2 * l.maxAcceleration * d)
          v = Math.sign(v) * Math.sqrt(2 * l.maxAcceleration * d) * 0.99;
        if (l.maxAcceleration === Infinity && Number.isFinite(d)) v = 0;
        return v;
      });
    }
    this.start = { tS: this.t, position, velocity };
    this.retarget();
  }

  next(lastOutput: Float64Array): ScenarioTick {
    const s = this.s;
    const r = this.rand;
    this.k++;
    const k = this.k;
    this.t += this.nextDt();
    if (k % s.segmentTicks === 0) {
      this.mode = s.modes[Math.floor(r() * s.modes.length)]!;
      this.retarget();
    }
    const at = (f: number): number => Math.floor(f * s.steps);
    const estop = s.estop !== null && k === at(s.estop.at);
    const reset = s.estop !== null && k === at(s.estop.resetAt) && at(s.estop.resetAt) > at(s.estop.at);
    if (estop) this.estopLatched = true;
    if (reset) this.estopLatched = false;
    const stale = s.stale !== null && k >= at(s.stale.from) && k < at(s.stale.to) ? s.stale.kind : undefined;
    let proposal = this.proposal(lastOutput);
    if (proposal !== null && s.nanRate > 0 && r() < s.nanRate) {
      proposal = proposal.slice();
      const bad = [NaN, Infinity, -Infinity];
      for (let j = 0; j < proposal.length; j++) if (r() < 0.5) proposal[j] = bad[Math.floor(r() * 3)]!;
    }
    return {
      tS: this.t,
      proposal,
      estop,
      reset,
      stopExpected: this.estopLatched || stale !== undefined,
      jointStateAgeS: stale === 'joint_state' ? this.jointStateTimeoutS * (1.01 + r()) : this.jointStateTimeoutS * 0.5 * r(),
      cameraAgeS: stale === 'camera' ? this.cameraTimeoutS * (1.01 + r()) : this.cameraTimeoutS * 0.5 * r(),
      policyOverdue: stale === 'policy',
    };
  }

  private nextDt(): number {
    const r = this.rand;
    const p = this.s.periodS;
    switch (this.s.dtMode) {
      case 'regular':
        return p;
      case 'jitter':
        return p * (0.3 + 1.4 * r());
      case 'irregular':
        return Math.exp(Math.log(1e-6) + (Math.log(0.3) - Math.log(1e-6)) * r());
      case 'tiny':
        return r() < 0.9 ? 1e-6 * (1 + 9 * r()) : p;
      case 'broken_clock': {
        const x = r();
        return x < 0.1 ? 0 : x < 0.15 ? -p * 3 * r() : x < 0.2 ? 1e-10 : p;
      }
    }
  }

  private retarget(): void {
    const r = this.rand;
    this.limits.forEach((l, j) => {
      const [lo, hi] = range(l);
      switch (this.mode) {
        case 'static':
          this.target[j] = lo + (hi - lo) * r();
          break;
        case 'near_limit':
          this.target[j] = r() < 0.5 ? hi : lo;
          break;
        default:
          this.target[j] = lo + (hi - lo) * r();
      }
    });
  }

  private proposal(last: Float64Array): Float64Array | null {
    const r = this.rand;
    const n = this.limits.length;
    const out = new Float64Array(n);
    this.flip = !this.flip;
    for (let j = 0; j < n; j++) {
      const l = this.limits[j]!;
      const [lo, hi] = range(l);
      const span = hi - lo;
      switch (this.mode) {
        case 'null':
          return null;
        case 'jump':
          out[j] = lo - 0.5 * span + 2 * span * r();
          break;
        case 'far':
          out[j] = (r() < 0.5 ? -1 : 1) * (r() < 0.5 ? 1e6 : 1e3 + span);
          break;
        case 'flip':
          out[j] = this.flip ? hi + 0.2 * span : lo - 0.2 * span;
          break;
        case 'static':
          out[j] = this.target[j]!;
          break;
        case 'smooth':
          out[j] = 0.5 * (lo + hi) + 0.6 * span * Math.sin(2 * Math.PI * this.freqHz[j]! * this.t + this.phase[j]!);
          break;
        case 'near_limit':
          out[j] = this.target[j]! + (r() - 0.5) * 1e-3;
          break;
        case 'creep':
          out[j] = last[j]! + (r() - 0.5) * 1e-6;
          break;
      }
    }
    return out;
  }
}

/** The range random targets are drawn from: the position limits, or +/- pi (and a few turns) when unbounded. */
function range(l: JointLimits): [number, number] {
  const lo = Number.isFinite(l.minPosition) ? l.minPosition : -3 * Math.PI;
  const hi = Number.isFinite(l.maxPosition) ? l.maxPosition : 3 * Math.PI;
  return [lo, hi];
}
