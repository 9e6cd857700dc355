import { RepeatedWarning } from './RepeatedWarning';

function setup(intervalS = 5) {
  const lines: string[] = [];
  let t = 0;
  const warning = new RepeatedWarning(
    (l) => lines.push(l),
    intervalS,
    () => t,
  );
  return { lines, warning, advance: (s: number) => (t += s) };
}

describe('RepeatedWarning', () => {
  it('logs the first occurrence at once and counts repeats instead of logging each', () => {
    const { lines, warning, advance } = setup();
    for (let i = 0; i < 30; i++) {
      warning.warn('inference failed: no connection to policy server ws://gpu:8000');
      advance(0.1);
    }
    expect(lines).toEqual(['inference failed: no connection to policy server ws://gpu:8000']);
  });

  it('logs the count at most once per interval while the warning lasts', () => {
    const { lines, warning, advance } = setup(5);
    for (let i = 0; i < 100; i++) {
      warning.warn('inference failed: timeout');
      advance(0.125);
    }
    // The first line at t = 0, then at 5 s and at 10 s the count of each window's 40 repeats.
    expect(lines).toEqual([
      'inference failed: timeout',
      'inference failed: timeout (40 more times in the last 5.0 s)',
      'inference failed: timeout (40 more times in the last 5.0 s)',
    ]);
  });

  it('logs the pending count when the message changes, then the new message', () => {
    const { lines, warning, advance } = setup();
    warning.warn('a');
    advance(0.1);
    warning.warn('a');
    advance(0.1);
    warning.warn('a');
    advance(0.1);
    warning.warn('b');
    expect(lines).toEqual(['a', 'a (2 more times in the last 0.3 s)', 'b']);
  });

  it('flush logs what is left uncounted, once, and a later warning starts afresh', () => {
    const { lines, warning, advance } = setup();
    warning.warn('a');
    advance(1);
    warning.warn('a');
    warning.flush();
    warning.flush();
    warning.warn('a');
    expect(lines).toEqual(['a', 'a (once more in the last 1.0 s)', 'a']);
  });
});
