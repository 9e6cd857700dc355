import type { ActionSpace } from '../Policy';
import type { ActionSpaceSpec } from './ActionSchema';

/** The ActionSpace a manifest declares: what each output dimension means, as the control loop reads it. */
export function actionSpaceOf(manifest: { action: { space: ActionSpaceSpec } }): ActionSpace {
  const space = manifest.action.space;
  return {
    names: space.names,
    kind: space.kind,
    deltaConvention: space.delta_convention,
    frame: space.frame,
    gripperIndex: space.gripper === undefined ? undefined : space.names.indexOf(space.gripper.dimension),
    gripperConvention: space.gripper?.convention,
  };
}
