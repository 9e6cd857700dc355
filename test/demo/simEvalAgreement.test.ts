/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reachDemoPolicyDir } from '../../src/demos/reachDemoPolicy';
import { runCli } from '../support/runCli';

interface SimJson {
  episodes: number;
  success_rate: number;
  safety_interventions: number;
  safety_interventions_by_limit: Record<string, number>;
  ticks: number;
  commands_sent: number;
  inferences: number;
}

interface EvalMetrics {
  success: boolean;
  safety_interventions: { total: number; by_limit: Record<string, number>; outside_recorded_commands: number };
  commands: { topic: string; predicted: number; recorded: number; compared: number }[];
  replay: { episodes: number; ticks: number; chunks: number };
}

/**
 * `vla-bridge sim --record` and `vla-bridge eval` of that recording with the same policy run the same pipeline on
 * the same observations and tick times: they must report the same run. Seed 2000 with the shipped demo policy
 * has acceleration interventions on the last ticks of episode 0, right before the pause that follows an
 * episode, where a replay that ticked on (or counted one tick too many) would disagree.
 */
describe('sim and eval of the same run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-eval-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('report the same safety interventions (total and per limit), ticks, chunks and commands', async () => {
    const bag = join(dir, 'run');
    const sim = await runCli(['sim', '--episodes', '3', '--seed', '2000', '--record', bag, '--json']);
    expect(sim.code).toBe(0);
    const s = JSON.parse(sim.stdout) as SimJson;
    expect(s.success_rate).toBe(1);
    // The run has interventions to agree on, and one limit only would not show a per-limit mix-up: it has the
    // interventions a tick before episode 0's end that made the two disagree (14 against 15).
    expect(s.safety_interventions).toBeGreaterThan(5);

    const out = join(dir, 'eval');
    const ev = await runCli([
      'eval',
      '--bag',
      bag,
      '--embodiment',
      'franka_panda',
      '--policy',
      reachDemoPolicyDir(),
      '--out',
      out,
      '--json',
    ]);
    expect(ev.code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as EvalMetrics;
    expect(m.success).toBe(true);
    expect(m.replay.episodes).toBe(s.episodes);
    expect(m.safety_interventions.total).toBe(s.safety_interventions);
    expect(m.safety_interventions.by_limit).toEqual(s.safety_interventions_by_limit);
    // The replay ran the ticks the simulator ran, and nothing besides: no intervention outside them.
    expect(m.safety_interventions.outside_recorded_commands).toBe(0);
    expect(m.replay.ticks).toBe(s.ticks);
    expect(m.replay.chunks).toBe(s.inferences);
    expect(m.commands.reduce((n, c) => n + c.predicted, 0)).toBe(s.commands_sent);
    for (const c of m.commands) expect([c.topic, c.predicted, c.compared]).toEqual([c.topic, c.recorded, c.recorded]);
  });
});
