import { readdirSync, statSync } from 'node:fs';
import { VlaError } from '../errors';

/** The dataset's output folder: refused when it cannot be written or would replace files by accident. */

export function unwritable(dir: string, err: unknown): VlaError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new VlaError('FILE_UNREADABLE', `cannot write the dataset there (${code})`, {
    file: dir,
    path: '--out',
    cause: err,
    hint: 'give an --out folder whose parent exists and is writable',
  });
}

/** Refuses an output that is a file, or a non-empty folder unless it may be replaced. */
export function checkOutput(dir: string, overwrite: boolean): void {
  let stat;
  try {
    stat = statSync(dir, { throwIfNoEntry: false });
  } catch (err) {
    throw unwritable(dir, err);
  }
  if (stat === undefined) return;
  if (!stat.isDirectory())
    throw new VlaError('ARGUMENT_INVALID', 'the output path exists and is not a folder', {
      file: dir,
      path: '--out',
      hint: 'give a new folder for the dataset',
    });
  if (!overwrite && readdirSync(dir).length > 0) {
    throw new VlaError('ARGUMENT_INVALID', 'the output folder already holds files (an existing dataset is never replaced by accident)', {
      file: dir,
      path: '--out',
      hint: 'give a new folder, or add --overwrite to replace it',
    });
  }
}
