import { join } from 'node:path';
import { packageRoot } from '../config/packageRoot';

/** The shipped demo policy: a tiny tokenized VLA trained in the simulator (policies/reach_demo, see its TRAINING.md). */
export const REACH_DEMO_POLICY = 'reach_demo';

/** Absolute path of the shipped demo policy folder. */
export function reachDemoPolicyDir(): string {
  return join(packageRoot(), 'policies', REACH_DEMO_POLICY);
}
