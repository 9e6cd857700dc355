import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';
import type { CliResult } from '../support/runCli';

/** Files the hostile-input table throws at the command line, made once in a scratch folder. */

export const ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const PANDA_URDF = join(ROOT, 'urdf', 'franka_panda.urdf');

export const scratch = mkdtempSync(join(tmpdir(), 'vla-hostile-'));
let counter = 0;

/** A file in its own scratch folder (so that each embodiment or policy has a folder of its own). */
export function file(name: string, content: string | Buffer): string {
  const dir = join(scratch, String(counter++));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A folder holding a shipped embodiment's URDF and its YAML after `edit`; returns the YAML's path. */
export function shippedYaml(name: string, edit: (yaml: string) => string = (y) => y): string {
  const dir = join(scratch, String(counter++));
  mkdirSync(dir, { recursive: true });
  const yaml = readFileSync(join(ROOT, 'config', `${name}.yaml`), 'utf8');
  const urdf = /^urdf: (.*)$/m.exec(yaml)![1]!.trim();
  copyFileSync(join(ROOT, 'config', urdf), join(dir, basename(urdf)));
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, edit(yaml.replace(/^urdf: .*$/m, `urdf: ${basename(urdf)}`)));
  return path;
}

/** The shipped Panda embodiment after `edit`, in a folder of its own. */
export const pandaYaml = (edit: (yaml: string) => string = (y) => y): string => shippedYaml('franka_panda', edit);

/** A copy of a test policy (test/fixtures/policies/NAME) with its manifest and files edited. */
export function policy(
  name: string,
  edit: (manifest: string) => string = (m) => m,
  files: (dir: string) => void = () => undefined,
): string {
  const dir = join(scratch, String(counter++), name);
  cpSync(join(FIXTURES, 'policies', name), dir, { recursive: true });
  const manifest = join(dir, 'manifest.yaml');
  writeFileSync(manifest, edit(readFileSync(manifest, 'utf8')));
  files(dir);
  return dir;
}

export function png(width: number, height: number): Buffer {
  const image = new PNG({ width, height });
  image.data.fill(128);
  return PNG.sync.write(image);
}

/** A 69-byte PNG whose header claims width x height pixels (OpenCV aborts the process on such a file). */
export function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const idat = Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A baseline JPEG header (SOI, SOF0 claiming width x height, SOS, EOI) with no real image data. */
export function jpegClaiming(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0, 0, 0, 0, 0x01, 0x01, 0x11, 0x00]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, sos, Buffer.from([0x00, 0xff, 0xd9])]);
}

const arm = (joints: string, links: string) => `<?xml version="1.0"?>\n<robot name="hostile">${links}${joints}</robot>`;
export const rev = (name: string, parent: string, child: string, limit = '<limit lower="-1" upper="1" velocity="1" effort="1"/>') =>
  `<joint name="${name}" type="revolute"><parent link="${parent}"/><child link="${child}"/><axis xyz="0 0 1"/>${limit}</joint>`;
/** A two-joint arm base -> a -> b with the given limits on j1. */
export const twoJointArm = (limit?: string) =>
  arm(rev('j1', 'base', 'a', limit) + rev('j2', 'a', 'b'), '<link name="base"/><link name="a"/><link name="b"/>');

/** A serial chain of n revolute joints, one element per line. */
export function longChain(n: number): string {
  const parts = ['<?xml version="1.0"?>', '<robot name="long">', '<link name="l0"/>'];
  for (let i = 1; i <= n; i++) {
    parts.push(
      `<link name="l${i}"/>`,
      `<joint name="j${i}" type="revolute"><parent link="l${i - 1}"/><child link="l${i}"/><axis ` +
        `xyz="0 0 1"/><limit lower="-1" upper="1" velocity="1" effort="1"/></joint>`,
    );
  }
  parts.push('</robot>');
  return parts.join('\n');
}

/** Runs the built command line (`node bin/vla-bridge.js`) as a real process: signals and argv limits are real. */
export function runProcess(
  args: readonly string[],
  timeoutS: number,
  stdin = '',
): Promise<CliResult & { signal: NodeJS.Signals | null; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'vla-bridge.js'), ...args], { cwd: scratch, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.end(stdin);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
