import { SingleBar } from 'cli-progress';
import { describeError } from '../errors';
import { type CliContext, logLine } from './CliContext';

export interface RunProgressOptions {
  /** The command, first word of every line (`sim`, `eval`). */
  label: string;
  /** cli-progress format of the bar (TTY), with {bar}, {value}, {total} and payload keys. */
  barFormat: string;
  /** One line of progress for a log (not a TTY), from the current value, total and payload. */
  line: (value: number, total: number, payload: Record<string, unknown>) => string;
  /** Seconds of wall time between progress lines when stderr is not a terminal. */
  lineIntervalS?: number;
}

/**
 * Progress and repeated errors of a long run, on stderr only (stdout stays clean for --json): a cli-progress
 * bar on a terminal, a one-line progress every few seconds otherwise. The same error is printed once, then
 * counted; `stop()` prints the counts.
 */
export class RunProgress {
  private readonly bar: SingleBar | undefined;
  private readonly intervalMs: number;
  private lastLineMs = performance.now();
  private total = 0;
  private value = 0;
  private payload: Record<string, unknown> = {};
  private readonly errors = new Map<string, number>();

  constructor(
    private readonly ctx: CliContext,
    private readonly options: RunProgressOptions,
  ) {
    this.intervalMs = (options.lineIntervalS ?? 10) * 1000;
    this.bar = ctx.interactive
      ? new SingleBar({ stream: ctx.stderr, format: options.barFormat, hideCursor: true, clearOnComplete: true })
      : undefined;
  }

  start(total: number, payload: Record<string, unknown> = {}): void {
    this.total = total;
    this.payload = payload;
    this.bar?.start(total, 0, payload);
  }

  update(value: number, payload: Record<string, unknown> = {}): void {
    this.value = value;
    this.payload = { ...this.payload, ...payload };
    if (this.bar !== undefined) {
      this.bar.update(value, payload);
      return;
    }
    const now = performance.now();
    if (now - this.lastLineMs >= this.intervalMs) {
      this.lastLineMs = now;
      logLine(this.ctx, `${this.options.label}: ${this.options.line(this.value, this.total, this.payload)}`);
    }
  }

  /** Prints an error the first time it is seen; later identical ones are only counted. */
  error(what: string, err: unknown): void {
    const message = `${what}: ${describeError(err)}`;
    const seen = this.errors.get(message) ?? 0;
    this.errors.set(message, seen + 1);
    if (seen === 0 && this.bar === undefined)
      logLine(this.ctx, `${this.options.label}: ${message}${message.includes('\n') ? '' : ' (repeats are counted, not printed)'}`);
  }

  /** Occurrences of each distinct error. */
  get errorCounts(): ReadonlyMap<string, number> {
    return this.errors;
  }

  /** Stops the bar and prints each error once with its count. */
  stop(): void {
    this.bar?.stop();
    for (const [message, count] of this.errors) logLine(this.ctx, `${this.options.label}: ${count} x ${message}`);
  }
}
