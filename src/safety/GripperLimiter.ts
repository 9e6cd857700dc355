import type { JointLimits } from '../robot/JointLimits';
import type { JointStateSample } from '../observation/Observation';
import { JointLimiter } from './JointLimiter';
import type { SafeGripperCommand } from './SafeCommand';
import type { SafetyEvent } from './SafetyEvent';

/**
 * The gripper of a Cartesian mode (twist or pose): the arm goes out as a tool command, the gripper as a joint
 * position, limited like any joint (position range, velocity, acceleration, jerk) in the same tick and under
 * the same stop conditions as the tool command it rides with. A stop decelerates it within its limits and
 * holds it, as in joint mode.
 */
export class GripperLimiter {
  readonly joint: string;
  /** The gripper joint's index in the measured state (command joint order). */
  readonly index: number;
  private readonly limiter: JointLimiter;
  private readonly proposal = new Float64Array(1);

  constructor(limits: JointLimits, index: number, maxStepPerTick = Infinity) {
    this.joint = limits.name;
    this.index = index;
    this.limiter = new JointLimiter([limits], maxStepPerTick);
  }

  /** Starts from the measured gripper position (at rest unless a velocity was measured). */
  seed(measured: JointStateSample): void {
    const velocity = measured.velocity?.[this.index];
    this.limiter.seed([measured.position[this.index]!], velocity === undefined ? undefined : [velocity]);
  }

  /** One tick: follow `position` within the limits, or (null, or `stopping`) decelerate to rest and hold. */
  step(tS: number, dt: number, position: number | null, stopping: boolean, events: SafetyEvent[]): void {
    const track = !stopping && position !== null;
    if (track) this.proposal[0] = position;
    this.limiter.step(tS, dt, track ? 'track' : 'stop', track ? this.proposal : null, events);
    this.limiter.commit(this.limiter.candidate, dt);
  }

  /** The last output. */
  command(): SafeGripperCommand {
    return { joint: this.joint, position: this.limiter.position[0]!, velocity: this.limiter.velocity[0]! };
  }
}
