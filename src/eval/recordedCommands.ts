import { VlaError } from '../errors';
import type { Float64MultiArrayMsg, JointStateMsg, JointTrajectoryMsg, PoseStampedMsg, TwistStampedMsg } from '../msgs/rosMessages';
import { timeToNs } from '../time/rosTime';
import type { CommandSample } from './CommandStream';

/** Dimension names of the Cartesian command types, in the order their values are read. */
export const TWIST_DIMENSIONS = ['linear.x', 'linear.y', 'linear.z', 'angular.x', 'angular.y', 'angular.z'] as const;
export const POSE_DIMENSIONS = [
  'position.x',
  'position.y',
  'position.z',
  'orientation.x',
  'orientation.y',
  'orientation.z',
  'orientation.w',
] as const;

function byName(names: readonly string[], values: ArrayLike<number>, dimensions: readonly string[]): Float64Array {
  const index = new Map(names.map((n, i) => [n, i]));
  return Float64Array.from(dimensions, (d) => {
    const i = index.get(d);
    const v = i === undefined ? undefined : values[i];
    return v === undefined ? NaN : v;
  });
}

/** What a joint command is compared on: positions, or velocities (joint_velocity control). */
export type CommandField = 'position' | 'velocity';

/**
 * The command samples one recorded command message stands for, in `dimensions` order, mapped by joint name
 * (never by position in the message). A JointTrajectory gives one sample per point, at its header stamp (the
 * log time when the stamp is zero, meaning "now") plus the point's time_from_start. Float64MultiArray has no
 * names: its values are in the controller's joint order, which is `dimensions` (positions or velocities, as
 * the controller reads them). `field` picks positions or velocities out of JointTrajectory and JointState.
 */
export function recordedCommandSamples(
  type: string,
  message: unknown,
  logTimeNs: bigint,
  dimensions: readonly string[],
  field: CommandField = 'position',
): CommandSample[] {
  switch (type) {
    case 'trajectory_msgs/msg/JointTrajectory': {
      const m = message as JointTrajectoryMsg;
      const stampNs = timeToNs(m.header.stamp);
      const startNs = stampNs === 0n ? logTimeNs : stampNs;
      return m.points.map((p) => ({
        tNs: startNs + timeToNs(p.time_from_start),
        sentNs: logTimeNs,
        values: byName(m.joint_names, field === 'position' ? p.positions : p.velocities, dimensions),
      }));
    }
    case 'sensor_msgs/msg/JointState': {
      const m = message as JointStateMsg;
      return [{ tNs: logTimeNs, values: byName(m.name, field === 'position' ? m.position : m.velocity, dimensions) }];
    }
    case 'std_msgs/msg/Float64MultiArray': {
      const m = message as Float64MultiArrayMsg;
      if (m.data.length !== dimensions.length) {
        throw new VlaError(
          'MESSAGE_INVALID',
          `a recorded Float64MultiArray command has ${m.data.length} values but the embodiment commands ${dimensions.length} joints`,
          {
            hint: 'evaluate against the embodiment whose controller recorded these commands',
          },
        );
      }
      return [{ tNs: logTimeNs, values: Float64Array.from(m.data) }];
    }
    case 'geometry_msgs/msg/TwistStamped': {
      const { linear, angular } = (message as TwistStampedMsg).twist;
      return [
        { tNs: logTimeNs, values: byName(TWIST_DIMENSIONS, [linear.x, linear.y, linear.z, angular.x, angular.y, angular.z], dimensions) },
      ];
    }
    case 'geometry_msgs/msg/PoseStamped': {
      const { position: p, orientation: q } = (message as PoseStampedMsg).pose;
      return [{ tNs: logTimeNs, values: byName(POSE_DIMENSIONS, [p.x, p.y, p.z, q.x, q.y, q.z, q.w], dimensions) }];
    }
    default:
      throw new VlaError('BAG_UNSUPPORTED', `recorded commands of type ${type} cannot be compared`, {
        hint:
          'record the commands as trajectory_msgs/JointTrajectory, std_msgs/Float64MultiArray, ' +
          'sensor_msgs/JointState, geometry_msgs/TwistStamped or PoseStamped',
      });
  }
}
