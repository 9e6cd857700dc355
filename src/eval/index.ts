/** Offline evaluation: replaying a bag through the live pipeline, comparing its commands with the recorded ones. */
export type { CommandSample, CommandStream } from './CommandStream';
export { actionTokenizerFor, type ActionTokenizer, expectedActions, tokenPairs, uniformBinTokenizer } from './actionTokens';
export { alignStreams, type AlignedPair, type Alignment } from './alignStreams';
export {
  chooseTimeBase,
  describeTopicStamps,
  observationTimeBase,
  sampleStamps,
  STAMP_SAMPLE_SIZE,
  type StampSample,
  summarizeStamps,
  TIME_BASE_OPTIONS,
  type TimeBaseChoice,
  type TimeBaseOption,
  type TopicStamps,
} from './chooseTimeBase';
export { type CommandChannel, commandChannelsFor } from './commandChannels';
export { defaultMaxGapNs, detectGaps, medianPeriodNs, type Gap } from './detectGaps';
export { errorMetrics, tokenAccuracy, type DimensionError, type ErrorMetrics } from './errorMetrics';
export {
  type ChannelInput,
  type ChannelResult,
  evaluateCommands,
  latencySummaryMs,
  seconds,
  type EvalInputs,
  type EvalResult,
  type TopicGap,
} from './evaluateCommands';
export { judgeReplay, MAX_STALE_HOLDING_SHARE, type ReplayVerdict } from './judgeReplay';
export {
  checkJointNames,
  COMPARABLE_COMMAND_TYPES,
  planReplay,
  type BagTopicSummary,
  type PlannedChannel,
  type PlanOptions,
  type ReplayPlan,
} from './planReplay';
export { type CommandField, POSE_DIMENSIONS, recordedCommandSamples, TWIST_DIMENSIONS } from './recordedCommands';
export { renderReport, type ReportChannel, type ReportOptions } from './renderReport';
export {
  replayBag,
  type PublishedMessage,
  type ReplayChannel,
  type ReplayMessage,
  type ReplayOptions,
  type ReplayResult,
  type ReplaySink,
} from './replayBag';
export { EVAL_FILES, runEval, type EvalRunOptions, type EvalRunResult } from './runEval';
export { svgLinePlot, type PlotOptions, type PlotSeries } from './svgLinePlot';
