import type { Embodiment } from '../config/Embodiment';
import { VlaError } from '../errors';
import type { Policy } from '../policy/Policy';
import { ChunkConverter, type ChunkConverterOptions } from './queue/ChunkConverter';

/**
 * Checks that a policy can drive an embodiment (its cameras exist, its action dimensions map onto the
 * embodiment's policy joints or tool pose, its delta convention is stated) and returns the converter from
 * its chunks to command targets. Throws MODEL_MISMATCH naming what does not fit. Used by the control loop and
 * by `vla-bridge check --policy`, so a binding that checks clean also runs.
 */
export function bindPolicy(
  embodiment: Embodiment,
  policy: Pick<Policy, 'name' | 'cameras' | 'space' | 'stateInput'>,
  options: ChunkConverterOptions = {},
): ChunkConverter {
  const missing = policy.cameras.filter((c) => !embodiment.config.topics.cameras.some((k) => k.name === c));
  if (missing.length > 0) {
    throw new VlaError(
      'MODEL_MISMATCH',
      `policy "${policy.name}" needs camera(s) ${missing.join(', ')}, which embodiment "${embodiment.name}" does not have`,
      {
        file: embodiment.configFile,
        path: 'topics.cameras',
        hint: `name the embodiment's cameras after the policy's: ${policy.cameras.join(', ')}`,
      },
    );
  }
  if (policy.space.gripperIndex !== undefined && embodiment.config.gripper === undefined) {
    throw new VlaError('MODEL_MISMATCH', `policy "${policy.name}" commands a gripper, and embodiment "${embodiment.name}" has none`, {
      file: embodiment.configFile,
      path: 'gripper',
      hint: 'add a gripper section to the embodiment YAML, or use a policy without a gripper dimension',
    });
  }
  const state = policy.stateInput;
  if (state !== undefined) {
    const joints = embodiment.commandJointNames;
    const values = state.source === 'position_velocity' ? 2 * joints.length : joints.length;
    if (state.dims !== values) {
      throw new VlaError(
        'MODEL_MISMATCH',
        `policy "${policy.name}" reads ${state.dims} state values (${state.source}), embodiment ` +
          `"${embodiment.name}" gives ${values} (${joints.length} ` +
          `joints${state.source === 'position_velocity' ? ', positions then velocities' : ''}: ${joints.join(', ')})`,
        {
          file: embodiment.configFile,
          path: 'joints',
          hint:
            "the state is the embodiment's command joints in order (arm joints, then the " +
            'gripper): use a policy trained on this robot, or an embodiment with the joints it was ' +
            'trained on',
        },
      );
    }
  }
  return new ChunkConverter(embodiment, policy.space, options);
}
