import type { SafeJointCommand } from '../SafeCommand';
import type { SafetyEvent } from '../SafetyEvent';
import type { SafetyLayer } from '../SafetyLayer';
import { FilterLineError, parseFilterLine } from './parseFilterLine';

/** One output line: `{"t": s, "command": [...], "events": [...]}`, plus `error` for a malformed input line. */
export interface FilterOutput {
  t: number | null;
  /** null only when no safe command exists yet (a malformed first line). */
  command: number[] | null;
  events: SafetyEvent[];
  error?: { line: number; field: string; message: string };
}

/**
 * The safety layer as a stream filter (DESIGN §5): one output line per input line. The first line's
 * `position` seeds the layer; later lines' `position` is the measured state (in a closed loop, the last
 * output), used for the tracking-error check.
 *
 * A malformed line never stops the stream and never yields an unsafe command: it is answered with an `error`
 * (line number, field, message) and a hold. With a readable `t`, the hold is a tick of controlled stop within
 * the limits; without one, the last command again. Before the first good line there is no safe command, so
 * `command` is null. The command line exits 2 at the end when any line was malformed.
 */
export class SafetyFilter {
  private readonly layer: SafetyLayer;
  private readonly jointCount: number;
  private last: SafeJointCommand | undefined;
  /** The malformed lines seen so far. */
  readonly errors: FilterLineError[] = [];

  constructor(layer: SafetyLayer) {
    this.layer = layer;
    this.jointCount = layer.jointNames.length;
  }

  /** Answers one input line (1-based `lineNumber`, for messages). */
  process(text: string, lineNumber: number): FilterOutput {
    try {
      const line = parseFilterLine(text, lineNumber, this.jointCount);
      if (line.reset === true) this.layer.reset();
      if (line.estop === true) this.layer.estop();
      const { command, events } = this.layer.enforce({
        tS: line.tS,
        measured: { stampS: line.tS, position: line.position, velocity: line.velocity },
        proposal: line.command,
      });
      this.last = command;
      return { t: line.tS, command: Array.from(command.positions), events };
    } catch (err) {
      if (!(err instanceof FilterLineError)) throw err;
      this.errors.push(err);
      return this.hold(err);
    }
  }

  private hold(err: FilterLineError): FilterOutput {
    const error = { line: err.line, field: err.field, message: err.message };
    const last = this.last;
    if (last === undefined) return { t: err.tS ?? null, command: null, events: [], error };
    if (err.tS === undefined) return { t: null, command: Array.from(last.positions), events: [], error };
    const { command, events } = this.layer.enforce({ tS: err.tS, measured: { stampS: err.tS, position: last.positions }, proposal: null });
    this.last = command;
    return { t: err.tS, command: Array.from(command.positions), events, error };
  }
}
