import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layout rules of the README, checked on the source: time at the bottom, benchmarks in one folder, and no
 * test helper reachable from the published build (tsconfig.build.json compiles src/ minus *.test.ts).
 */

const ROOT = resolve(__dirname, '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The files a module imports relatively, as paths from the repository root (without extension). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import|require\()\s*'(\.{1,2}\/[^']*)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, resolve(dirname(file), s)));
}

const files = sourceFiles(SRC);
const built = files.filter((f) => !f.endsWith('.test.ts'));
const inFolder = (folder: string) => (f: string) => relative(SRC, f).startsWith(`${folder}/`);

describe('source layout', () => {
  it('has the source files to check', () => {
    expect(built.length).toBeGreaterThan(100);
  });

  it('keeps time at the bottom: src/time and src/transport import nothing from src/control', () => {
    const offenders = [...files.filter(inFolder('time')), ...files.filter(inFolder('transport'))].flatMap((f) =>
      relativeImports(f)
        .filter((target) => target.startsWith('src/control'))
        .map((target) => `${relative(ROOT, f)} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps every benchmark under src/bench', () => {
    const outside = files.filter((f) => /benchmark/i.test(f) && !inFolder('bench')(f)).map((f) => relative(ROOT, f));
    expect(outside).toEqual([]);
  });

  it('builds no test helper: no testing/ folder in src, and nothing built imports test/', () => {
    expect(files.filter((f) => relative(SRC, f).split('/').includes('testing')).map((f) => relative(ROOT, f))).toEqual([]);
    const offenders = built.flatMap((f) =>
      relativeImports(f)
        .filter((target) => target.startsWith('test/'))
        .map((target) => `${relative(ROOT, f)} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });
});
