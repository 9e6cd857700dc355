import { accessSync, constants, existsSync, readdirSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { VlaError } from '../errors';

/**
 * The one check of every path a command writes to (`--out`, `--record`), made before any work starts, so a
 * bad output path is a named input error in a second, not a failure after a long run (or a hang on a
 * special file system).
 */

/** Kernel and device file systems: nothing is recorded there. */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

/** The entry at `path`, or undefined when there is none (also when a parent is a file: ENOTDIR). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function refuse(path: string, option: string, message: string, hint: string): VlaError {
  return new VlaError('ARGUMENT_INVALID', message, { file: path, path: option, hint });
}

/**
 * Refuses an output path that cannot be written: on /proc, /sys or /dev; under a parent that is a file
 * (ENOTDIR); in a folder without write permission (EACCES/EPERM); a folder where a file is wanted or the
 * other way round (EEXIST/EISDIR).
 */
export function checkOutputPath(path: string, option: string, kind: 'file' | 'folder'): void {
  if (SPECIAL_ROOTS.some((root) => path === root || path.startsWith(`${root}/`))) {
    throw refuse(
      path,
      option,
      `cannot write output under ${path.split('/').slice(0, 2).join('/')} (a kernel or device file system)`,
      'give a path on a normal disk, e.g. runs/out',
    );
  }
  const existing = statOf(path);
  if (existing !== undefined) {
    if (kind === 'folder' && !existing.isDirectory())
      throw refuse(path, option, 'the output path exists and is not a folder', `give a folder for ${option}`);
    if (kind === 'file' && !existing.isFile())
      throw refuse(path, option, 'the output path exists and is not a regular file', `give a file path for ${option}`);
  }
  // The nearest existing ancestor must be a folder we may write in (mkdir -p creates the rest).
  let ancestor = existing === undefined ? dirname(path) : existing.isDirectory() ? path : dirname(path);
  for (;;) {
    const stat = statOf(ancestor);
    if (stat !== undefined) {
      if (!stat.isDirectory())
        throw refuse(
          path,
          option,
          `cannot create the output: ${ancestor} is a file, not a folder`,
          `give ${option} a path whose parent folders are folders`,
        );
      try {
        accessSync(ancestor, constants.W_OK | constants.X_OK);
      } catch {
        throw refuse(
          path,
          option,
          `cannot create the output: no permission to write in ${ancestor}`,
          `give ${option} a path in a folder you can write to`,
        );
      }
      return;
    }
    const up = dirname(ancestor);
    if (up === ancestor) return;
    ancestor = up;
  }
}

function isRecording(path: string): boolean {
  const stat = statOf(path);
  if (stat === undefined) return false;
  return stat.isFile() || (stat.isDirectory() && readdirSync(path).length > 0);
}

/**
 * A recording never overwrites another: when `path` (a .mcap file or a bag folder) already holds one, the
 * first free `NAME_2`, `NAME_3`... is used instead, and `renamedFrom` says so for the user.
 */
export function freeRecordingPath(path: string, option: string): { path: string; renamedFrom?: string } {
  const isFile = extname(path).toLowerCase() === '.mcap';
  checkOutputPath(path, option, isFile ? 'file' : 'folder');
  if (!isRecording(path)) return { path };
  const stem = isFile ? basename(path, extname(path)) : basename(path);
  for (let n = 2; n < 10_000; n++) {
    const candidate = join(dirname(path), `${stem}_${n}${isFile ? extname(path) : ''}`);
    if (!existsSync(candidate)) return { path: candidate, renamedFrom: path };
  }
  throw refuse(path, option, 'every numbered name for this recording is taken', `give ${option} a new name`);
}
