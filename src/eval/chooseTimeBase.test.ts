import { isVlaError } from '../errors';
import { chooseTimeBase, type StampSample } from './chooseTimeBase';

/** `n` messages at 10 Hz from `logS`, stamped `lagS` before their log time (or 0). */
function topic(name: string, lagS: number | 'zero', n = 50, logS = 1_700_000_000, timeoutS = 0.5): StampSample {
  return {
    topic: name,
    timeoutS,
    stamps: Array.from({ length: n }, (_, i) => ({ logTimeS: logS + i / 10, stampS: lagS === 'zero' ? 0 : logS + i / 10 - lagS })),
  };
}

describe('chooseTimeBase', () => {
  it('header where stamps agree with log times on every topic', () => {
    const choice = chooseTimeBase('auto', [topic('/j', 0.002), topic('/cam', 0.04)], 'b.mcap');
    expect(choice.used).toBe('header');
    expect(choice.topics.map((t) => [t.verdict, t.medianLagS])).toEqual([
      ['ok', expect.closeTo(0.002, 6)],
      ['ok', expect.closeTo(0.04, 6)],
    ]);
  });

  it('log where a topic is consistently on another clock, zero, or ahead, and says which', () => {
    expect(chooseTimeBase('auto', [topic('/j', 1_699_999_990), topic('/cam', 0.01)], 'b').reason).toBe(
      '/j: header stamps are 1699999990 s behind the log times (another clock: sim time logged on a wall clock?): every input is judged by its log time',
    );
    expect(chooseTimeBase('auto', [topic('/j', 0.01), topic('/cam', 'zero')], 'b')).toMatchObject({
      used: 'log',
      reason: '/cam: header stamps are zero: every input is judged by its log time',
    });
    expect(chooseTimeBase('auto', [topic('/j', -3), topic('/cam', 0)], 'b')).toMatchObject({
      used: 'log',
      reason: '/j: header stamps are 3 s ahead of the log times: every input is judged by its log time',
    });
  });

  it('one odd message in ten does not change a topic (a delayed frame, a first stamp of 0 s)', () => {
    const sample = topic('/cam', 0.01, 20);
    const stamps = sample.stamps.map((s, i) => (i === 0 ? { ...s, stampS: 0 } : i === 7 ? { ...s, stampS: s.stampS - 3 } : s));
    expect(chooseTimeBase('auto', [{ ...sample, stamps }], 'b').topics[0]).toMatchObject({ verdict: 'ok', zeroStamps: 1, messages: 20 });
  });

  it('refuses where it cannot tell late data from clocks seconds apart, or where a topic is inconsistent', () => {
    const late = (() => {
      try {
        return chooseTimeBase('auto', [topic('/j', 0.01), topic('/cam', 2.5)], 'bag.db3');
      } catch (err) {
        return err;
      }
    })();
    expect(isVlaError(late) && [late.code, late.kind, late.file, late.path]).toEqual(['BAG_TOPIC_MISMATCH', 'input', 'bag.db3', '/cam']);
    expect(isVlaError(late) && late.message).toBe(
      "the time base of the bag is ambiguous: /cam: header stamps lag the log times by 2.5 s (median of 50 messages), more than the topic's timeout",
    );
    expect(isVlaError(late) && late.hint).toMatch(/--time-base header .* or --time-base log/);
    const half = topic('/cam', 0.01, 20);
    const mixed = { ...half, stamps: half.stamps.map((s, i) => (i % 2 === 0 ? { ...s, stampS: 0 } : s)) };
    expect(() => chooseTimeBase('auto', [mixed], 'b')).toThrow(
      '/cam: header stamps disagree with the log times inconsistently (10 of 20 zero, median lag 0.01 s)',
    );
  });

  it('an explicit option is used as given, with the topics still described', () => {
    const choice = chooseTimeBase('header', [topic('/cam', 2.5)], 'b');
    expect(choice).toMatchObject({ option: 'header', used: 'header', reason: '--time-base header' });
    expect(choice.topics[0]!.verdict).toBe('late');
  });
});
