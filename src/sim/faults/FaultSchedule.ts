import { VlaError } from '../../errors';
import type { SafetyEvent } from '../../safety/SafetyEvent';

/**
 * Faults on demand in the simulator (`sim --fault KIND@T[:DURATION]`), so that the watchdog and safety promises
 * can be tried without ROS or a hand-made bag. T is seconds into each episode; DURATION how long the fault
 * lasts (for `clock_jump`, how far the clock jumps; for `estop`, when the e-stop is reset). Every fault is
 * reported with what the safety layer did: when it stopped and held, and when it recovered.
 */
export const FAULT_KINDS = [
  'camera_dropout',
  'joint_state_stall',
  'joint_state_nan',
  'policy_frozen',
  'policy_nan',
  'policy_slow',
  'clock_jump',
  'estop',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** Seconds into the episode. */
  atS: number;
  /** Seconds (unbounded when absent: until the episode ends). */
  durationS?: number;
}

/** What the layer did about a fault: `stop` (a stop condition began: decelerate, then hold), `hold`, `recover`. */
export interface FaultReaction {
  what: 'stop' | 'hold' | 'recover';
  /** Seconds into the episode. */
  tS: number;
  limit: string;
  target?: string;
}

export interface FaultReport {
  episode: number;
  kind: FaultKind;
  at_s: number;
  duration_s: number | null;
  /** Stop conditions that began during the fault (or within the watchdog timeouts after it), and when they ended. */
  reactions: FaultReaction[];
  stopped_at_s: number | null;
  recovered_at_s: number | null;
}

const MAX_FAULT_S = 3600;

/** Parses `KIND@T[:DURATION]`, naming the option and the allowed kinds when it cannot. */
export function parseFault(text: string, option = '--fault'): FaultSpec {
  const m = /^([a-z_]+)@([^:]+)(?::(.+))?$/.exec(text.trim());
  const kinds = FAULT_KINDS.join(', ');
  if (m === null)
    throw new VlaError('ARGUMENT_INVALID', `${option} must be KIND@T[:DURATION], got "${text.slice(0, 60)}"`, {
      path: option,
      hint: `e.g. ${option} camera_dropout@2:1.5; kinds: ${kinds}`,
    });
  const kind = m[1]! as FaultKind;
  if (!FAULT_KINDS.includes(kind))
    throw new VlaError('ARGUMENT_INVALID', `${option}: unknown fault kind "${m[1]!}"`, { path: option, hint: `kinds: ${kinds}` });
  const number = (raw: string, what: string, min: number): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v < min || v > MAX_FAULT_S) {
      throw new VlaError('ARGUMENT_INVALID', `${option} ${text}: ${what} must be a number from ${min} to ${MAX_FAULT_S} s, got "${raw}"`, {
        path: option,
        hint: `e.g. ${option} ${kind}@2:1.5`,
      });
    }
    return v;
  };
  const atS = number(m[2]!, 'T', 0);
  const durationS = m[3] === undefined ? undefined : number(m[3], 'DURATION', 0.001);
  if (kind === 'clock_jump' && durationS === undefined)
    throw new VlaError('ARGUMENT_INVALID', `${option} ${text}: a clock jump needs its size`, {
      path: option,
      hint: `e.g. ${option} clock_jump@2:0.5 (the clock jumps 0.5 s forward at 2 s)`,
    });
  return { kind, atS, durationS };
}

const STOP_LIMITS: Readonly<Partial<Record<FaultKind, readonly string[]>>> = {
  camera_dropout: ['watchdog_camera'],
  joint_state_stall: ['watchdog_joint_state'],
  joint_state_nan: ['non_finite'],
  policy_frozen: ['watchdog_policy'],
  policy_slow: ['watchdog_policy'],
  policy_nan: ['watchdog_policy', 'non_finite'],
  clock_jump: ['watchdog_joint_state', 'watchdog_camera', 'watchdog_policy', 'clock'],
  estop: ['estop'],
};

/** The faults of a run, the episode clock they are timed on, and the layer's reactions to them. */
export class FaultSchedule {
  readonly faults: readonly FaultSpec[];
  private episode = -1;
  private episodeStartS = 0;
  private readonly reports: FaultReport[] = [];
  private current: FaultReport[] = [];
  private over = false;

  constructor(faults: readonly FaultSpec[]) {
    this.faults = faults;
  }

  /** Starts timing the faults of an episode at `startS` (the clock's time). */
  startEpisode(index: number, startS: number): void {
    this.episode = index;
    this.episodeStartS = startS;
    this.over = false;
    this.current = this.faults.map((f) => ({
      episode: index,
      kind: f.kind,
      at_s: f.atS,
      duration_s: f.durationS ?? null,
      reactions: [],
      stopped_at_s: null,
      recovered_at_s: null,
    }));
    this.reports.push(...this.current);
  }

  /** Ends the episode's faults: a policy frozen until the end answers now. */
  endEpisode(): void {
    this.over = true;
  }

  get episodeOver(): boolean {
    return this.over;
  }

  /** Seconds into the current episode at the clock's time `tS`. */
  episodeTimeS(tS: number): number {
    return tS - this.episodeStartS;
  }

  /** True while a fault of `kind` is on at clock time `tS`. */
  active(kind: FaultKind, tS: number): boolean {
    const t = this.episodeTimeS(tS);
    return this.faults.some((f) => f.kind === kind && t >= f.atS && (f.durationS === undefined || t < f.atS + f.durationS));
  }

  /** Clock time at which the current `kind` fault ends (Infinity when it lasts the episode), or undefined when off. */
  endOf(kind: FaultKind, tS: number): number | undefined {
    const t = this.episodeTimeS(tS);
    const f = this.faults.find((x) => x.kind === kind && t >= x.atS && (x.durationS === undefined || t < x.atS + x.durationS));
    return f === undefined ? undefined : f.durationS === undefined ? Infinity : this.episodeStartS + f.atS + f.durationS;
  }

  /** Faults of `kind` whose start falls in (fromS, toS] of clock time. */
  startsBetween(kind: FaultKind, fromS: number, toS: number): FaultSpec[] {
    const a = this.episodeTimeS(fromS);
    const b = this.episodeTimeS(toS);
    return this.faults.filter((f) => f.kind === kind && f.atS > a && f.atS <= b);
  }

  /** Faults of `kind` whose end falls in (fromS, toS] of clock time. */
  endsBetween(kind: FaultKind, fromS: number, toS: number): FaultSpec[] {
    const a = this.episodeTimeS(fromS);
    const b = this.episodeTimeS(toS);
    return this.faults.filter((f) => f.kind === kind && f.durationS !== undefined && f.atS + f.durationS > a && f.atS + f.durationS <= b);
  }

  /** Attributes stop-condition events to the faults that can cause them. */
  onSafetyEvent(event: SafetyEvent): void {
    if (event.condition !== 'begin' && event.condition !== 'end') return;
    const t = this.episodeTimeS(event.tS);
    for (const report of this.current) {
      if (!(STOP_LIMITS[report.kind] ?? []).includes(event.limit) || t < report.at_s) continue;
      if (event.condition === 'begin') {
        report.reactions.push({ what: 'stop', tS: t, limit: event.limit, target: event.target });
        report.stopped_at_s ??= t;
      } else if (report.stopped_at_s !== null) {
        report.reactions.push({ what: 'recover', tS: t, limit: event.limit, target: event.target });
        report.recovered_at_s = t;
      }
    }
  }

  /** Marks ticks that held the arm during a fault (the first one per fault). */
  onHold(tS: number): void {
    const t = this.episodeTimeS(tS);
    for (const report of this.current) {
      if (report.stopped_at_s !== null && !report.reactions.some((r) => r.what === 'hold') && t >= report.stopped_at_s) {
        report.reactions.push({ what: 'hold', tS: t, limit: report.reactions[0]!.limit });
      }
    }
  }

  report(): FaultReport[] {
    return this.reports;
  }
}
