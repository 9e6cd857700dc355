export { type Clock, type ClockKind, isDrivenByProgram } from './Clock';
export { WallClock, type WallClockOptions } from './WallClock';
export { DrivenClock } from './DrivenClock';
export { ManualClock } from './ManualClock';
export { BagClock } from './BagClock';
export { RosTimeClock } from './RosTimeClock';
export { SimClock, type SimClockOptions, type SimStepper } from './SimClock';
export { NS_PER_S, nsToSeconds, nsToTime, secondsToNs, secondsToTime, timeToNs, timeToSeconds } from './rosTime';
export { FixedRateScheduler, type SchedulerOptions, type SchedulerStats, type TickTiming } from './FixedRateScheduler';
