export { type RecordDemosOptions, type RecordDemosSummary, DEMO_EXPERT, DEMO_HANDOVER, DEMO_LATENCY_S, recordDemos } from './recordDemos';
export { DEMO_FORMAT, DEMO_META_PATH, type DemoEpisode, type DemoLayout, type DemoSample, DemoDatasetWriter } from './DemoDatasetWriter';
export { type PerturbationOptions, PerturbedPolicy } from './PerturbedPolicy';
export { InstructionOverridePolicy, wrongCubeInstruction } from './InstructionOverridePolicy';
export {
  checkPolicyGolden,
  type GoldenCase,
  type GoldenCaseResult,
  type GoldenFile,
  goldenObservation,
  pngFrame,
  readGolden,
} from './checkPolicyGolden';
export { REACH_DEMO_POLICY, reachDemoPolicyDir } from './reachDemoPolicy';
