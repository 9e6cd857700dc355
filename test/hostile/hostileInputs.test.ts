import { runCli } from '../support/runCli';
import { CASES, type HostileCase } from './hostileCases';
import { runProcess } from './hostileFixtures';

/**
 * The hostile-input table (issue 15): every case ends in time with its exit code and a message naming the
 * file, field or option; never a signal, a hang, a stack trace, an internal error or a silent success.
 */

const STACK_FRAME = /\n\s+at .*(\(.*:\d+:\d+\)|:\d+:\d+)/;

async function run(c: HostileCase) {
  const timeoutS = c.timeoutS ?? 30;
  if (c.process === true) return runProcess(c.args(), timeoutS, c.stdin);
  const result = await runCli(c.args(), { stdin: c.stdin });
  return { ...result, signal: null, timedOut: false };
}

describe('hostile inputs: exit code, a named message, no crash, no hang, no silent pass', () => {
  it.concurrent.each(CASES.map((c) => [`${c.cls}: ${c.what}`, c] as const))('%s', async (_name, c) => {
    const r = await run(c);
    expect({ signal: r.signal, timedOut: r.timedOut }).toEqual({ signal: null, timedOut: false });
    if (r.code !== c.exit)
      throw new Error(`exit ${r.code}, expected ${c.exit}\nstderr: ${r.stderr.slice(0, 2000)}\nstdout: ${r.stdout.slice(0, 500)}`);
    for (const re of c.stderr ?? []) expect(r.stderr).toMatch(re);
    for (const re of c.stdout ?? []) expect(r.stdout).toMatch(re);
    for (const re of c.never ?? []) expect(`${r.stdout}\n${r.stderr}`).not.toMatch(re);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr).not.toMatch(/internal error/);
    if (c.exit === 2) {
      expect(r.stderr).toMatch(/^vla-bridge: error: /m);
      expect(r.stdout).toBe('');
    }
  });

  it('covers every class of the issue, with counts per outcome', () => {
    const classes = new Set(CASES.map((c) => c.cls));
    for (const cls of ['crash', 'hang', 'named', 'message', 'security', 'limits']) expect(classes).toContain(cls);
    const outcomes = { 0: 0, 1: 0, 2: 0 };
    for (const c of CASES) outcomes[c.exit]++;
    expect(outcomes[2]).toBeGreaterThan(outcomes[0] + outcomes[1]);
  });
});
