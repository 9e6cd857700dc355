import type { BagReader } from '../bag/BagReader';
import { VlaError } from '../errors';
import type { HeaderMsg } from '../msgs/rosMessages';
import { judgeStamp, type ObservationTimeBase, type StampVerdict } from '../observation/stampTime';
import { nsToSeconds, timeToSeconds } from '../time/rosTime';

/**
 * Which time a replay judges its inputs by. A bag has two clocks: the log time (when the recorder received a
 * message; replay runs on it) and each message's header stamp. They agree when the recorder and the sensors
 * share a clock; they do not when a simulator's sensors stamp sim time (from 0 s) and the recorder, started
 * without --use-sim-time, logs wall time, or when a driver leaves stamps at zero.
 *
 * - `header`: inputs are judged by their header stamps, as the live node does (a stamp that is zero or that
 *   cannot be on the bag's clock is judged by its log time, with a warning);
 * - `log`: inputs are judged by their log time, stamps ignored;
 * - `auto`: `header` where stamps agree with log times on every sensor topic, `log` where some topic's stamps
 *   are consistently zero or on another clock (unambiguous), and a refusal naming both options where stamps
 *   lag log times by more than a timeout but not so far that they must come from another clock (late data,
 *   or clocks seconds apart: the bag cannot tell which).
 */
export type TimeBaseOption = 'auto' | 'header' | 'log';

export const TIME_BASE_OPTIONS: readonly TimeBaseOption[] = ['auto', 'header', 'log'];

/** A sensor topic's first messages: their header stamps and log times. */
export interface StampSample {
  topic: string;
  /** The topic's staleness timeout, s (a lag within it is agreement). */
  timeoutS: number;
  /** Per message: header stamp and log time, s. */
  stamps: readonly { stampS: number; logTimeS: number }[];
}

/** Sensor messages per topic whose stamps are compared with their log times to choose the time base. */
export const STAMP_SAMPLE_SIZE = 50;

/** The first `count` messages of each topic that have a header: their stamps against their log times. */
export async function sampleStamps(
  reader: Pick<BagReader, 'messages'>,
  topics: readonly { topic: string; timeoutS: number }[],
  count = STAMP_SAMPLE_SIZE,
): Promise<StampSample[]> {
  const samples: StampSample[] = [];
  for (const { topic, timeoutS } of topics) {
    const stamps: { stampS: number; logTimeS: number }[] = [];
    for await (const m of reader.messages({ topics: [topic] })) {
      const stamp = (m.message as { header?: HeaderMsg }).header?.stamp;
      if (stamp !== undefined) stamps.push({ stampS: timeToSeconds(stamp), logTimeS: nsToSeconds(m.logTimeNs) });
      if (stamps.length >= count) break;
    }
    samples.push({ topic, timeoutS, stamps });
  }
  return samples;
}

/** How a topic's header stamps relate to its log times. */
export interface TopicStamps {
  topic: string;
  messages: number;
  zeroStamps: number;
  /** Median of log time - header stamp over the non-zero stamps, s (null when every stamp is zero). */
  medianLagS: number | null;
  /** The verdict of at least 90% of its messages (stampTime.ts), or `mixed`. */
  verdict: StampVerdict | 'mixed';
}

export interface TimeBaseChoice {
  option: TimeBaseOption;
  used: 'header' | 'log';
  /** Why, in one sentence. */
  reason: string;
  topics: TopicStamps[];
}

/** The assembler's time base for a replay on `used`. */
export function observationTimeBase(used: TimeBaseChoice['used']): ObservationTimeBase {
  return used === 'log' ? 'receive' : 'header';
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function s(v: number): string {
  const abs = Math.abs(v);
  return `${abs >= 1000 ? Math.round(abs) : Number(abs.toPrecision(3))} s`;
}

export function summarizeStamps(sample: StampSample): TopicStamps {
  const counts = new Map<StampVerdict, number>();
  const lags: number[] = [];
  for (const { stampS, logTimeS } of sample.stamps) {
    const verdict = judgeStamp(stampS, logTimeS, sample.timeoutS);
    counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
    if (verdict !== 'zero') lags.push(logTimeS - stampS);
  }
  const n = sample.stamps.length;
  let verdict: TopicStamps['verdict'] = n === 0 ? 'ok' : 'mixed';
  for (const [v, count] of counts) if (count >= 0.9 * n) verdict = v;
  return { topic: sample.topic, messages: n, zeroStamps: counts.get('zero') ?? 0, medianLagS: median(lags), verdict };
}

/** What a topic's stamps are, in words, for the reason and the refusal. */
export function describeTopicStamps(t: TopicStamps): string {
  const lag = t.medianLagS ?? 0;
  switch (t.verdict) {
    case 'ok':
      return `${t.topic}: stamps agree with log times (median lag ${s(lag)})`;
    case 'zero':
      return `${t.topic}: header stamps are zero`;
    case 'behind':
      return `${t.topic}: header stamps are ${s(lag)} behind the log times (another clock: sim time logged on a wall clock?)`;
    case 'ahead':
      return `${t.topic}: header stamps are ${s(lag)} ahead of the log times`;
    case 'late':
      return `${t.topic}: header stamps lag the log times by ${s(lag)} (median of ${t.messages} messages), more than the topic's timeout`;
    case 'mixed':
      return `${t.topic}: header stamps disagree with the log times inconsistently (${t.zeroStamps} of ${t.messages} zero, median lag ${s(lag)})`;
  }
}

/**
 * Chooses the time base of a replay from the first messages of each sensor topic. Throws BAG_TOPIC_MISMATCH
 * (exit 2) naming the topic, its lag and both options when `auto` cannot tell.
 */
export function chooseTimeBase(option: TimeBaseOption, samples: readonly StampSample[], bag: string): TimeBaseChoice {
  const topics = samples.map(summarizeStamps);
  if (option !== 'auto') return { option, used: option, reason: `--time-base ${option}`, topics };
  const disagreeing = topics.filter((t) => t.verdict !== 'ok');
  if (disagreeing.length === 0)
    return { option, used: 'header', reason: 'header stamps agree with log times on every sensor topic', topics };
  const unclear = disagreeing.find((t) => t.verdict === 'late' || t.verdict === 'mixed');
  if (unclear !== undefined) {
    throw new VlaError('BAG_TOPIC_MISMATCH', `the time base of the bag is ambiguous: ${describeTopicStamps(unclear)}`, {
      file: bag,
      path: unclear.topic,
      hint:
        'say which time to judge inputs by: --time-base header (by their stamps, as the live node would: late data is stale)' +
        ' or --time-base log (by when they were recorded)',
    });
  }
  return {
    option,
    used: 'log',
    reason: `${disagreeing.map(describeTopicStamps).join('; ')}: every input is judged by its log time`,
    topics,
  };
}
