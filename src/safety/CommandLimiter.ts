import { VlaError } from '../errors';
import type { JointStateSample } from '../observation/Observation';
import { isIntervention, type SafetyEvent, type SafetyLimit } from './SafetyEvent';
import type { StopConditions } from './StopConditions';
import { Watchdog, type WatchdogInputs, type WatchdogLatches, type WatchdogResume, type WatchdogTimeouts } from './Watchdog';
import { MIN_DT_S } from './limitMath';

/** One tick's input for any command mode: P is the proposal's type (joint positions, a twist, a pose). */
export interface SafetyTickInput<P> {
  /** Tick time, seconds (monotonic in a run). */
  tS: number;
  /** Measured joint state in command joint order. */
  measured: JointStateSample;
  /** What the policy proposes; null = nothing to execute (hold). */
  proposal: P | null;
  /**
   * Freshness of the inputs, every tick. Omitted: nothing new is known, and a stale input reported earlier
   * keeps the arm held until fresh inputs are reported.
   */
  watchdog?: WatchdogInputs;
}

export interface SafetyStepResult<C> {
  command: C;
  events: SafetyEvent[];
}

/** What every command mode of one layer shares: the e-stop and stop latches, the stop conditions, the counters. */
export interface SharedSafetyState {
  readonly stops: StopConditions;
  readonly counters: Record<SafetyLimit, number>;
  readonly timeouts: WatchdogTimeouts;
  readonly watchdogResume: WatchdogResume;
  readonly watchdogLatches: WatchdogLatches;
  estopLatched: boolean;
  stopRequested: boolean;
}

/**
 * The limiter interface every command mode implements (as ros2_control's joint limiters do): the public
 * `enforce` owns what all modes share (time, seeding from the measured state, e-stop, watchdog, counting) and
 * calls the mode's `onSeed`, `onRepeat` and `onEnforce`. Safety is always on: there is no switch.
 *
 * Time: the first tick seeds from the measured state and emits it. A tick less than MIN_DT_S after the last
 * processed tick (including dt = 0 and time going backwards) does not advance time: the last command is
 * repeated, holding, with a `clock` event; the next tick's dt counts from the last processed tick.
 */
export abstract class CommandLimiter<P, C> {
  protected readonly shared: SharedSafetyState;
  private readonly watchdog: Watchdog;
  private lastTickS = NaN;
  private seeded = false;

  constructor(shared: SharedSafetyState) {
    this.shared = shared;
    this.watchdog = new Watchdog(shared.timeouts, shared.watchdogResume, shared.watchdogLatches);
  }

  /** Number of joints in the measured state. */
  protected abstract readonly jointCount: number;

  enforce(input: SafetyTickInput<P>): SafetyStepResult<C> {
    const { tS, measured } = input;
    if (measured.position.length !== this.jointCount) {
      throw new RangeError(`measured state has ${measured.position.length} positions, the layer commands ${this.jointCount} joints`);
    }
    const events: SafetyEvent[] = [];
    let command: C;
    if (!this.seeded) {
      if (!Number.isFinite(tS))
        throw new VlaError('MESSAGE_INVALID', `the first tick's time is ${tS}: the safety layer needs a finite time to start`, {
          path: 'tS',
        });
      const bad = measured.position.findIndex((q) => !Number.isFinite(q));
      if (bad >= 0) {
        throw new VlaError(
          'MESSAGE_INVALID',
          `measured position ${bad} is ${measured.position[bad]}: the safety layer cannot start without a finite joint state`,
          {
            path: `measured.position[${bad}]`,
            hint: 'start the layer once the joint state publisher reports every commanded joint',
          },
        );
      }
      command = this.onSeed(tS, measured);
      this.seeded = true;
      this.lastTickS = tS;
    } else {
      const dt = tS - this.lastTickS;
      if (!(dt >= MIN_DT_S)) {
        events.push({
          tS,
          limit: 'clock',
          severity: 'warn',
          message: `tick time ${tS} is not after the last processed tick ${this.lastTickS}: holding the last command`,
        });
        command = this.onRepeat(tS);
      } else {
        this.updateConditions(input, events);
        command = this.onEnforce(tS, dt, input, this.shared.stops.any, events);
        this.lastTickS = tS;
      }
    }
    for (const e of events) if (isIntervention(e)) this.shared.counters[e.limit]++;
    return { command, events };
  }

  private updateConditions(input: SafetyTickInput<P>, events: SafetyEvent[]): void {
    const { tS, measured } = input;
    const stops = this.shared.stops;
    stops.update(
      tS,
      'estop',
      'estop',
      this.shared.estopLatched,
      undefined,
      'e-stop: stopping within the limits, then holding until reset',
      events,
    );
    stops.update(
      tS,
      'stop',
      'stop',
      this.shared.stopRequested,
      undefined,
      'controlled stop: decelerating within the limits, then holding',
      events,
      'info',
    );
    if (input.watchdog !== undefined) this.watchdog.update(tS, input.watchdog, stops, events);
    let finite = true;
    for (let j = 0; j < measured.position.length; j++) if (!Number.isFinite(measured.position[j]!)) finite = false;
    stops.update(tS, 'measured', 'non_finite', !finite, 'joint_states', 'measured joint position is not finite: stopping', events);
    this.onConditions(input, finite, events);
  }

  /** Mode-specific stop conditions (joint mode: tracking error). `measuredFinite` says whether they can be judged. */
  protected onConditions(_input: SafetyTickInput<P>, _measuredFinite: boolean, _events: SafetyEvent[]): void {}

  /** First tick: start from the measured state and emit it. */
  protected abstract onSeed(tS: number, measured: JointStateSample): C;
  /** A tick that does not advance time: the last command again, holding. */
  protected abstract onRepeat(tS: number): C;
  /** A tick of `dt` >= MIN_DT_S. `stopping`: a stop condition is active (stop within the limits, then hold). */
  protected abstract onEnforce(tS: number, dt: number, input: SafetyTickInput<P>, stopping: boolean, events: SafetyEvent[]): C;
}
