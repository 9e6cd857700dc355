import { VlaError } from '../../errors';
import { chunkEndS, type TargetChunk } from './TargetChunk';

/**
 * How a chunk that arrives some time after its observation is lined up with the clock.
 * - `keep_fed` (default): the chunk runs on its observation's time (the steps that elapsed during inference
 *   are skipped) as far as its remainder still lasts until the next chunk can arrive; any lag beyond that is
 *   absorbed by running the chunk late, at most so late that it starts at its arrival. With one inference in
 *   flight, a policy whose latency is below the chunk's duration never runs the queue dry.
 * - `strict`: chunks always run on their observation's time. A chunk is then usable only from its arrival to
 *   the end of its horizon, and the next one can arrive one latency after that at the earliest: a policy slower
 *   than half a chunk runs the queue dry and the watchdog stops the arm.
 */
export type LatencyCompensation = 'keep_fed' | 'strict';

export const LATENCY_COMPENSATIONS: readonly LatencyCompensation[] = ['keep_fed', 'strict'];

/** The latency compensation called `name`; `where` (an option or parameter) is named when there is none. */
export function latencyCompensationNamed(name: string, where: string): LatencyCompensation {
  const found = LATENCY_COMPENSATIONS.find((c) => c === name);
  if (found === undefined)
    throw new VlaError('ARGUMENT_INVALID', `unknown latency compensation "${name}"`, {
      path: where,
      hint: `use one of ${LATENCY_COMPENSATIONS.join(', ')}`,
    });
  return found;
}

/**
 * The delay, seconds, by which `chunk` must run later than its observation's time so that its horizon
 * reaches `coverUntilS`: 0 when it already does, never more than the time from its observation to its
 * arrival (a chunk never starts later than it arrived).
 */
export function delayToCoverS(chunk: TargetChunk, arrivalS: number, coverUntilS: number): number {
  const shortS = coverUntilS - chunkEndS(chunk);
  if (!(shortS > 0)) return 0;
  return Math.min(shortS, Math.max(0, arrivalS - chunk.startS));
}

/** `chunk` running `delayS` later (the same object when the delay is 0). */
export function delayChunk(chunk: TargetChunk, delayS: number): TargetChunk {
  return delayS > 0 ? { ...chunk, startS: chunk.startS + delayS } : chunk;
}
