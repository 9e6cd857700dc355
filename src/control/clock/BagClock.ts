import { DrivenClock } from './DrivenClock';

/** Bag time: the replay sets it to each message's log time before delivering the message. */
export class BagClock extends DrivenClock {
  constructor(startS = 0) {
    super('bag', startS);
  }
}
