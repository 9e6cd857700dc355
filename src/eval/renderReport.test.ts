import type { CommandStream } from './CommandStream';
import { evaluateCommands } from './evaluateCommands';
import { renderReport } from './renderReport';

const JOINTS = ['panda_joint1', 'panda_joint2'];

function streams(): { predicted: CommandStream; recorded: CommandStream } {
  const recorded: CommandStream = {
    names: JOINTS,
    samples: Array.from({ length: 300 }, (_, i) => i)
      .filter((i) => i < 120 || i >= 180)
      .map((i) => ({ tNs: BigInt(i) * 10_000_000n, values: Float64Array.from([Math.sin(i / 30), Math.cos(i / 40)]) })),
  };
  const predicted: CommandStream = {
    names: JOINTS,
    samples: Array.from({ length: 150 }, (_, k) => ({
      tNs: BigInt(k) * 20_000_000n,
      values: Float64Array.from([Math.sin((2 * k) / 30) + 0.1, Math.cos((2 * k) / 40) - 0.05]),
    })),
  };
  return { predicted, recorded };
}

function report(): string {
  const { predicted, recorded } = streams();
  const topic = '/panda_arm_controller/joint_trajectory';
  const result = evaluateCommands({
    bag: 'run<1>.mcap',
    policy: 'openvla-tiny',
    embodiment: 'franka_panda',
    channels: [{ topic, predicted, recorded }],
  });
  return renderReport(result, [{ topic, predicted, recorded }], { notes: ['wall-clock figures are in timing.json'] });
}

describe('renderReport', () => {
  it('is one self-contained page: no scripts, no external assets, one plot per dimension', () => {
    const html = report();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<text x="64" y="18" font-size="13" font-weight="bold" fill="#222">panda_joint1</text>');
    expect(html).toContain('run&lt;1&gt;.mcap');
    expect(html.match(/class="gap"/g)).toHaveLength(2);
  });

  it('is identical for identical inputs', () => {
    expect(report()).toBe(report());
  });

  it('draws the recorded line with a break at the gap, not across it', () => {
    const html = report();
    const recordedPath = /<path d="([^"]+)" fill="none" stroke="#d62728"/.exec(html)![1]!;
    expect(recordedPath.match(/M/g)).toHaveLength(2);
  });
});
