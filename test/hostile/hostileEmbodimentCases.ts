import { type HostileCase, TINY_ACT } from './hostileCase';
import { file, pandaYaml, shippedYaml } from './hostileFixtures';

/** Hostile inputs, embodiment YAMLs: empty, inconsistent limits and rates, a policy that does not bind, paths leaving the folder. */

export const EMBODIMENT_CASES: HostileCase[] = [
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
    cls: 'security',
    what: 'an embodiment URDF path leaving the folder',
    args: () => ['check', pandaYaml((y) => y.replace('urdf: franka_panda.urdf', 'urdf: ../../../../../../../../etc/passwd'))],
    exit: 2,
    stderr: [/panda\.yaml:\d+: urdf: urdf "\.\.\/.*etc\/passwd" leaves the folder/],
    never: [/root:/],
  },
];
