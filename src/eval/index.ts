/** Offline evaluation: aligning predicted with recorded commands, metrics.json and report.html. */
export type { CommandSample, CommandStream } from './CommandStream';
export { alignStreams, type AlignedPair, type Alignment } from './alignStreams';
export { defaultMaxGapNs, detectGaps, medianPeriodNs, type Gap } from './detectGaps';
export { errorMetrics, tokenAccuracy, type DimensionError, type ErrorMetrics } from './errorMetrics';
export { evaluateCommands, seconds, type EvalInputs, type EvalResult, type TopicGap } from './evaluateCommands';
export { POSE_DIMENSIONS, recordedCommandSamples, TWIST_DIMENSIONS } from './recordedCommands';
export { renderReport } from './renderReport';
export { svgLinePlot, type PlotOptions, type PlotSeries } from './svgLinePlot';
