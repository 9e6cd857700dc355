/**
 * @jest-environment ./test/policy/onnxEnvironment.js
 */
import { reachDemoPolicyDir } from '../../src/demos/reachDemoPolicy';
import { runCli } from '../support/runCli';

describe('vla-bridge sim --instruction-override', () => {
  it("gives the policy an instruction naming another cube; success is still judged on the episode's cube", async () => {
    const args = ['sim', '--policy', reachDemoPolicyDir(), '--episodes', '1', '--seed', '1000', '--json'];
    const right = await runCli(args);
    expect(right.code).toBe(0);
    expect(JSON.parse(right.stdout)).toMatchObject({ success_rate: 1 });
    const wrong = await runCli([...args, '--instruction-override', 'wrong']);
    expect(wrong.code).toBe(0);
    const summary = JSON.parse(wrong.stdout) as {
      success_rate: number;
      instruction_override: string;
      episode_results: { final_distance_m: number; instruction: string }[];
    };
    expect(summary).toMatchObject({ success_rate: 0, instruction_override: 'wrong' });
    // The episode (and its instruction in the report) is the same; the tool went to another cube.
    expect(summary.episode_results[0]!.instruction).toBe((JSON.parse(right.stdout) as typeof summary).episode_results[0]!.instruction);
    expect(summary.episode_results[0]!.final_distance_m).toBeGreaterThan(0.1);
  });

  it('prints the override in the readable summary, and is refused for the scripted expert', async () => {
    const text = await runCli([
      'sim',
      '--policy',
      reachDemoPolicyDir(),
      '--episodes',
      '1',
      '--seed',
      '1000',
      '--instruction-override',
      'reach the red cube',
      '--time-limit',
      '1',
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/instruction\s+overridden: "reach the red cube"/);
    const scripted = await runCli(['sim', '--policy', 'scripted', '--episodes', '1', '--instruction-override', 'wrong']);
    expect(scripted.code).toBe(2);
    expect(scripted.stderr).toMatch(/--instruction-override/);
  });
});
