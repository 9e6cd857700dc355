import { DrivenClock } from './DrivenClock';

/** A clock for tests: time moves only when the test moves it. */
export class ManualClock extends DrivenClock {
  constructor(startS = 0) {
    super('manual', startS);
  }

  /** Moves time forward by `dtS` and lets what it woke run. */
  advanceBy(dtS: number): Promise<void> {
    return this.advanceTo(this.nowS() + dtS);
  }
}
