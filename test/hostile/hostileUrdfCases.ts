import { join } from 'node:path';
import type { HostileCase } from './hostileCase';
import { file, FIXTURES, longChain, twoJointArm } from './hostileFixtures';

/** Hostile inputs, URDFs: unusable limits, huge chains, entities (XXE, expansion bombs), non-standard limit attributes. */

export const URDF_CASES: HostileCase[] = [
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
  {
    cls: 'hang',
    what: 'a 20,000-joint URDF',
    process: true,
    timeoutS: 90,
    args: () => ['urdf', file('long.urdf', longChain(20_000))],
    exit: 0,
    stdout: [/robot long: 20001 links, 20000 joints/],
  },
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
