import { defer, filter, map, type MonoTypeOperatorFunction, Observable, type OperatorFunction, scan } from 'rxjs';
import { isVlaError, type VlaError } from '../errors';
import { judgedByReceiveTime, judgeStamp, type ObservationTimeBase, type StampVerdict } from './stampTime';

/**
 * The operators an observation stream is composed of: topic messages -> converted values -> judged on one time
 * base -> in time order -> the recent window that time matching picks from. They are run per message, never
 * per control tick, and allocate nothing of their own per message (values are the converters' fresh objects,
 * retimed in place).
 */

/** A value the streams can retime: `stampS` is the time it is judged by, on the receiver's clock. */
export interface Stamped {
  stampS: number;
}

/**
 * Converts each message; one the converter refuses with a VlaError is passed to `onInvalid` and dropped, and
 * the stream goes on. Any other exception ends the stream with it.
 */
export function convertEach<M, R>(convert: (msg: M) => R, onInvalid: (error: VlaError) => void): OperatorFunction<M, R> {
  return (source) =>
    new Observable<R>((subscriber) =>
      source.subscribe({
        next(msg) {
          let value: R;
          try {
            value = convert(msg);
          } catch (err) {
            if (!isVlaError(err)) {
              subscriber.error(err);
              return;
            }
            onInvalid(err);
            return;
          }
          subscriber.next(value);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

export interface TimeBaseOptions {
  timeBase: ObservationTimeBase;
  /** The time the value being processed was received, on the receiver's clock, s. */
  receivedAtS(): number;
  /** The source's staleness timeout, s: a stamp further ahead than this is implausible. */
  timeoutS: number;
  /** Every stamp that is not `ok` (under the `header` time base), with how far behind the receive time it is, s. */
  onStamp?(verdict: Exclude<StampVerdict, 'ok'>, lagS: number): void;
}

/** Puts each value on the time base: keeps its header stamp, or replaces it with its receive time (stampTime.ts). */
export function onTimeBase<T extends Stamped>(options: TimeBaseOptions): MonoTypeOperatorFunction<T> {
  const { timeBase, receivedAtS, timeoutS, onStamp } = options;
  return map((value: T) => {
    const receivedS = receivedAtS();
    if (timeBase === 'receive') {
      value.stampS = receivedS;
      return value;
    }
    const verdict = judgeStamp(value.stampS, receivedS, timeoutS);
    if (verdict !== 'ok') {
      onStamp?.(verdict, receivedS - value.stampS);
      if (judgedByReceiveTime(verdict)) value.stampS = receivedS;
    }
    return value;
  });
}

/** Drops values older than the newest one passed so far (out-of-order delivery). */
export function inTimeOrder<T extends Stamped>(): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      let newestS = -Infinity;
      return source.pipe(
        filter((value: T) => {
          if (value.stampS < newestS) return false;
          newestS = value.stampS;
          return true;
        }),
      );
    });
}

/** The last `size` values, oldest first: one array per subscription, updated in place and emitted after each value. */
export function recentWindow<T>(size: number): OperatorFunction<T, readonly T[]> {
  return (source) =>
    defer(() =>
      source.pipe(
        scan((window: T[], value: T) => {
          window.push(value);
          if (window.length > size) window.shift();
          return window;
        }, []),
      ),
    );
}

/** The value of `window` closest in time to `tS` (the newest one on a tie); undefined for an empty window. */
export function closestInTime<T extends Stamped>(window: readonly T[], tS: number): T | undefined {
  let best = window[window.length - 1];
  if (best === undefined) return undefined;
  for (const value of window) if (Math.abs(value.stampS - tS) < Math.abs(best.stampS - tS)) best = value;
  return best;
}
