import { bagReadBenchmark } from './bagReadBenchmark';
import { loopLatencyBenchmark } from './loopLatencyBenchmark';
import { nodeLoopBenchmark } from './nodeLoopBenchmark';
import { replaySpeedBenchmark } from './replaySpeedBenchmark';
import { policyBenchmark } from './policyBenchmark';
import { safetyBenchmark } from './safetyBenchmark';
import { demoBenchmark } from './demoBenchmark';
import type { Benchmark } from './BenchFigure';
import { exportBenchmark } from './exportBenchmark';
import { kinematicsBenchmark } from './kinematicsBenchmark';
import { remoteRoundtripBenchmark } from './remoteRoundtripBenchmark';

/** Every benchmark `vla-bridge bench` runs, in order. Figure names are stable once published. */
export const BENCHMARKS: readonly Benchmark[] = [
  kinematicsBenchmark,
  bagReadBenchmark,
  loopLatencyBenchmark,
  nodeLoopBenchmark,
  policyBenchmark,
  remoteRoundtripBenchmark,
  safetyBenchmark,
  replaySpeedBenchmark,
  demoBenchmark,
  exportBenchmark,
];
