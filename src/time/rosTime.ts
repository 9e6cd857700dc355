import type { TimeMsg } from '../msgs/rosMessages';

/** builtin_interfaces/Time <-> seconds and nanoseconds. Nanoseconds are bigint (exact); seconds are numbers. */

export const NS_PER_S = 1_000_000_000n;

export function timeToNs(t: TimeMsg): bigint {
  return BigInt(t.sec) * NS_PER_S + BigInt(t.nanosec);
}

export function nsToTime(ns: bigint): TimeMsg {
  let sec = ns / NS_PER_S;
  let nanosec = ns % NS_PER_S;
  if (nanosec < 0n) {
    nanosec += NS_PER_S;
    sec -= 1n;
  }
  return { sec: Number(sec), nanosec: Number(nanosec) };
}

export function timeToSeconds(t: TimeMsg): number {
  return t.sec + t.nanosec * 1e-9;
}

/** Rounds to the nearest nanosecond. */
export function secondsToNs(seconds: number): bigint {
  return BigInt(Math.round(seconds * 1e9));
}

export function secondsToTime(seconds: number): TimeMsg {
  return nsToTime(secondsToNs(seconds));
}

export function nsToSeconds(ns: bigint): number {
  // Split so that large stamps (epoch nanoseconds) keep sub-microsecond precision.
  return Number(ns / NS_PER_S) + Number(ns % NS_PER_S) * 1e-9;
}
