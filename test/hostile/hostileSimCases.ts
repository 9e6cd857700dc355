import type { HostileCase } from './hostileCase';

/** Hostile inputs, the simulator: faults on demand (each reported with the safe stop, the hold and the recovery) and --json output. */

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

export const SIM_CASES: HostileCase[] = [
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
  {
    cls: 'progress',
    what: 'sim --json keeps stdout one JSON document',
    process: true,
    args: () => ['sim', '--embodiment', 'franka_panda', '--episodes', '1', '--time-limit', '0.5', '--json'],
    exit: 0,
    stdout: [/^\{"embodiment":"franka_panda".*\}\n$/s],
    timeoutS: 60,
  },
];
