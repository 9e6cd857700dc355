import { join } from 'node:path';
import { FIXTURES } from './hostileFixtures';

/** One hostile input: the command it runs and the outcome it must end in. */
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

/** The policies, bag and image the cases feed in, and the long text and statistics paths they build. */
export const TINY_OPENVLA = join(FIXTURES, 'policies', 'tiny_openvla');
export const TINY_ACT = join(FIXTURES, 'policies', 'tiny_act');
export const TALKER_MCAP = join(FIXTURES, 'bags', 'mcap', 'talker', 'talker.mcap');
export const OPENVLA_IMAGE = join(TINY_OPENVLA, 'golden_0_primary.png');
export const long = (n: number) => 'pick up the red cup '.repeat(Math.ceil(n / 20)).slice(0, n);
export const stats = (dir: string) => join(dir, 'stats.json');
