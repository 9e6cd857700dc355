import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The folder holding the package's package.json (config/, urdf/, msg/ live there), found by walking up from
 * this file, so it works from src/ (tests), dist/ (npm) and an installed colcon share/ folder alike.
 * VLA_BRIDGE_ROOT overrides it.
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  const override = process.env.VLA_BRIDGE_ROOT;
  if (override !== undefined && override !== '') return (cached = override);
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'vla_bridge') return (cached = dir);
      } catch {
        // Not our package.json: keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return (cached = join(__dirname, '..', '..'));
    dir = parent;
  }
}
