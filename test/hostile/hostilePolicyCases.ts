import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HostileCase, OPENVLA_IMAGE, stats } from './hostileCase';
import { policy } from './hostileFixtures';

/** Hostile inputs, policy folders: manifest numbers out of range, paths leaving the folder, broken statistics and tokenizers. */

export const POLICY_CASES: HostileCase[] = [
  {
    cls: 'message',
    what: 'Infinity in the state statistics',
    args: () => [
      'check',
      'franka_panda',
      '--policy',
      policy(
        'tiny_act',
        (m) => m,
        (d) => {
          const text = readFileSync(stats(d), 'utf8');
          const s = JSON.parse(text) as Record<string, { mean: number[] }>;
          const out = JSON.stringify(s).replace(
            `"observation.state":{"mean":[${s['observation.state']!.mean[0]}`,
            '"observation.state":{"mean":[Infinity',
          );
          writeFileSync(stats(d), out);
        },
      ),
    ],
    exit: 2,
    stderr: [
      /observation\.state\/mean\[0\]: absurd normalization statistics: mean\[0\] is Infinity, not a finite number/,
      /state\.normalization/,
    ],
    never: [/action\.normalization/],
  },
  {
    cls: 'check',
    what: 'decoder vocab_size below num_bins',
    args: () => ['check', 'franka_panda', '--policy', policy('tiny_openvla', (m) => m.replace('vocab_size: 700', 'vocab_size: 100'))],
    exit: 2,
    stderr: [/action\.decoder\.num_bins: num_bins must not exceed vocab_size/],
  },
  {
    cls: 'check',
    what: 'a tokenizer larger than the model (Gather idx out of range at run time)',
    args: () => [
      'check',
      'franka_panda',
      '--policy',
      policy(
        'tiny_openvla',
        (m) => m,
        (d) => {
          const t = JSON.parse(readFileSync(join(d, 'tokenizer.json'), 'utf8')) as { added_tokens: { id: number; content: string }[] };
          t.added_tokens.push({ ...t.added_tokens[0]!, id: 29_999, content: '<extra_29999>' });
          writeFileSync(join(d, 'tokenizer.json'), JSON.stringify(t));
        },
      ),
    ],
    exit: 2,
    stderr: [/prompt\.tokenizer: .*the tokenizer has 30000 tokens, the model only \d+/],
  },
  {
    cls: 'named',
    what: 'a camera 100000 pixels wide in a manifest',
    args: () => ['check', 'franka_panda', '--policy', policy('tiny_openvla', (m) => m.replace('width: 64', 'width: 100000'))],
    exit: 2,
    stderr: [/manifest\.yaml:\d+: cameras\.0\.width: .*(<=|at most) ?4096/],
  },
  {
    cls: 'named',
    what: 'a chunk step of 1e6 s in a manifest',
    args: () => ['check', 'franka_panda', '--policy', policy('tiny_openvla', (m) => m.replace('step_dt_s: 0.2', 'step_dt_s: 1000000'))],
    exit: 2,
    stderr: [/action\.chunk\.step_dt_s: must be at most 10 s/],
  },
  {
    cls: 'security',
    what: 'a manifest statistics path leaving the policy folder',
    args: () => [
      'infer',
      '--policy',
      policy('tiny_openvla', (m) => m.replace('file: dataset_statistics.json', 'file: ../../../../../../../../etc/passwd')),
      '--image',
      OPENVLA_IMAGE,
      '--instruction',
      'go',
    ],
    exit: 2,
    stderr: [/manifest\.yaml:\d+: action\.normalization\.stats\.file: statistics file "\.\.\/.*etc\/passwd" leaves the folder/],
    never: [/root:/],
  },
  {
    cls: 'security',
    what: 'an absolute statistics path in a manifest',
    args: () => [
      'infer',
      '--policy',
      policy('tiny_openvla', (m) => m.replace('file: dataset_statistics.json', 'file: /etc/passwd')),
      '--image',
      OPENVLA_IMAGE,
      '--instruction',
      'go',
    ],
    exit: 2,
    stderr: [/statistics file "\/etc\/passwd" is an absolute path/],
    never: [/root:/],
  },
  {
    cls: 'security',
    what: 'a manifest tokenizer path leaving the folder',
    args: () => [
      'check',
      'franka_panda',
      '--policy',
      policy('tiny_openvla', (m) => m.replace(/tokenizer: tokenizer\.json/, 'tokenizer: ../../../../../../../etc/hostname')),
    ],
    exit: 2,
    stderr: [/tokenizer "\.\..*hostname" leaves the folder/],
  },
  {
    cls: 'security',
    what: 'a statistics file that is not JSON',
    args: () => [
      'check',
      'franka_panda',
      '--policy',
      policy(
        'tiny_openvla',
        (m) => m,
        (d) => writeFileSync(join(d, 'dataset_statistics.json'), 'root:x:0:0:root:/root:/bin/bash\n'),
      ),
    ],
    exit: 2,
    stderr: [/dataset_statistics\.json: the statistics file is not valid JSON/],
    never: [/root:x/],
  },
];
