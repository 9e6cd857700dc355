import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  FIXTURES,
  file,
  jpegClaiming,
  longChain,
  pandaYaml,
  png,
  pngBomb,
  policy,
  ROOT,
  scratch,
  shippedYaml,
  twoJointArm,
} from './hostileFixtures';

/**
 * Hostile and careless inputs, by class (issue 15). Each must end in time with its exit code (2 bad input, 1 a
 * failed run, 0 only where the input is fine and the behaviour is stated), a message naming the file, field or
 * option, never a signal, a stack trace or a silent success.
 */
export interface HostileCase {
  /** The class of the issue: crash, check, hang, silent, named, message, security, repeat, fault, progress, limits. */
  cls: string;
  what: string;
  args: () => string[];
  exit: 0 | 1 | 2;
  /** Patterns stderr must match. */
  stderr?: RegExp[];
  /** Patterns stdout must match (exit 0 and 1 runs). */
  stdout?: RegExp[];
  /** Patterns neither output may contain (file contents that must not leak). */
  never?: RegExp[];
  /** Run as a real process (signals, argv limits); otherwise in process. */
  process?: boolean;
  stdin?: string;
  timeoutS?: number;
}

const TINY_OPENVLA = join(FIXTURES, 'policies', 'tiny_openvla');
const TINY_ACT = join(FIXTURES, 'policies', 'tiny_act');
const TALKER_MCAP = join(FIXTURES, 'bags', 'mcap', 'talker', 'talker.mcap');
const OPENVLA_IMAGE = join(TINY_OPENVLA, 'golden_0_primary.png');
const long = (n: number) => 'pick up the red cup '.repeat(Math.ceil(n / 20)).slice(0, n);
const stats = (dir: string) => join(dir, 'stats.json');
const FAULTS: [string, string][] = [
  ['camera_dropout', 'watchdog_camera'],
  ['joint_state_stall', 'watchdog_joint_state'],
  ['joint_state_nan', 'non_finite'],
  ['policy_frozen', 'watchdog_policy'],
  ['policy_nan', 'watchdog_policy'],
  ['policy_slow', 'watchdog_policy'],
  ['clock_jump', 'watchdog_joint_state'],
  ['estop', 'estop'],
];

export const CASES: HostileCase[] = [
  // 1. crashes of the process
  {
    cls: 'crash',
    what: 'a 30 KB instruction to infer',
    process: true,
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', OPENVLA_IMAGE, '--instruction', long(30_000)],
    exit: 2,
    stderr: [/--instruction: the instruction is 30000 characters, at most 2000/],
  },
  {
    cls: 'crash',
    what: 'a 30 KB --instruction-override to sim',
    process: true,
    args: () => ['sim', '--episodes', '1', '--instruction-override', long(30_000)],
    exit: 2,
    stderr: [/--instruction-override: the instruction is 30000 characters/],
  },
  {
    cls: 'crash',
    what: 'a 3 KB instruction as --instruction=TEXT',
    args: () => [
      'eval',
      '--bag',
      'x',
      '--embodiment',
      'franka_panda',
      '--policy',
      TINY_OPENVLA,
      '--out',
      'o',
      `--instruction=${long(3000)}`,
    ],
    exit: 2,
    stderr: [/--instruction: the instruction is 3000 characters/],
  },
  {
    cls: 'crash',
    what: 'a 40 KB argument of any option',
    process: true,
    args: () => ['check', 'franka_panda', '--policy', `/tmp/${'p'.repeat(40_000)}`],
    exit: 2,
    stderr: [/--policy is 40005 bytes long, at most 8192/],
  },
  {
    cls: 'crash',
    what: 'a 69-byte PNG claiming 100000x100000 pixels',
    process: true,
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('bomb.png', pngBomb(100_000, 100_000)), '--instruction', 'go'],
    exit: 2,
    stderr: [/bomb\.png: image is 100000x100000 pixels, more than/],
  },
  {
    cls: 'crash',
    what: 'a JPEG claiming 60000x60000 pixels',
    process: true,
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('bomb.jpg', jpegClaiming(60_000, 60_000)), '--instruction', 'go'],
    exit: 2,
    stderr: [/bomb\.jpg: image is 60000x60000 pixels/],
  },
  {
    cls: 'crash',
    what: 'a PNG 9000 pixels wide',
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('wide.png', pngBomb(9000, 10)), '--instruction', 'go'],
    exit: 2,
    stderr: [/wide\.png: image is 9000x10 pixels/],
  },
  {
    cls: 'crash',
    what: 'a PNG claiming 0x0 pixels',
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('zero.png', pngBomb(0, 0)), '--instruction', 'go'],
    exit: 2,
    stderr: [/zero\.png: malformed PNG: size 0x0/],
  },
  // 6. misleading messages
  {
    cls: 'message',
    what: 'a truncated PNG',
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('cut.png', png(64, 64).subarray(0, 60)), '--instruction', 'go'],
    exit: 2,
    stderr: [/cut\.png: truncated PNG \(60 bytes\)/],
  },
  {
    cls: 'message',
    what: 'a text file given as an image',
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('notes.png', 'hello'), '--instruction', 'go'],
    exit: 2,
    stderr: [/notes\.png: not a PNG or JPEG image/],
  },
  {
    cls: 'message',
    what: 'infer --policy x.png',
    args: () => ['infer', '--policy', file('x.png', png(4, 4)), '--image', OPENVLA_IMAGE],
    exit: 2,
    stderr: [/x\.png: not a policy folder or a manifest YAML/],
  },
  ...['0', '-3', '1.5', 'NaN', 'Infinity', '1e9'].map((v) => ({
    cls: 'message',
    what: `sim --episodes ${v}`,
    args: () => ['sim', '--episodes', v],
    exit: 2 as const,
    stderr: [new RegExp(`--episodes must be an integer from 1 to 100000, got "${v}"`)],
  })),
  {
    cls: 'message',
    what: 'sim --latency -1',
    args: () => ['sim', '--latency', '-1'],
    exit: 2,
    stderr: [/--latency must be a number from 0 to 10, got "-1"/],
  },
  {
    cls: 'message',
    what: 'eval --latency -1',
    args: () => ['eval', '--bag', 'b', '--embodiment', 'franka_panda', '--policy', TINY_OPENVLA, '--out', 'o', '--latency', '-1'],
    exit: 2,
    stderr: [/--latency must be a number from 0 to 10/],
  },
  {
    cls: 'message',
    what: 'sim --time-limit 0',
    args: () => ['sim', '--time-limit', '0'],
    exit: 2,
    stderr: [/--time-limit must be a number > 0 and <= 3600, got "0"/],
  },
  {
    cls: 'message',
    what: 'sim --seed -1',
    args: () => ['sim', '--seed', '-1'],
    exit: 2,
    stderr: [/--seed must be an integer from 0 to 4294967295/],
  },
  {
    cls: 'message',
    what: 'infer --threads 0',
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', OPENVLA_IMAGE, '--instruction', 'go', '--threads', '0'],
    exit: 2,
    stderr: [/--threads must be an integer from 1 to 256, got "0"/],
  },
  {
    cls: 'message',
    what: 'safety-filter --max-velocity -1',
    args: () => ['safety-filter', '--urdf', join(ROOT, 'urdf', 'franka_panda.urdf'), '--joints', 'panda_joint1', '--max-velocity', '-1'],
    exit: 2,
    stderr: [/--max-velocity must be a number > 0, got "-1"/],
  },
  {
    cls: 'message',
    what: 'safety-filter --max-acceleration abc',
    args: () => [
      'safety-filter',
      '--urdf',
      join(ROOT, 'urdf', 'franka_panda.urdf'),
      '--joints',
      'panda_joint1',
      '--max-acceleration',
      'abc',
    ],
    exit: 2,
    stderr: [/--max-acceleration must be a number > 0, got "abc"/],
  },
  {
    cls: 'message',
    what: 'record-demos --perturb-probability 2',
    args: () => ['record-demos', '--out', join(scratch, 'demos'), '--perturb-probability', '2'],
    exit: 2,
    stderr: [/--perturb-probability must be a number from 0 to 1, got "2"/],
  },
  {
    cls: 'message',
    what: 'min_position above max_position in the YAML',
    args: () => [
      'check',
      pandaYaml((y) =>
        y.replace('panda_joint1: { max_acceleration: 15.0, max_jerk: 7500.0 }', 'panda_joint1: { min_position: 1.0, max_position: 0.5 }'),
      ),
    ],
    exit: 2,
    stderr: [/safety\.joints\.panda_joint1\.min_position: joint "panda_joint1": min_position 1 is above max_position 0\.5/],
    never: [/position_margin/],
  },
  {
    cls: 'message',
    what: 'an empty embodiment YAML',
    args: () => ['check', file('empty.yaml', '# nothing here\n')],
    exit: 2,
    stderr: [/empty\.yaml: the file is empty/],
    never: [/received null/],
  },
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
    cls: 'message',
    what: 'safety-filter --urdf on a zero-velocity joint',
    args: () => [
      'safety-filter',
      '--urdf',
      file('zero.urdf', twoJointArm('<limit lower="-1" upper="1" velocity="0" effort="1"/>')),
      '--joints',
      'j1,j2',
    ],
    exit: 2,
    stderr: [/zero\.urdf: joint "j1" has velocity limit 0 in the URDF/, /give --max-velocity V/],
    never: [/-> add safety\.joints/],
  },
  // 2. check binds every dimension the loop uses
  {
    cls: 'check',
    what: 'an 8-value state policy bound to a 6-joint arm',
    args: () => ['check', shippedYaml('so101', (y) => y.replace('name: front', 'name: top')), '--policy', TINY_ACT],
    exit: 2,
    stderr: [/joints: policy "tiny_act" reads 8 state values \(position\), embodiment "so101" gives 6 \(6 joints/],
  },
  {
    cls: 'check',
    what: 'command_hz of 10^9',
    args: () => ['check', pandaYaml((y) => y.replace('command_hz: 100', 'command_hz: 1000000000'))],
    exit: 2,
    stderr: [/rates\.command_hz: must be at most 2000 Hz/],
  },
  {
    cls: 'check',
    what: 'policy_hz above command_hz',
    args: () => ['check', pandaYaml((y) => y.replace('policy_hz: 10', 'policy_hz: 500'))],
    exit: 2,
    stderr: [/rates\.policy_hz: policy_hz must not exceed command_hz/],
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
  // 5. named input errors: manifest numbers out of range, output paths
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
  // 3. hangs
  {
    cls: 'hang',
    what: 'a 20,000-joint URDF',
    process: true,
    timeoutS: 90,
    args: () => ['urdf', file('long.urdf', longChain(20_000))],
    exit: 0,
    stdout: [/robot long: 20001 links, 20000 joints/],
  },
  // 5. named input errors
  {
    cls: 'named',
    what: 'a URDF with an external entity (XXE)',
    args: () => [
      'urdf',
      file(
        'xxe.urdf',
        '<?xml version="1.0"?>\n<!DOCTYPE robot [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<robot name="&secret;"><link name="a"/></robot>',
      ),
    ],
    exit: 2,
    stderr: [/xxe\.urdf:2: the file declares <!DOCTYPE>: document types and entities are refused/],
    never: [/root:/],
  },
  {
    cls: 'named',
    what: 'a URDF with an entity expansion bomb',
    args: () => [
      'urdf',
      file(
        'lol.urdf',
        `<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "${'x'.repeat(100)}">` +
          Array.from({ length: 8 }, (_, i) => `<!ENTITY e${i + 1} "${`&${i === 0 ? 'a' : `e${i}`};`.repeat(10)}">`).join('') +
          `]>\n<robot name="&e8;"><link name="a"/></robot>`,
      ),
    ],
    exit: 2,
    stderr: [/lol\.urdf:2: the file declares <!DOCTYPE>/],
  },
  // 7. security
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
    what: 'an embodiment URDF path leaving the folder',
    args: () => ['check', pandaYaml((y) => y.replace('urdf: franka_panda.urdf', 'urdf: ../../../../../../../../etc/passwd'))],
    exit: 2,
    stderr: [/panda\.yaml:\d+: urdf: urdf "\.\.\/.*etc\/passwd" leaves the folder/],
    never: [/root:/],
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
  // 9. faults on demand in the simulator: each is reported with the safe stop, the hold and the recovery
  ...FAULTS.map(([kind, limit]) => ({
    cls: 'fault',
    what: `sim --fault ${kind}@1:1`,
    args: () => ['sim', '--embodiment', 'franka_panda', '--episodes', '1', '--time-limit', '3.5', '--fault', `${kind}@1:1`, '--json'],
    exit: 0 as const,
    process: true,
    stdout: [
      new RegExp(
        `"faults":\\[\\{"episode":0,"kind":"${kind}","at_s":1,"duration_s":1,` +
          `"reactions":\\[\\{"what":"stop","tS":[0-9.]+,"limit":"${limit}".*"what":"hold".*"what":"recover".*` +
          `"stopped_at_s":[0-9.]+,"recovered_at_s":[0-9.]+\\}`,
      ),
    ],
    timeoutS: 90,
  })),
  {
    cls: 'fault',
    what: 'sim --fault with an unknown kind',
    args: () => ['sim', '--fault', 'meteor@1'],
    exit: 2,
    stderr: [/--fault: unknown fault kind "meteor"/, /camera_dropout, joint_state_stall/],
  },
  {
    cls: 'fault',
    what: 'sim --fault without a time',
    args: () => ['sim', '--fault', 'estop'],
    exit: 2,
    stderr: [/--fault must be KIND@T\[:DURATION\], got "estop"/],
  },
  {
    cls: 'fault',
    what: 'sim --fault at a negative time',
    args: () => ['sim', '--fault', 'estop@-1'],
    exit: 2,
    stderr: [/--fault estop@-1: T must be a number from 0 to 3600 s, got "-1"/],
  },
  {
    cls: 'fault',
    what: 'sim --fault clock_jump without its size',
    args: () => ['sim', '--fault', 'clock_jump@1'],
    exit: 2,
    stderr: [/a clock jump needs its size/],
  },
  // 4. silent passes; 10. progress never in --json stdout
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
  {
    cls: 'progress',
    what: 'sim --json keeps stdout one JSON document',
    process: true,
    args: () => ['sim', '--embodiment', 'franka_panda', '--episodes', '1', '--time-limit', '0.5', '--json'],
    exit: 0,
    stdout: [/^\{"embodiment":"franka_panda".*\}\n$/s],
    timeoutS: 60,
  },
  // 11. URDF acceleration / jerk
  {
    cls: 'limits',
    what: "the Google Robot's acceleration and jerk attributes",
    args: () => ['urdf', join(FIXTURES, 'urdf', 'google_robot__simplerenv.urdf')],
    exit: 0,
    stderr: [
      /joint "joint_torso": non-standard attribute acceleration="2\.0" on <limit> applied as its acceleration limit wherever it is tighter/,
    ],
  },
];

/** The tiny ACT policy, for cases that need a state input. */
export { TINY_ACT };
