import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { removeTempDirs, tempDir } from '../bag/testing/writeTestBags';
import type { CommandStream } from './CommandStream';
import { evaluateCommands } from './evaluateCommands';
import { renderReport } from './renderReport';

afterAll(removeTempDirs);

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
    samples: Array.from({ length: 150 }, (_, k) => ({ tNs: BigInt(k) * 20_000_000n, values: Float64Array.from([Math.sin((2 * k) / 30) + 0.1, Math.cos((2 * k) / 40) - 0.05]) })),
  };
  return { predicted, recorded };
}

function report(): string {
  const { predicted, recorded } = streams();
  const result = evaluateCommands({ bag: 'run<1>.mcap', policy: 'openvla-tiny', embodiment: 'franka_panda', predicted, recorded, inferenceS: [0.012] });
  return renderReport(result, predicted, recorded);
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

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const withChromium = CHROMIUM === undefined ? it.skip : it;

describe('report.html in headless Chromium', () => {
  withChromium('renders both lines and the shaded gap (screenshot pixels)', () => {
    const dir = tempDir();
    const page = join(dir, 'report.html');
    const shot = join(dir, 'report.png');
    writeFileSync(page, report());
    execFileSync(CHROMIUM!, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=800,1400', `--screenshot=${shot}`, `file://${page}`], { stdio: 'ignore', timeout: 60_000 });
    const png = PNG.sync.read(readFileSync(shot));
    const count = (r: number, g: number, b: number, tolerance = 40): number => {
      let n = 0;
      for (let i = 0; i < png.data.length; i += 4) {
        if (Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b) < tolerance) n++;
      }
      return n;
    };
    expect(png.width).toBe(800);
    expect(count(0x1f, 0x77, 0xb4)).toBeGreaterThan(200); // predicted (blue)
    expect(count(0xd6, 0x27, 0x28)).toBeGreaterThan(200); // recorded (red)
    expect(count(0xf8, 0xdd, 0xdb, 12)).toBeGreaterThan(1000); // gap shading (#f4c7c3 at 60% on white)
  });
});
