import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The rclnodejs contract suites (test/ros/contract/suites.ts) in plain Node, from `npm test`: rclnodejs cannot be
 * loaded inside jest ("Must use import to load ES Module"), so Node's own test runner runs them in a child
 * process and each of its tests is reported here. Where ROS 2 is sourced (ROS_DISTRO set) the real rclnodejs
 * must load: if it does not, every test fails with the reason. Only where ROS 2 is absent are they skipped.
 */

const ROOT = join(__dirname, '../..');

interface Outcome {
  name: string;
  suite: boolean;
  ok: boolean;
  reason?: string;
}

function runInNode(file: string): { outcomes: Outcome[]; output: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=./test/ros/contract/jsonReporter.mjs', file], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const outcomes = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Outcome);
  return { outcomes, output: `${run.stdout}\n${run.stderr}`.trim() };
}

function report(label: string, file: string): void {
  const { outcomes, output } = runInNode(file);
  describe(label, () => {
    if (outcomes.length === 0) {
      it('run', () => {
        throw new Error(`Node's test runner reported nothing for ${file}:\n${output}`);
      });
      return;
    }
    // A failed suite (its setup: rclnodejs did not load) says why its cancelled tests failed.
    const cause = outcomes.find((o) => o.suite && !o.ok)?.reason;
    it.each(outcomes.filter((o) => !o.suite).map((o) => [o.name, o] as const))('%s', (_name, o) => {
      if (!o.ok) throw new Error(cause === undefined ? (o.reason ?? 'failed') : `${cause} (${o.reason ?? 'failed'})`);
    });
  });
}

report('rclnodejs contract suites in plain Node: the fake rclnodejs', 'test/ros/contract/fake.ts');

const distro = process.env.ROS_DISTRO;
if (distro === undefined || distro === '') {
  it.skip('rclnodejs contract suites on the real rclnodejs: ROS 2 is not sourced (ROS_DISTRO is not set)', () => undefined);
} else {
  report(`rclnodejs contract suites in plain Node: the real rclnodejs (ROS 2 ${distro})`, 'test/ros/contract/real.ts');
}
