import { VlaError } from '../../errors';

/** The error for a storage file that cannot be opened: missing, unreadable, or a folder. */
export function openFailure(path: string, err: unknown): VlaError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new VlaError('FILE_NOT_FOUND', 'bag file not found', { file: path, hint: 'check the path; a split bag lists its files in metadata.yaml' });
  return new VlaError('FILE_UNREADABLE', `cannot read the bag file (${code ?? (err as Error).message})`, { file: path, cause: err, hint: 'check the file permissions' });
}
