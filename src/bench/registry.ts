import { bagReadBenchmark } from '../bag/bagReadBenchmark';
import type { Benchmark } from './BenchFigure';
import { kinematicsBenchmark } from './kinematicsBench';

/** Every benchmark `vla-bridge bench` runs, in order. Figure names are stable once published. */
export const BENCHMARKS: readonly Benchmark[] = [kinematicsBenchmark, bagReadBenchmark];
