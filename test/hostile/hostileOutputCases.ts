import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type HostileCase, TALKER_MCAP, TINY_OPENVLA } from './hostileCase';
import { file } from './hostileFixtures';

/** Hostile inputs, output paths and recordings: unwritable or taken --out / --record, unrelated bag files in one folder. */

export const OUTPUT_CASES: HostileCase[] = [
  {
    cls: 'named',
    what: 'eval --out under a file (ENOTDIR)',
    args: () => [
      'eval',
      '--bag',
      'b',
      '--embodiment',
      'franka_panda',
      '--policy',
      TINY_OPENVLA,
      '--out',
      join(file('plain.txt', 'x'), 'out'),
    ],
    exit: 2,
    stderr: [/plain\.txt\/out: --out: cannot create the output: .*plain\.txt is a file, not a folder/],
  },
  {
    cls: 'named',
    what: 'eval --out an existing file (EEXIST)',
    args: () => ['eval', '--bag', 'b', '--embodiment', 'franka_panda', '--policy', TINY_OPENVLA, '--out', file('taken.txt', 'x')],
    exit: 2,
    stderr: [/taken\.txt: --out: the output path exists and is not a folder/],
  },
  {
    cls: 'named',
    what: 'record-demos --out under /proc',
    args: () => ['record-demos', '--out', '/proc/self/demos'],
    exit: 2,
    stderr: [/--out: cannot write output under \/proc/],
  },
  {
    cls: 'named',
    what: 'sim --record under /dev',
    args: () => ['sim', '--episodes', '1', '--record', '/dev/full/run.mcap'],
    exit: 2,
    stderr: [/--record: cannot write output under \/dev/],
  },
  {
    cls: 'named',
    what: 'sim --record under /sys',
    args: () => ['sim', '--episodes', '1', '--record', '/sys/kernel/run'],
    exit: 2,
    stderr: [/--record: cannot write output under \/sys/],
  },
  {
    cls: 'silent',
    what: 'unrelated .mcap files in one folder without metadata.yaml',
    args: () => {
      const dir = dirname(file('a.mcap', readFileSync(TALKER_MCAP)));
      copyFileSync(TALKER_MCAP, join(dir, 'other_recording.mcap'));
      return ['bag-info', dir];
    },
    exit: 2,
    stderr: [/the folder holds 2 storage files with different names \(a, other_recording\) and no metadata\.yaml/],
  },
  {
    cls: 'silent',
    what: 'sim --record into an existing recording',
    process: true,
    args: () => [
      'sim',
      '--embodiment',
      'franka_panda',
      '--episodes',
      '1',
      '--time-limit',
      '0.5',
      '--record',
      file('run.mcap', 'an earlier recording'),
      '--json',
    ],
    exit: 0,
    stderr: [/note: .*run\.mcap already holds a recording; recording to .*run_2\.mcap instead/],
    stdout: [/"recording":"[^"]*run_2\.mcap"/],
    timeoutS: 60,
  },
];
