import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { removeTempDirs, tempDir } from '../support/bag/writeTestBags';

const ROOT = join(__dirname, '../..');
const TOOLS = join(ROOT, 'tools');
const SHIPPED = join(ROOT, 'policies/reach_demo/manifest.yaml');

afterAll(removeTempDirs);

interface Shipped {
  action: {
    space: { names: string[]; bounds: { lower: number[]; upper: number[] } };
    decoder: { vocab_size: number };
    chunk: { horizon: number; steps_to_execute: number; step_dt_s: number };
  };
}

/**
 * tools/train_demo_policy.py writes policies/reach_demo/manifest.yaml with manifest_text(): re-running the trainer
 * must give back the shipped file, `serve:` section (what `vla-bridge serve` of the demo reads) included. The
 * inputs are the shipped manifest's own values (vocab, bounds, chunk, joints) and its training note.
 */
it('the trainer writes the shipped reach_demo manifest, serve section included', () => {
  const text = readFileSync(SHIPPED, 'utf8');
  const m = parse(text) as Shipped;
  const lines = text.split('\n');
  const note = lines
    .slice(
      lines.findIndex((l) => l.startsWith('# Trained on')),
      lines.findIndex((l) => l.startsWith('# Made by')),
    )
    .map((l) => l.slice(2));
  expect(note.length).toBeGreaterThan(0);
  const out = join(tempDir('vla-bridge-manifest-'), 'manifest.yaml');
  const c = m.action.chunk;
  const { names, bounds } = m.action.space;
  const args = [
    m.action.decoder.vocab_size,
    [bounds.lower, bounds.upper],
    c.horizon,
    c.steps_to_execute,
    c.step_dt_s,
    names,
    note.join('\n'),
  ];
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(TOOLS)})`,
    'from vla_tools.files import write_text',
    'from vla_tools.reach_demo.manifest import manifest_text',
    `V, bounds, horizon, steps, step_dt, names, note = json.loads(${JSON.stringify(JSON.stringify(args))})`,
    `write_text(${JSON.stringify(out)}, manifest_text(V, bounds, horizon, steps, step_dt, names, note))`,
  ].join('\n');
  // Debian's python3 with python3-numpy (scripts/setup.sh), as the tools are run; no torch needed for this.
  const run = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const written = readFileSync(out, 'utf8');
  expect(written).toContain('\nserve:\n');
  expect(written).toBe(text);
});
