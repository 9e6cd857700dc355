import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pngFrame as pngToRawFrame } from '../../src/demos/checkPolicyGolden';
import type { ImageFrame, Observation } from '../../src/observation/Observation';

/** The test policies exported by tools/export_test_models.py. */
export const POLICIES_DIR = join(__dirname, '..', 'fixtures', 'policies');
export const POLICY_NAMES = ['tiny_openvla', 'tiny_oft', 'tiny_rt2', 'tiny_fast', 'tiny_act'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export const policyDir = (name: PolicyName) => join(POLICIES_DIR, name);

export interface GoldenCase {
  name: string;
  instruction: string;
  images: Record<string, { png: string; width: number; height: number; encoding: string }>;
  state: number[] | null;
  input_ids: number[];
  tokens?: number[];
  logits_ranges?: [number, number][];
  logits?: number[][];
  normalized: number[][];
  unnormalized: number[][];
  actions: number[][];
  raw_output?: number[];
}

export interface Golden {
  policy: string;
  cases: GoldenCase[];
}

export function readGolden(name: PolicyName): Golden {
  return JSON.parse(readFileSync(join(policyDir(name), 'golden.json'), 'utf8')) as Golden;
}

/** A PNG decoded with pngjs (not OpenCV) into an rgb8 sensor_msgs/Image frame. */
export { pngToRawFrame };

/** The observation of a golden case: raw rgb8 frames (pngjs) or the PNG files as CompressedImage frames. */
export function goldenObservation(name: PolicyName, c: GoldenCase, mode: 'raw' | 'compressed' = 'raw', stampS = 12.5): Observation {
  const images = new Map<string, ImageFrame>();
  for (const [cam, img] of Object.entries(c.images)) {
    const file = join(policyDir(name), img.png);
    images.set(
      cam,
      mode === 'raw' ? pngToRawFrame(file, stampS) : { kind: 'compressed', stampS, frameId: cam, format: 'png', data: readFileSync(file) },
    );
  }
  return { stampS, images, jointState: { stampS, position: Float64Array.from(c.state ?? []) }, instruction: c.instruction };
}

/** A scratch copy of a test policy, its manifest edited; removed by the returned cleanup. */
export function editedPolicy(
  name: PolicyName,
  edit: (manifest: string) => string,
  files: (dir: string) => void = () => undefined,
): { dir: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'vla-policy-'));
  const dir = join(root, name);
  cpSync(policyDir(name), dir, { recursive: true });
  const manifest = join(dir, 'manifest.yaml');
  const before = readFileSync(manifest, 'utf8');
  const after = edit(before);
  writeFileSync(manifest, after);
  files(dir);
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Replaces `from` in text, failing loudly when it is absent (so an edit can never silently do nothing). */
export function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit did not apply: ${String(from)}`);
  return next;
}
