import { describeError, VlaError } from '../../errors';

/** The error for a storage file that cannot be opened: missing, unreadable, or a folder. */
export function openFailure(path: string, err: unknown): VlaError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new VlaError('FILE_NOT_FOUND', 'bag file not found', {
      file: path,
      hint: 'check the path; a split bag lists its files in metadata.yaml',
    });
  return new VlaError('FILE_UNREADABLE', `cannot read the bag file (${code ?? describeError(err)})`, {
    file: path,
    cause: err,
    hint: 'check the file permissions',
  });
}

/** The error for a file rosbag2 compressed as a whole (.zstd) whose data does not decompress. */
export function zstdFileFailure(path: string, err: unknown): VlaError {
  return new VlaError('BAG_INVALID', `the zstd-compressed bag file (rosbag2 file compression) does not decompress: ${describeError(err)}`, {
    file: path,
    cause: err,
    hint: 'the file was cut short or damaged (copy, disk); re-copy it from the recording machine, and check it there with `zstd -t FILE`',
  });
}
