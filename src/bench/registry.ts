import { bagReadBenchmark } from '../bag/bagReadBenchmark';
import { loopLatencyBenchmark } from '../control/loopLatencyBenchmark';
import { replaySpeedBenchmark } from '../eval/replaySpeedBenchmark';
import { policyBenchmark } from '../policy/bench/policyBenchmark';
import { safetyBenchmark } from '../safety/safetyBenchmark';
import { demoBenchmark } from '../demos/demoBenchmark';
import type { Benchmark } from './BenchFigure';
import { kinematicsBenchmark } from './kinematicsBench';

/** Every benchmark `vla-bridge bench` runs, in order. Figure names are stable once published. */
export const BENCHMARKS: readonly Benchmark[] = [kinematicsBenchmark, bagReadBenchmark, loopLatencyBenchmark, policyBenchmark, safetyBenchmark, replaySpeedBenchmark, demoBenchmark];
