import { limitInWords, type SafetyEvent, type SafetyLimit, type SafetySeverity } from './SafetyEvent';

/**
 * The conditions that make the layer stop the arm and hold (e-stop, stale inputs, a late policy, a tracking
 * error), and a requested controlled stop. Each is reported when it begins (severity `error`, or `info` for a
 * requested stop) and when it clears (severity `info`), not on every tick it lasts: the command's `holding`
 * flag says so on every tick.
 */
export class StopConditions {
  private readonly active = new Map<string, SafetyLimit>();

  /** True when setting condition `key` to `on` would change it (then call `update` with its message). */
  changes(key: string, on: boolean): boolean {
    return this.active.has(key) !== on;
  }

  /** Sets condition `key` on or off at tick `tS`; pushes an event when it changes. */
  update(
    tS: number,
    key: string,
    limit: SafetyLimit,
    on: boolean,
    target: string | undefined,
    message: string,
    events: SafetyEvent[],
    severity: SafetySeverity = 'error',
  ): void {
    if (!this.changes(key, on)) return;
    if (on) {
      this.active.set(key, limit);
      events.push({ tS, limit, target, severity, message, condition: 'begin' });
    } else {
      this.active.delete(key);
      events.push({
        tS,
        limit,
        target,
        severity: 'info',
        message: `${limitInWords(limit)} cleared: moving again from the held position`,
        condition: 'end',
      });
    }
  }

  /** True while any condition holds the arm. */
  get any(): boolean {
    return this.active.size > 0;
  }

  has(key: string): boolean {
    return this.active.has(key);
  }

  /** The active conditions' keys. */
  keys(): string[] {
    return [...this.active.keys()];
  }
}
