#!/usr/bin/env python3
"""Makes the rosbag2-compressed test bags under test/fixtures/bags/ from the real talker bags there.

Run by hand (not in CI, which has no zstd CLI) from the repository root:

    python3 tools/make_compressed_bag_fixtures.py

Needs the zstd CLI (tested with v1.5.4) and Python's stdlib sqlite3. Each bag is what
`ros2 bag record --compression-format zstd --compression-mode {file,message}` writes: the original
metadata.yaml text with only the compression fields and file names changed.

- sqlite3/talker_zstd_file/talker.db3.zstd: file mode, one frame with the content size in its header
  (`zstd -1`, like older rosbag2's one-shot ZSTD_compress).
- mcap/talker_zstd_file/talker.mcap.zstd: file mode, no content size (`zstd -1 --no-content-size`, like newer
  rosbag2's streaming compression), in two frames: the file's two halves compressed separately and concatenated.
- sqlite3/talker_zstd_message/talker.db3: message mode, every `messages.data` blob replaced by its own zstd frame
  (`zstd -1 --no-check`: content size, no checksum, like rosbag2's ZSTD_compress).
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
BAGS = os.path.join(ROOT, 'test', 'fixtures', 'bags')


def zstd(data: bytes, *flags: str) -> bytes:
    return subprocess.run(['zstd', '-q', '-c', *flags], input=data, stdout=subprocess.PIPE, check=True).stdout


def metadata(source_dir: str, target_dir: str, mode: str, old_name: str, new_name: str) -> None:
    """The original metadata.yaml with the compression fields set and the file renamed, formatting untouched."""
    with open(os.path.join(source_dir, 'metadata.yaml'), encoding='utf-8') as f:
        text = f.read()
    replaced = 0
    for quote in ('""', "''"):
        for field, value in (('compression_format', 'zstd'), ('compression_mode', mode)):
            old = f'{field}: {quote}'
            replaced += text.count(old)
            text = text.replace(old, f'{field}: {value}')
    assert replaced == 2, f'{source_dir}/metadata.yaml: expected empty compression fields'
    assert text.count(f'- {old_name}\n') == 1, f'{source_dir}/metadata.yaml: expected one "- {old_name}" entry'
    text = text.replace(f'- {old_name}\n', f'- {new_name}\n')
    with open(os.path.join(target_dir, 'metadata.yaml'), 'w', encoding='utf-8') as f:
        f.write(text)


def fresh(path: str) -> str:
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def file_mode_sqlite3() -> None:
    source = os.path.join(BAGS, 'sqlite3', 'talker')
    target = fresh(os.path.join(BAGS, 'sqlite3', 'talker_zstd_file'))
    with open(os.path.join(source, 'talker.db3'), 'rb') as f:
        data = f.read()
    with open(os.path.join(target, 'talker.db3.zstd'), 'wb') as f:
        f.write(zstd(data, '-1'))
    metadata(source, target, 'FILE', 'talker.db3', 'talker.db3.zstd')


def file_mode_mcap() -> None:
    source = os.path.join(BAGS, 'mcap', 'talker')
    target = fresh(os.path.join(BAGS, 'mcap', 'talker_zstd_file'))
    with open(os.path.join(source, 'talker.mcap'), 'rb') as f:
        data = f.read()
    half = len(data) // 2
    frames = [zstd(part, '-1', '--no-content-size') for part in (data[:half], data[half:])]
    with open(os.path.join(target, 'talker.mcap.zstd'), 'wb') as f:
        f.write(b''.join(frames))
    metadata(source, target, 'FILE', 'talker.mcap', 'talker.mcap.zstd')


def message_mode_sqlite3() -> None:
    source = os.path.join(BAGS, 'sqlite3', 'talker')
    target = fresh(os.path.join(BAGS, 'sqlite3', 'talker_zstd_message'))
    with tempfile.TemporaryDirectory() as work:
        # The .db3 is WAL mode: edit a copy elsewhere so no -wal/-shm side file lands in the fixtures.
        db_path = os.path.join(work, 'talker.db3')
        shutil.copyfile(os.path.join(source, 'talker.db3'), db_path)
        db = sqlite3.connect(db_path)
        rows = db.execute('SELECT id, data FROM messages ORDER BY id').fetchall()
        for row_id, data in rows:
            db.execute('UPDATE messages SET data = ? WHERE id = ?', (zstd(bytes(data), '-1', '--no-check'), row_id))
        db.commit()
        db.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        db.close()
        shutil.copyfile(db_path, os.path.join(target, 'talker.db3'))
    metadata(source, target, 'MESSAGE', 'talker.db3', 'talker.db3')


if __name__ == '__main__':
    file_mode_sqlite3()
    file_mode_mcap()
    message_mode_sqlite3()
