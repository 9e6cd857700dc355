import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder for a benchmark's files; the benchmark removes it when it is done. */
export function benchTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
