import type { ClockMsg } from '../msgs/rosMessages';
import { timeToSeconds } from './rosTime';
import { DrivenClock } from './DrivenClock';

/**
 * ROS time with `use_sim_time`: zero until the first rosgraph_msgs/Clock message, then the time it carries.
 * The transport feeds it from the /clock topic (`onClock`).
 */
export class RosTimeClock extends DrivenClock {
  private received = false;

  constructor() {
    super('ros', 0);
  }

  /** True once a /clock message arrived (before that, ROS time is 0 and nothing should run). */
  get active(): boolean {
    return this.received;
  }

  onClock(msg: ClockMsg): void {
    this.received = true;
    this.set(timeToSeconds(msg.clock));
  }
}
