import { PassThrough, Readable } from 'node:stream';
import type { CliContext } from './CliContext';
import { RunProgress } from './RunProgress';

function context(interactive: boolean): { ctx: CliContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (b: Buffer) => o.push(b));
  stderr.on('data', (b: Buffer) => e.push(b));
  return {
    ctx: { stdout, stderr, stdin: Readable.from(['']), cwd: '/', interactive },
    out: () => Buffer.concat(o).toString(),
    err: () => Buffer.concat(e).toString(),
  };
}

describe('RunProgress', () => {
  it('prints periodic one-line progress on stderr when not on a terminal, never on stdout', () => {
    const { ctx, out, err } = context(false);
    const p = new RunProgress(ctx, { label: 'sim', barFormat: '{bar}', line: (v, t) => `episode ${v} of ${t}`, lineIntervalS: 0 });
    p.start(3);
    p.update(1);
    p.update(2);
    p.stop();
    expect(err()).toBe('sim: episode 1 of 3\nsim: episode 2 of 3\n');
    expect(out()).toBe('');
  });

  it('prints a repeated error once, then its count at the end', () => {
    const { ctx, err } = context(false);
    const p = new RunProgress(ctx, { label: 'eval', barFormat: '{bar}', line: () => '', lineIntervalS: 1e9 });
    for (let i = 0; i < 58; i++) p.error('inference failed', new Error('Gather idx=29901 out of range'));
    p.error('inference failed', new Error('another'));
    p.stop();
    const lines = err().trim().split('\n');
    expect(lines.filter((l) => l.includes('idx=29901'))).toEqual([
      'eval: inference failed: Gather idx=29901 out of range (repeats are counted, not printed)',
      'eval: 58 x inference failed: Gather idx=29901 out of range',
    ]);
    expect(lines).toContain('eval: 1 x inference failed: another');
  });
});
