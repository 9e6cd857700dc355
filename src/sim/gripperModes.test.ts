import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BagReader } from '../bag/BagReader';
import type { Embodiment } from '../config/Embodiment';
import { loadEmbodiment } from '../config/loadEmbodiment';
import type { Observation } from '../observation/Observation';
import type { ActionChunk, ActionSpace, Policy } from '../policy/Policy';
import { runSimEpisodes } from './runSimEpisodes';

/**
 * End to end through the simulator: in every control mode, including the Cartesian ones where the arm goes out
 * as a twist or a pose, a policy that closes the gripper closes the simulated gripper, and the recording holds
 * the gripper commands (the gripper passes the safety layer like the arm).
 */

const panda = loadEmbodiment('franka_panda');
const GRIPPER_TOPIC = panda.config.gripper!.command_topic!;
const FINGER = panda.config.gripper!.joint;

/** Holds the arm where it is measured and closes the gripper (gripper dimension 0 = closed, open_is_1). */
class CloseGripperInPlace implements Policy {
  readonly name = 'close_gripper_in_place';
  readonly space: ActionSpace;
  readonly horizon = 10;
  readonly stepDtS = 0.1;
  readonly stepsToExecute = 5;
  readonly cameras: readonly string[] = [];
  private readonly armIndices: number[];

  constructor(embodiment: Embodiment) {
    const names = embodiment.policyJointNames;
    this.armIndices = names.map((n) => embodiment.commandJointNames.indexOf(n));
    this.space = { names: [...names, 'gripper'], kind: 'absolute', frame: 'joint', gripperIndex: names.length };
  }

  infer(observation: Observation): Promise<ActionChunk> {
    const dims = this.space.names.length;
    const actions = new Float64Array(this.horizon * dims);
    for (let s = 0; s < this.horizon; s++) this.armIndices.forEach((j, d) => (actions[s * dims + d] = observation.jointState.position[j]!));
    return Promise.resolve({
      observationStampS: observation.stampS,
      actions,
      horizon: this.horizon,
      dims,
      stepsToExecute: this.stepsToExecute,
      stepDtS: this.stepDtS,
      space: this.space,
    });
  }

  async close(): Promise<void> {}
}

describe('the gripper is commanded in every control mode (through the simulator)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'vla-sim-gripper-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each<[string, Partial<Embodiment['config']['control']>]>([
    ['cartesian_twist', { mode: 'cartesian_twist', command_type: 'geometry_msgs/msg/TwistStamped', command_topic: '/servo/twist' }],
    ['cartesian_pose', { mode: 'cartesian_pose', command_type: 'geometry_msgs/msg/PoseStamped', command_topic: '/servo/pose' }],
    ['joint_position', {}],
  ])(
    '%s: the recording has gripper commands and the simulated gripper closes',
    async (mode, control) => {
      const embodiment = { ...panda, config: { ...panda.config, control: { ...panda.config.control, ...control } } };
      const s = await runSimEpisodes({
        embodiment,
        policy: new CloseGripperInPlace(embodiment),
        episodes: 1,
        seed: 5,
        recordPath: join(dir, mode),
        task: { timeLimitS: 2 },
      });
      expect(s.inferences).toBeGreaterThan(0);
      const reader = await BagReader.open(s.recording!);
      const gripperCommands: number[] = [];
      for await (const m of reader.messages<{ data: Float64Array }>({ topics: [GRIPPER_TOPIC] })) gripperCommands.push(m.message.data[0]!);
      const finger: number[] = [];
      for await (const m of reader.messages<{ name: string[]; position: Float64Array }>({ topics: [panda.config.topics.joint_states] })) {
        finger.push(m.message.position[m.message.name.indexOf(FINGER)]!);
      }
      await reader.close();
      expect(gripperCommands.length).toBeGreaterThan(100);
      expect(gripperCommands.at(-1)).toBeCloseTo(0, 6);
      expect(finger[0]).toBeGreaterThan(0.03);
      expect(finger.at(-1)).toBeLessThan(0.002);
    },
    180_000,
  );
});
