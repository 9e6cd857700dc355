import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as OpenCvModule from '@u4/opencv4nodejs';

export type OpenCv = typeof OpenCvModule;
export type Mat = OpenCvModule.Mat;

let loaded: OpenCv | undefined;

/**
 * @u4/opencv4nodejs, loaded once on first use with its build logger silenced (it prints "Info" lines on stdout,
 * which would corrupt `--json` output).
 *
 * Load it on the main thread only. Its native binding keeps per-isolate handles in static storage: loading it in
 * a second JS thread of the same process (a worker after the main thread, or two workers) crashes the process.
 * That is why image preprocessing runs here and only the onnxruntime sessions live in the policy worker.
 */
export function opencv(): OpenCv {
  if (loaded !== undefined) return loaded;
  process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD = '1';
  const entry = require.resolve('@u4/opencv4nodejs');
  try {
    // The logger belongs to @u4/opencv-build, a dependency of the binding: resolve it from there.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(require.resolve('@u4/opencv-build', { paths: [entry] })) as { Log: { silence: boolean } }).Log.silence = true;
  } catch {
    // Without the build package the binding prints nothing either.
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('@u4/opencv4nodejs') as OpenCv;
  } catch (err) {
    loaded = loadBinary(entry, err);
  }
  return loaded;
}

/**
 * The binding's compiled module itself, for module systems that cannot resolve the extension-less path the
 * package's loader requires (jest without "node" in moduleFileExtensions). Its exports are the same native
 * functions and constants the package re-exports.
 */
function loadBinary(entry: string, cause: unknown): OpenCv {
  const packageDir = join(dirname(entry), '..', '..');
  const binary = ['Release', 'Debug'].map((b) => join(packageDir, 'build', b, 'opencv4nodejs.node')).find((f) => existsSync(f));
  if (binary === undefined) throw cause;
  const module = { exports: {} as OpenCv };
  process.dlopen(module, binary);
  return module.exports;
}
