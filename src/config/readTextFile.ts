import { readFileSync } from 'node:fs';
import { VlaError } from '../errors';

/** Reads a UTF-8 file, turning a missing or unreadable file into a VlaError that names it. */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new VlaError('FILE_NOT_FOUND', 'file not found', { file, hint: 'check the path' });
    if (code === 'EISDIR')
      throw new VlaError('FILE_UNREADABLE', 'is a folder, not a file', { file, hint: 'give the path of the file itself' });
    throw new VlaError('FILE_UNREADABLE', `cannot read file (${code ?? String(err)})`, { file, hint: 'check the file permissions' });
  }
}
