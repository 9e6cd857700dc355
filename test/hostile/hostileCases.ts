import type { HostileCase } from './hostileCase';
import { CLI_OPTION_CASES } from './hostileCliOptionCases';
import { IMAGE_CASES } from './hostileImageCases';
import { URDF_CASES } from './hostileUrdfCases';
import { EMBODIMENT_CASES } from './hostileEmbodimentCases';
import { POLICY_CASES } from './hostilePolicyCases';
import { OUTPUT_CASES } from './hostileOutputCases';
import { SIM_CASES } from './hostileSimCases';

/**
 * Hostile and careless inputs, by class (issue 15). Each must end in time with its exit code (2 bad input, 1 a
 * failed run, 0 only where the input is fine and the behaviour is stated), a message naming the file, field or
 * option, never a signal, a stack trace or a silent success.
 */
export type { HostileCase };
export const CASES: HostileCase[] = [
  ...CLI_OPTION_CASES,
  ...IMAGE_CASES,
  ...URDF_CASES,
  ...EMBODIMENT_CASES,
  ...POLICY_CASES,
  ...OUTPUT_CASES,
  ...SIM_CASES,
];
