import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** Headless Chromium on this machine, if any. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

export interface Screenshot {
  width: number;
  /** Pixels within `tolerance` (sum of channel differences) of the colour. */
  count(r: number, g: number, b: number, tolerance?: number): number;
}

/** Opens an HTML file in headless Chromium and reads the screenshot's pixels. */
export function screenshot(page: string, size: { width: number; height: number }): Screenshot {
  const dir = mkdtempSync(join(tmpdir(), 'vla-bridge-shot-'));
  try {
    const shot = join(dir, 'shot.png');
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--window-size=${size.width},${size.height}`,
      `--screenshot=${shot}`,
      `file://${page}`,
    ];
    execFileSync(CHROMIUM!, args, { stdio: 'ignore', timeout: 60_000 });
    const png = PNG.sync.read(readFileSync(shot));
    return {
      width: png.width,
      count: (r, g, b, tolerance = 40) => {
        let n = 0;
        for (let i = 0; i < png.data.length; i += 4) {
          if (Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b) < tolerance) n++;
        }
        return n;
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
