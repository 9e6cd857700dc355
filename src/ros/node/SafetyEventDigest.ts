import { describeSafetyEvent, limitInWords, type SafetyEvent } from '../../safety/SafetyEvent';

/** Seconds between two summaries of an intervention that goes on. */
export const SAFETY_SUMMARY_PERIOD_S = 1.0;

interface Ongoing {
  first: SafetyEvent;
  sinceS: number;
  ticks: number;
  /** Ticks since the last summary (or since it began). */
  ticksInPeriod: number;
  lastSummaryS: number;
}

/**
 * What ~/safety_events carries: the safety layer reports a clamping limit on every tick it acts (hundreds of
 * events a second while the arm sits at a position limit); a person and a bag need its story instead.
 *
 * - A stop condition (e-stop, stop, watchdog, tracking) is published as the layer reports it: when it begins,
 *   latches and ends.
 * - A limit acting tick by tick on one joint or axis is published when it starts (the first event, with what
 *   was asked and applied), once per summary period while it goes on (severity info, with its counts), and when
 *   it ends (severity info). Another joint or another limit is another intervention: its own start and end.
 * - Every published event carries a readable message.
 *
 * Counting is not done here: the safety layer's counters stay the one count (~/status, sim and eval).
 */
export class SafetyEventDigest {
  private readonly publish: (event: SafetyEvent) => void;
  private readonly summaryPeriodS: number;
  private readonly ongoing = new Map<string, Ongoing>();
  private readonly seen = new Set<string>();

  constructor(publish: (event: SafetyEvent) => void, summaryPeriodS = SAFETY_SUMMARY_PERIOD_S) {
    this.publish = publish;
    this.summaryPeriodS = summaryPeriodS;
  }

  /** Interventions going on now (limit and target). */
  get active(): number {
    return this.ongoing.size;
  }

  /** One control tick's events (empty on a quiet tick: that is how an intervention is known to have ended). */
  tick(tS: number, events: readonly SafetyEvent[]): void {
    const seen = this.seen;
    seen.clear();
    for (const event of events) {
      if (event.condition !== undefined) {
        this.publish(withMessage(event));
        continue;
      }
      const key = `${event.limit}\u0000${event.target ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const o = this.ongoing.get(key);
      if (o === undefined) {
        this.ongoing.set(key, { first: event, sinceS: tS, ticks: 1, ticksInPeriod: 1, lastSummaryS: tS });
        this.publish({ ...event, message: `${describeSafetyEvent(event)}: started` });
        continue;
      }
      o.ticks++;
      o.ticksInPeriod++;
      if (tS - o.lastSummaryS >= this.summaryPeriodS) {
        this.publish({
          ...event,
          severity: 'info',
          message:
            `${subject(event)} still acting: ${o.ticksInPeriod} ticks in the last ` +
            `${(tS - o.lastSummaryS).toFixed(1)} s, ${o.ticks} since it started ` +
            `${(tS - o.sinceS).toFixed(1)} s ago`,
        });
        o.lastSummaryS = tS;
        o.ticksInPeriod = 0;
      }
    }
    if (this.ongoing.size === seen.size) return;
    for (const [key, o] of this.ongoing) {
      if (seen.has(key)) continue;
      this.ongoing.delete(key);
      const { limit, target } = o.first;
      this.publish({
        tS,
        limit,
        target,
        severity: 'info',
        message: `${subject(o.first)} released after ${o.ticks} ticks (${(tS - o.sinceS).toFixed(2)} s)`,
      });
    }
  }
}

function subject(event: SafetyEvent): string {
  return `${event.target === undefined || event.target === '' ? '' : `${event.target}: `}${limitInWords(event.limit)}`;
}

function withMessage(event: SafetyEvent): SafetyEvent {
  return event.message === undefined || event.message === '' ? { ...event, message: describeSafetyEvent(event) } : event;
}
