import type { TimeBaseChoice } from './chooseTimeBase';
import type { EpisodeStats } from '../control/EpisodeStats';

/** Whether a replay evaluated the policy at all, and if not, why. */
export interface ReplayVerdict {
  success: boolean;
  /** Why it is not a success, one sentence each (empty on success). */
  reasons: string[];
}

/** More than this share of ticks holding for stale input is a replay in which the policy did not drive the arm. */
export const MAX_STALE_HOLDING_SHARE = 0.5;

/**
 * A replay in which the policy produced no chunk, or in which most ticks held the arm because an input was
 * stale, did not evaluate the policy: its errors compare recorded commands with a held arm. Such a run is not
 * a success, whatever its figures.
 */
export function judgeReplay(stats: EpisodeStats, timeBase: TimeBaseChoice): ReplayVerdict {
  const reasons: string[] = [];
  const stale = stats.staleHoldingTicks > MAX_STALE_HOLDING_SHARE * stats.ticks;
  if (stats.inferences.completed === 0) {
    const why =
      stats.inferences.requested === 0
        ? 'no complete, fresh observation was ever assembled, so no inference was asked for'
        : `${stats.inferences.requested} inferences were asked for and ${stats.inferences.failed} failed`;
    reasons.push(`the policy produced no action chunk (${why})`);
  }
  if (stale) {
    const hint =
      timeBase.used === 'header' ? '; if the header stamps are on another clock than the log times, replay with --time-base log' : '';
    reasons.push(
      `${stats.staleHoldingTicks} of ${stats.ticks} ticks held the arm because an input was stale (time base: ${timeBase.used})${hint}`,
    );
  }
  if (stats.ticks === 0) reasons.push('the replay ran no control tick (no sensor messages after the first instruction?)');
  return { success: reasons.length === 0, reasons };
}
