/**
 * Which time an observation is judged by: its header stamp, or the time it was received (the node's clock at
 * the callback live, the log time on replay, the simulated time in the simulator). Freshness (the watchdog)
 * and matching frames across cameras both use that one time.
 *
 * - `header`: the header stamp, except where it cannot be on the receiver's clock (see `judgeStamp`): a zero
 *   stamp (many camera drivers leave it unset), a stamp ahead of the receive time by more than the source's
 *   timeout, or one more than `IMPLAUSIBLE_LAG_S` behind it (another time base: simulated time against wall
 *   time). Those are judged by their receive time, and the receiver warns once per topic.
 * - `receive`: the receive time for every message (a bag whose header stamps are on another clock than its
 *   log times).
 */
export type ObservationTimeBase = 'header' | 'receive';

/**
 * A header stamp against the time its message was received:
 * - `ok`: at most the source's timeout behind (or ahead);
 * - `late`: further behind, up to IMPLAUSIBLE_LAG_S: late data is stale data, judged by its stamp;
 * - `zero`: no stamp at all (0 s, received when the clock is past its start);
 * - `ahead`: further ahead than the timeout (a frame stamped in the future would look fresh for too long);
 * - `behind`: more than IMPLAUSIBLE_LAG_S behind: no live sensor delivers that late; another clock stamped it.
 */
export type StampVerdict = 'ok' | 'late' | 'zero' | 'ahead' | 'behind';

/** A stamp further behind its receive time than this is on another clock, not late, s. */
export const IMPLAUSIBLE_LAG_S = 10;

export function judgeStamp(stampS: number, receivedS: number, timeoutS: number): StampVerdict {
  // 0 s is a true stamp only at the very start of a clock (a simulator's first messages).
  if (stampS === 0 && Math.abs(receivedS) > timeoutS) return 'zero';
  const lagS = receivedS - stampS;
  if (lagS < -timeoutS) return 'ahead';
  if (lagS > IMPLAUSIBLE_LAG_S) return 'behind';
  if (lagS > timeoutS) return 'late';
  return 'ok';
}

/** Whether a message whose stamp got this verdict is judged by its receive time under the `header` time base. */
export function judgedByReceiveTime(verdict: StampVerdict): boolean {
  return verdict === 'zero' || verdict === 'ahead' || verdict === 'behind';
}

function seconds(v: number): string {
  const abs = Math.abs(v);
  return `${abs >= 1000 ? Math.round(abs) : Number(abs.toPrecision(4))} s`;
}

/** One line about a topic's stamps, for the warning given once per topic. */
export function describeStamp(topic: string, verdict: Exclude<StampVerdict, 'ok'>, lagS: number): string {
  switch (verdict) {
    case 'zero':
      return `${topic}: header.stamp is zero; freshness is judged by the time each message is received (set the stamp in the driver to use it)`;
    case 'ahead':
      return (
        `${topic}: header.stamp is ${seconds(lagS)} ahead of the receiver's clock; freshness is judged by the receive time` +
        ' (are the clocks of publisher and receiver synchronized, and both on sim time or both on wall time?)'
      );
    case 'behind':
      return (
        `${topic}: header.stamp is ${seconds(lagS)} behind the receiver's clock, more than any sensor delay (${IMPLAUSIBLE_LAG_S} s):` +
        ' another clock stamped it; freshness is judged by the receive time (use_sim_time on one side only?)'
      );
    case 'late':
      return (
        `${topic}: messages arrive ${seconds(lagS)} after their header.stamp, later than the topic's timeout:` +
        ' they are stale when they arrive (a slow link, or clocks that disagree by seconds)'
      );
  }
}
