import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

/**
 * The layout rules of the README, checked on the source: time at the bottom, benchmarks in one folder that
 * only the CLI reaches, no test helper reachable from the published build (tsconfig.build.json compiles src/
 * minus *.test.ts), every runtime dependency used by the build, and no source file over 400 lines.
 */

const ROOT = resolve(__dirname, '..');
const SRC = join(ROOT, 'src');
/** One concept per file: a file past this many lines holds more than one and is split along its seam. */
const MAX_FILE_LINES = 400;

function sourceFiles(dir: string, extension = '.ts'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path, extension);
    return e.name.endsWith(extension) ? [path] : [];
  });
}

/** The files a module imports relatively, as paths from the repository root (without extension). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import|require\()\s*'(\.{1,2}\/[^']*)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, resolve(dirname(file), s)));
}

/** String and template literals of a module (comments and docs do not count), with their line numbers. */
function stringLiterals(file: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { text: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) {
      found.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
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

  it('lists every folder of src/ in the README layout', () => {
    const layout = readFileSync(join(ROOT, 'README.md'), 'utf8').split('## Layout')[1] ?? '';
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `src/${e.name}`);
    expect(folders.filter((f) => !new RegExp(`^${f} `, 'm').test(layout))).toEqual([]);
  });

  it('keeps src/msgs a leaf of message shapes: it imports nothing outside src/msgs and src/time', () => {
    const offenders = files.filter(inFolder('msgs')).flatMap((f) =>
      relativeImports(f)
        .filter((target) => !target.startsWith('src/msgs/') && !target.startsWith('src/time/'))
        .map((target) => `${relative(ROOT, f)} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('names the node topics only in src/outputs: no ~/... or /vla_bridge/... literal in the build elsewhere', () => {
    const nodeTopic = /^(~\/|\/vla_bridge(\/|$))/;
    const offenders = built
      .filter((f) => !inFolder('outputs')(f))
      .flatMap((f) =>
        stringLiterals(f)
          .filter((l) => nodeTopic.test(l.text))
          .map((l) => `${relative(ROOT, f)}:${l.line} ${l.text}`),
      );
    expect(offenders).toEqual([]);
  });

  it('keeps the bench folder a leaf: nothing built outside src/bench and src/cli imports it', () => {
    const offenders = built
      .filter((f) => !inFolder('bench')(f) && !inFolder('cli')(f))
      .flatMap((f) =>
        relativeImports(f)
          .filter((target) => target.startsWith('src/bench/'))
          .map((target) => `${relative(ROOT, f)} -> ${target}`),
      );
    expect(offenders).toEqual([]);
  });

  it('imports every runtime dependency from the build (type packages and test-only packages are devDependencies)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const texts = [...built, ...sourceFiles(join(ROOT, 'bin'), '.js')].map((f) => readFileSync(f, 'utf8'));
    const imported = (name: string) => {
      const spec = new RegExp(`(?:from|import\\(|require\\(|require\\.resolve\\()\\s*'${name.replace(/[/.]/g, '\\$&')}(?:/[^']*)?'`);
      return texts.some((t) => spec.test(t));
    };
    expect(Object.keys(manifest.dependencies).filter((name) => !imported(name))).toEqual([]);
  });

  it('keeps every .ts file under src/, test/ and tools/ at 400 lines or fewer', () => {
    const lineCount = (f: string) => readFileSync(f, 'utf8').replace(/\n$/, '').split('\n').length;
    const scanned = ['src', 'test', 'tools'].flatMap((folder) => sourceFiles(join(ROOT, folder)));
    expect(scanned.length).toBeGreaterThan(files.length);
    const offenders = scanned.filter((f) => lineCount(f) > MAX_FILE_LINES).map((f) => `${relative(ROOT, f)}: ${lineCount(f)} lines`);
    expect(offenders).toEqual([]);
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
